"""Layers: the course's reference values, finite-difference and Jacobian tests of every
backward pass (w.r.t. inputs and parameters), dtypes, and the errors bad input gets."""
import numpy as np
import pytest

from helpers.data import one_hot
from helpers.gradcheck import jacobian_test, layer_param_jacobian_test, numerical_gradient, rel_error, taylor_verdict
from helpers.layers import Linear, ReLU, Sequential, Sigmoid, Tanh
from helpers.losses import CourseSoftmaxCrossEntropy, SoftmaxCrossEntropy
from helpers.networks import two_layer_net

PASS = ("O(eps^2)", "exact")

# ---------------------------------------------------------------- the course's reference values
SCORES_1 = np.array([[3.0, -10.0, 0.7]])
TARGETS_1 = np.array([[0, 1, 0]])
SCORES_3 = np.array([[3.0, -10.0, 0.7], [9.0, 15.0, -1.0], [-5.0, 1.0, -1.0]])
TARGETS_3 = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]])


def test_softmax_cross_entropy_reference_one_row():
    loss_fn = CourseSoftmaxCrossEntropy()  # the course's reference values use its 1e-9 guard
    assert loss_fn.forward(SCORES_1, TARGETS_1) == pytest.approx(13.095060867144417, rel=1e-12)
    np.testing.assert_allclose(
        loss_fn.backward(), [[0.90887517, -0.99999795, 0.09112277]], rtol=1e-7, atol=1e-9
    )


def test_softmax_cross_entropy_reference_three_rows():
    loss_fn = CourseSoftmaxCrossEntropy()
    assert loss_fn.forward(SCORES_3, TARGETS_3) == pytest.approx(7.075548386844261, rel=1e-12)
    expected = [
        [3.02958391e-01, -3.33332649e-01, 3.03742579e-02],
        [-3.32509126e-01, 3.32509088e-01, 3.74189683e-08],
        [7.26173786e-04, 2.92959414e-01, -2.93685588e-01],
    ]
    np.testing.assert_allclose(loss_fn.backward(), expected, rtol=1e-7, atol=1e-15)


def test_relu_reference():
    relu = ReLU()
    np.testing.assert_array_equal(relu.forward(SCORES_1), [[3.0, 0.0, 0.7]])
    np.testing.assert_array_equal(relu.backward(np.array([[-10.0, 1.0, 0.0]])), [[-10.0, 0.0, 0.0]])


def test_sigmoid_reference():
    np.testing.assert_allclose(
        Sigmoid().forward(SCORES_1), [[9.52574127e-01, 4.53978687e-05, 6.68187772e-01]], rtol=1e-8
    )


def reference_linear():
    layer = Linear(2, 3)
    layer.params["W"][...] = [[0.2, -0.3, 0.6], [-0.9, 0.1, -0.4]]
    layer.params["b"][...] = [0.2, -0.3, 0.6]
    return layer


def test_linear_reference():
    layer = reference_linear()
    y = layer.forward(np.array([[0.2, -0.3], [-0.9, 0.1]]))
    np.testing.assert_allclose(y, [[0.51, -0.39, 0.84], [-0.07, -0.02, 0.02]], atol=1e-12)
    dx = layer.backward(np.array([[0.1, 0.5, -0.8], [0.4, 0.7, -0.2]]))
    np.testing.assert_allclose(dx, [[-0.61, 0.28], [-0.25, -0.21]], atol=1e-12)
    np.testing.assert_allclose(layer.grads["W"], [[-0.34, -0.53, 0.02], [0.01, -0.08, 0.22]], atol=1e-12)
    np.testing.assert_allclose(layer.grads["b"], [0.5, 1.2, -1.0], atol=1e-12)
    assert layer.grads["b"].shape == layer.params["b"].shape == (3,)


# ---------------------------------------------------------------- gradients on random shapes
SHAPES = [(1, 1), (1, 7), (5, 1), (4, 3), (16, 9)]


def away_from_zero(x):
    """Inputs at least 0.2 from ReLU's kink, so no finite-difference step crosses it."""
    return np.sign(x) * (0.2 + np.abs(x)) + (x == 0) * 0.2


def numerical_dx(layer, x, dout):
    """Central-difference gradient of <layer(x), dout> w.r.t. x (= J^T dout)."""
    return numerical_gradient(lambda z: np.sum(layer.forward(z) * dout), x)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("make", [ReLU, Sigmoid, Tanh], ids=["ReLU", "Sigmoid", "Tanh"])
def test_elementwise_backward_matches_finite_differences(make, shape, rng):
    layer, x = make(), away_from_zero(rng.standard_normal(shape))
    dout = rng.standard_normal(shape)
    assert layer.forward(x).shape == shape
    dx = layer.backward(dout)
    assert dx.shape == shape
    assert rel_error(numerical_dx(layer, x, dout), dx) < 1e-7


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("make", [ReLU, Sigmoid, Tanh], ids=["ReLU", "Sigmoid", "Tanh"])
def test_elementwise_jacobian_test(make, shape, rng):
    layer, x = make(), away_from_zero(rng.standard_normal(shape))
    x.flat[0] = abs(x.flat[0])  # one active unit at least, or ReLU is flat ("no signal")
    assert taylor_verdict(*jacobian_test(layer.forward, layer.backward, x, rng=rng)) in PASS


@pytest.mark.parametrize("n,d,m", [(1, 1, 1), (1, 4, 3), (6, 1, 2), (5, 4, 3), (20, 12, 10)])
def test_linear_backward_matches_finite_differences(n, d, m, rng):
    layer = Linear(d, m, rng=rng)
    layer.params["b"][...] = rng.standard_normal(m)
    x, dout = rng.standard_normal((n, d)), rng.standard_normal((n, m))
    assert layer.forward(x).shape == (n, m)
    dx = layer.backward(dout)
    assert rel_error(numerical_dx(layer, x, dout), dx) < 1e-7
    for name in ("W", "b"):
        num = numerical_gradient(lambda _: np.sum(layer.forward(x) * dout), layer.params[name])
        assert layer.grads[name].shape == layer.params[name].shape
        assert rel_error(num, layer.grads[name]) < 1e-7


@pytest.mark.parametrize("n,d,m", [(1, 1, 1), (5, 4, 3), (20, 12, 10)])
def test_linear_jacobian_tests_input_and_parameters(n, d, m, rng):
    layer = Linear(d, m, rng=rng)
    x = rng.standard_normal((n, d))
    assert taylor_verdict(*jacobian_test(layer.forward, layer.backward, x, rng=rng)) in PASS
    for name in ("W", "b"):
        assert taylor_verdict(*layer_param_jacobian_test(layer, x, name, rng=rng)) in PASS


@pytest.mark.parametrize("n,k", [(1, 2), (3, 3), (8, 10)])
@pytest.mark.parametrize("guard", [0, 1e-9])
def test_softmax_cross_entropy_backward(n, k, guard, rng):
    loss_fn = SoftmaxCrossEntropy(guard=guard)
    scores, targets = 2 * rng.standard_normal((n, k)), one_hot(rng.integers(0, k, n), k)
    loss_fn.forward(scores, targets)
    dscores = loss_fn.backward()
    num = numerical_gradient(lambda s: loss_fn.forward(s, targets), scores)
    # Central differences carry round-off ~1e-16 |L| / h ~ 1e-11, i.e. ~1e-6 of the smallest
    # entries (p ~ 1e-4); the guard shifts the loss by ~guard / p, which the exact backward
    # does not follow. Both stay far below the O(1) error of a wrong formula.
    assert rel_error(num, dscores) < 1e-5
    if guard == 0:  # the Taylor test is sharper: it needs forward and backward to agree exactly
        result = jacobian_test(lambda s: loss_fn.forward(s, targets), loss_fn.backward, scores, rng=rng)
        assert taylor_verdict(*result) in PASS


def test_softmax_cross_entropy_backward_scales_with_dout(rng):
    loss_fn = SoftmaxCrossEntropy()
    loss_fn.forward(rng.standard_normal((4, 3)), one_hot(np.array([0, 2, 1, 1]), 3))
    np.testing.assert_allclose(loss_fn.backward(2.5), 2.5 * loss_fn.backward())


# ---------------------------------------------------------------- the checks catch broken code
class SigmoidForgotOneMinusY(Sigmoid):
    def backward(self, dout):
        return dout * self._cached()


class LinearDividesByN(Linear):
    """dW averaged over the batch although the forward pass sums over it."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.grads["W"] = self.grads["W"] / len(dout)
        return dx


class ReLUPassesEverything(ReLU):
    def backward(self, dout):
        return dout


def test_jacobian_test_catches_broken_sigmoid(rng):
    layer = SigmoidForgotOneMinusY()
    result = jacobian_test(layer.forward, layer.backward, rng.standard_normal((4, 3)), rng=rng)
    assert taylor_verdict(*result) == "WRONG"


def test_jacobian_test_catches_broken_relu(rng):
    layer = ReLUPassesEverything()
    result = jacobian_test(layer.forward, layer.backward, away_from_zero(rng.standard_normal((4, 3))), rng=rng)
    assert taylor_verdict(*result) == "WRONG"


def test_param_jacobian_test_catches_broken_dW(rng):
    layer = LinearDividesByN(3, 2, rng=rng)
    x = rng.standard_normal((5, 3))
    assert taylor_verdict(*layer_param_jacobian_test(layer, x, "W", rng=rng)) == "WRONG"
    # dx and db are still right, and the test says so
    assert taylor_verdict(*jacobian_test(layer.forward, layer.backward, x, rng=rng)) in PASS
    assert taylor_verdict(*layer_param_jacobian_test(layer, x, "b", rng=rng)) in PASS


def test_jacobian_test_catches_a_slightly_wrong_backward(rng):
    """A gradient 1e-4 off (relative) is still WRONG, not 'exact'."""
    layer = Linear(4, 3, rng=rng)
    x = rng.standard_normal((5, 4))
    result = jacobian_test(layer.forward, lambda d: (1 + 1e-4) * layer.backward(d), x, rng=rng)
    assert taylor_verdict(*result) == "WRONG"


def test_taylor_verdict_no_signal(rng):
    relu = ReLU()
    x = -1 - np.abs(rng.standard_normal((3, 4)))  # every unit off: ReLU is constant here
    assert taylor_verdict(*jacobian_test(relu.forward, relu.backward, x, rng=rng)) == "no signal"


# ---------------------------------------------------------------- Sequential: the whole network
def small_net(rng, broken=False):
    hidden = SigmoidForgotOneMinusY() if broken else Sigmoid()
    return Sequential(Linear(5, 6, rng=rng), Tanh(), Linear(6, 4, rng=rng), hidden, Linear(4, 3, rng=rng))


def network_loss_and_grads(net, x, targets):
    loss_fn = SoftmaxCrossEntropy(guard=0)
    loss = loss_fn.forward(net.forward(x), targets)
    dx = net.backward(loss_fn.backward())
    return loss, dx, {name: g.copy() for name, _, g in net.named_parameters()}


def test_sequential_whole_network_gradient(rng):
    net = small_net(rng)
    x, targets = rng.standard_normal((7, 5)), one_hot(rng.integers(0, 3, 7), 3)
    _, dx, grads = network_loss_and_grads(net, x, targets)
    assert sorted(grads) == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]

    def loss(_):
        return SoftmaxCrossEntropy(guard=0).forward(net.forward(x), targets)

    assert rel_error(numerical_gradient(loss, x), dx) < 1e-7
    for name, p, _ in net.named_parameters():
        assert rel_error(numerical_gradient(loss, p), grads[name]) < 1e-7, name


def test_sequential_jacobian_tests(rng):
    net = small_net(rng)
    x = rng.standard_normal((7, 5))
    assert taylor_verdict(*jacobian_test(net.forward, net.backward, x, rng=rng)) in PASS
    for name, _, _ in list(net.named_parameters()):
        assert taylor_verdict(*layer_param_jacobian_test(net, x, name, rng=rng)) in PASS, name


def test_sequential_gradient_check_catches_a_broken_layer(rng):
    net = small_net(rng, broken=True)
    x, targets = rng.standard_normal((7, 5)), one_hot(rng.integers(0, 3, 7), 3)
    _, _, grads = network_loss_and_grads(net, x, targets)

    def loss(_):
        return SoftmaxCrossEntropy(guard=0).forward(net.forward(x), targets)

    # layers below the broken Sigmoid get wrong gradients, the one above it does not
    assert rel_error(numerical_gradient(loss, net[0].params["W"]), grads["0.W"]) > 1e-3
    assert rel_error(numerical_gradient(loss, net[4].params["W"]), grads["4.W"]) < 1e-7
    assert taylor_verdict(*jacobian_test(net.forward, net.backward, x, rng=rng)) == "WRONG"


def test_sequential_is_the_composition(rng):
    net = small_net(rng)
    x = rng.standard_normal((3, 5))
    y = x
    for layer in (net[0], net[1], net[2], net[3], net[4]):
        y = layer.forward(y)
    np.testing.assert_array_equal(net.forward(x), y)
    assert len(net) == 5


# ---------------------------------------------------------------- helpers for parameter tests
def test_param_jacobian_test_restores_the_parameter(rng):
    layer = Linear(3, 2, rng=rng)
    W = layer.params["W"]
    before = W.copy()
    layer_param_jacobian_test(layer, rng.standard_normal((4, 3)), "W", rng=rng)
    assert layer.params["W"] is W  # same array: an optimiser holding it still sees it
    np.testing.assert_array_equal(W, before)


def test_param_jacobian_test_unknown_name_and_float32(rng):
    with pytest.raises(KeyError, match=r"no parameter 'V'.*\['W', 'b'\]"):
        layer_param_jacobian_test(Linear(3, 2, rng=rng), np.ones((1, 3)), "V")
    with pytest.raises(TypeError, match="float64"):
        layer_param_jacobian_test(Linear(3, 2, rng=rng, dtype=np.float32), np.ones((1, 3)), "W")


# ---------------------------------------------------------------- dtypes and extreme input
@pytest.mark.parametrize("make", [lambda: Linear(4, 3, dtype=np.float32), ReLU, Sigmoid, Tanh],
                         ids=["Linear", "ReLU", "Sigmoid", "Tanh"])
def test_float32_forward_and_backward_stay_float32(make, rng):
    layer = make()
    x = rng.standard_normal((5, 4)).astype(np.float32)
    y = layer.forward(x)
    assert y.dtype == np.float32
    assert layer.backward(np.ones_like(y)).dtype == np.float32
    for name, p, g in layer.named_parameters():
        assert p.dtype == g.dtype == np.float32, name


def test_float32_loss_and_network(rng):
    net = Sequential(Linear(4, 6, rng=rng, dtype=np.float32), ReLU(), Linear(6, 3, rng=rng, dtype=np.float32))
    loss_fn = SoftmaxCrossEntropy()
    scores = net.forward(rng.standard_normal((5, 4)).astype(np.float32))
    loss_fn.forward(scores, one_hot(np.array([0, 1, 2, 1, 0]), 3))  # float64 one-hot targets
    dscores = loss_fn.backward()
    assert scores.dtype == dscores.dtype == np.float32
    assert net.backward(dscores).dtype == np.float32
    assert all(g.dtype == np.float32 for _, _, g in net.named_parameters())


def test_extreme_inputs_stay_finite():
    x = np.array([[-1000.0, -30.0, 0.0, 30.0, 1000.0]])
    sig = Sigmoid()
    y = sig.forward(x)
    np.testing.assert_allclose(y, [[0.0, 9.357622968839e-14, 0.5, 1 - 9.357622968839e-14, 1.0]], rtol=1e-12, atol=0)
    assert np.all(np.isfinite(sig.backward(np.ones_like(x))))
    tanh = Tanh()
    np.testing.assert_array_equal(tanh.forward(1e4 * x), [[-1.0, -1.0, 0.0, 1.0, 1.0]])
    assert np.all(np.isfinite(tanh.backward(np.ones_like(x))))


def test_softmax_cross_entropy_extreme_scores():
    scores, targets = np.array([[1e4, 0.0], [0.0, 1e4]]), np.array([[0, 1], [0, 1]])
    guarded, exact = CourseSoftmaxCrossEntropy(), SoftmaxCrossEntropy()
    # sample 0 puts probability exp(-1e4) = 0 on its class: the guard caps its loss at -log(1e-9)
    assert guarded.forward(scores, targets) == pytest.approx(-np.log(1e-9) / 2, rel=1e-6)
    assert exact.forward(scores, targets) == pytest.approx(1e4 / 2, rel=1e-12)
    np.testing.assert_allclose(exact.backward(), [[0.5, -0.5], [0.0, 0.0]], atol=1e-15)


# ---------------------------------------------------------------- errors for bad use
@pytest.mark.parametrize(
    "layer,args",
    [(Linear(2, 3), ()), (ReLU(), ()), (Sigmoid(), ()), (Tanh(), ()), (SoftmaxCrossEntropy(), ()),
     (Sequential(Linear(2, 3), ReLU()), ())],
    ids=["Linear", "ReLU", "Sigmoid", "Tanh", "SoftmaxCrossEntropy", "Sequential"],
)
def test_backward_before_forward(layer, args):
    with pytest.raises(RuntimeError, match="backward called before forward"):
        layer.backward(np.ones((1, 3)) if not isinstance(layer, SoftmaxCrossEntropy) else 1.0)


def test_linear_rejects_bad_x():
    layer = Linear(4, 3)
    with pytest.raises(ValueError, match=r"Linear\(4, 3\) expects x of shape \(N, 4\), got \(2, 5\)"):
        layer.forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"expects x of shape \(N, 4\), got \(4,\)"):
        layer.forward(np.ones(4))  # a single sample must be a row (1, 4)
    with pytest.raises(TypeError, match="real numbers.*got dtype <U1"):
        layer.forward(np.array([["a", "b", "c", "d"]]))
    with pytest.raises(ValueError, match="positive sizes"):
        Linear(0, 3)


def test_linear_rejects_bad_dout():
    layer = Linear(4, 3)
    layer.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"expects dout of the shape forward returned \(2, 3\), got \(2, 4\)"):
        layer.backward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"returned \(2, 3\), got \(3, 3\)"):
        layer.backward(np.ones((3, 3)))


@pytest.mark.parametrize("make", [ReLU, Sigmoid, Tanh], ids=["ReLU", "Sigmoid", "Tanh"])
def test_elementwise_rejects_dout_that_would_broadcast(make):
    layer = make()
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=rf"{make.__name__}.backward expects dout .* \(4, 3\), got \(1, 3\)"):
        layer.backward(np.ones((1, 3)))


def test_softmax_cross_entropy_rejects_bad_targets_and_dout():
    loss_fn = SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match=r"one-hot targets of the same shape, got \(2, 3\) and \(2,\)"):
        loss_fn.forward(np.zeros((2, 3)), np.array([0, 2]))  # labels, not one-hot
    with pytest.raises(ValueError, match=r"got \(3,\) and \(3,\)"):
        loss_fn.forward(np.zeros(3), np.array([0, 1, 0]))
    loss_fn.forward(np.zeros((2, 3)), one_hot(np.array([0, 2]), 3))
    with pytest.raises(ValueError, match=r"dout of the shape forward returned \(\) \(a scalar\), got \(2, 3\)"):
        loss_fn.backward(np.ones((2, 3)))


def test_sequential_names_the_layer_that_refused_its_input():
    net = Sequential(Linear(4, 5), ReLU(), Linear(6, 2))
    with pytest.raises(ValueError, match=r"Sequential layer 2 \(Linear\(6, 2\)\): .*got \(3, 5\)"):
        net.forward(np.ones((3, 4)))


def test_linear_skips_dx_when_its_input_needs_no_gradient(rng):
    # x is data (the first layer in training): backward returns None instead of dout W^T and
    # sets the same dW and db as the full backward
    # (skipping is a saving, not a duty: a student's backward that returns dx anyway passes)
    layer = Linear(5, 3, rng)
    x, dout = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    layer.forward(x)
    dx = layer.backward(dout)
    full = {k: g.copy() for k, g in layer.grads.items()}
    layer.needs_input_grad = False
    layer.forward(x)
    skipped = layer.backward(dout)
    assert skipped is None or np.array_equal(skipped, dx)
    ### BEGIN INSTRUCTOR ONLY
    assert skipped is None
    ### END INSTRUCTOR ONLY
    for k in full:
        np.testing.assert_array_equal(layer.grads[k], full[k])
    assert Linear(2, 2).needs_input_grad  # by default every layer returns dx


def test_sequential_caches_the_hidden_activations_without_copies(rng):
    net = Sequential(Linear(3, 4, rng), ReLU(), Linear(4, 2, rng))
    x = rng.standard_normal((5, 3))
    net.forward(x)
    assert not np.shares_memory(net[0].cache, x), "the caller's x is copied"
    assert not net[2].cache.flags.writeable, "the hidden activation is cached as a read-only view"


def test_relu_propagates_nan():
    y = ReLU().forward(np.array([[-1.0, np.nan, 2.0]]))
    assert np.isnan(y[0, 1]) and y[0, 0] == 0 and y[0, 2] == 2


def test_a_nan_input_reaches_the_loss_of_a_relu_network(rng):
    net = two_layer_net(3, 8, 2, rng)
    X = rng.standard_normal((4, 3))
    X[1, 2] = np.nan
    assert np.isnan(SoftmaxCrossEntropy().forward(net.forward(X), np.eye(2)[[0, 1, 0, 1]]))


def test_linear_backward_does_not_see_changes_to_x_after_forward(rng):
    layer = Linear(3, 2, rng)
    x = rng.standard_normal((4, 3))
    dout = rng.standard_normal((4, 2))
    layer.forward(x)
    expected = x.T @ dout
    x[...] = 0  # the caller reuses its buffer
    layer.backward(dout)
    np.testing.assert_allclose(layer.grads["W"], expected, rtol=1e-14)
