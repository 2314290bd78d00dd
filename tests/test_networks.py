"""The residual layer, the network builder (depth = weight layers) and the whole-network gradient test."""
import numpy as np
import pytest

from helpers.data import one_hot
from helpers.gradcheck import (layer_jacobian_tests, network_gradient_test, numerical_gradient,
                               rel_error, taylor_verdict)
from helpers.layers import Linear, ReLU, Residual, Tanh
from helpers.losses import SoftmaxCrossEntropy
from helpers.networks import build_network, count_parameters, count_weight_layers, two_layer_net
from helpers.train import SGD, accuracy, fit

OK = {"O(eps^2)", "exact"}  # 'exact': the output is linear in that variable (W2, or ReLU's pieces)


def _residual(rng, activation="tanh", D=4, H=3):
    """A residual layer with random (not near-identity) weights, so phi' and W2 both matter."""
    layer = Residual(D, hidden=H, rng=rng, activation=activation)
    layer.params["W2"][...] = rng.standard_normal((H, D))
    layer.params["b1"][...] = rng.standard_normal(H)
    return layer


# --- forward -------------------------------------------------------------------------------


def test_forward_is_x_plus_branch(rng):
    layer = _residual(rng)
    x = rng.standard_normal((5, 4))
    W1, b1, W2 = (layer.params[k] for k in ("W1", "b1", "W2"))
    # per-sample, column-vector form of the course: y_n = x_n + W2^T tanh(W1^T x_n + b1)
    expected = np.stack([xn + W2.T @ np.tanh(W1.T @ xn + b1) for xn in x])
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12)


def test_zero_W2_is_the_identity(rng):
    layer = Residual(6, hidden=9, rng=rng)
    layer.params["W2"][...] = 0
    x = rng.standard_normal((3, 6))
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))


def test_relu_branch_is_zero_for_negative_preactivations(rng):
    layer = Residual(2, hidden=2, rng=rng, activation="relu")
    layer.params["W1"][...] = np.eye(2)
    layer.params["b1"][...] = -100.0  # z < 0 everywhere: the branch is off
    x = rng.standard_normal((4, 2))
    np.testing.assert_array_equal(layer.forward(x), x)


def test_dtype_is_kept(rng):
    layer = Residual(3, rng=rng, dtype=np.float32)
    y = layer.forward(rng.standard_normal((2, 3)).astype(np.float32))
    assert y.dtype == np.float32
    assert layer.backward(np.ones_like(y)).dtype == np.float32
    assert all(g.dtype == np.float32 for _, _, g in layer.named_parameters())


# --- backward: Jacobian tests and finite differences -------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_jacobian_tests_pass_for_x_and_every_parameter(rng, activation):
    layer = _residual(rng, activation)
    results = layer_jacobian_tests(layer, rng.standard_normal((5, 4)), rng)
    assert list(results) == ["x", "W1", "b1", "W2"]
    verdicts = {name: taylor_verdict(*r) for name, r in results.items()}
    assert set(verdicts.values()) <= OK, verdicts
    if activation == "tanh":  # tanh is curved: the remainder must really fall like eps^2
        assert verdicts["x"] == verdicts["W1"] == verdicts["b1"] == "O(eps^2)"
    assert verdicts["W2"] == "exact"  # y is linear in W2


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_backward_matches_finite_differences(rng, activation):
    layer = _residual(rng, activation)
    x = rng.standard_normal((5, 4))
    dout = rng.standard_normal((5, 4))
    layer.forward(x)
    dx = layer.backward(dout)

    def loss(_):
        return float(np.sum(layer.forward(x) * dout))

    assert rel_error(numerical_gradient(loss, x), dx) < 1e-8
    for name in ("W1", "b1", "W2"):
        layer.forward(x)
        layer.backward(dout)
        analytic = layer.grads[name].copy()
        assert rel_error(numerical_gradient(loss, layer.params[name]), analytic) < 1e-8, name


def test_jacobian_test_leaves_the_parameters_unchanged(rng):
    layer = _residual(rng)
    before = {k: v.copy() for k, v in layer.params.items()}
    layer_jacobian_tests(layer, rng.standard_normal((3, 4)), rng)
    for k in before:
        np.testing.assert_array_equal(layer.params[k], before[k])


class _ForgotSkip(Residual):
    """dx without the identity path's dout: the classic residual-backward bug."""

    def backward(self, dout):
        return super().backward(dout) - dout


class _ForgotSigmaPrime(Residual):
    """dz = dout W2^T, as if sigma were the identity."""

    def backward(self, dout):
        x, z, a = self._cached()
        W1, W2 = self.params["W1"], self.params["W2"]
        self.grads["W2"] = a.T @ dout
        dz = dout @ W2.T
        self.grads["W1"] = x.T @ dz
        self.grads["b1"] = dz.sum(axis=0)
        return dout + dz @ W1.T


class _TransposedW2Grad(Residual):
    """dW2 = dout^T a in the right shape only because D == H: a shape check cannot catch it."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.grads["W2"] = self.grads["W2"].T.copy()
        return dx


@pytest.mark.parametrize(
    "broken, wrong",
    [(_ForgotSkip, {"x"}), (_ForgotSigmaPrime, {"x", "W1", "b1"}), (_TransposedW2Grad, {"W2"})],
)
def test_jacobian_tests_catch_a_broken_backward(rng, broken, wrong):
    layer = broken(4, hidden=4, rng=rng)
    layer.params["W2"][...] = rng.standard_normal((4, 4))
    results = layer_jacobian_tests(layer, rng.standard_normal((5, 4)), rng)
    verdicts = {name: taylor_verdict(*r) for name, r in results.items()}
    assert {name for name, v in verdicts.items() if v == "WRONG"} == wrong, verdicts


# --- bad input ---------------------------------------------------------------------------------


def test_forward_rejects_wrong_shapes(rng):
    layer = Residual(4, hidden=3, rng=rng)
    with pytest.raises(ValueError, match=r"expects x of shape \(N, 4\), got \(2, 5\)"):
        layer.forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"\(N, 4\), got \(4,\)"):
        layer.forward(np.ones(4))


def test_backward_rejects_wrong_dout_and_missing_forward(rng):
    layer = Residual(4, rng=rng)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((2, 4)))
    layer.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"dout of the shape forward returned \(2, 4\), got \(2, 3\)"):
        layer.backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"got \(4,\)"):  # would broadcast silently otherwise
        layer.backward(np.ones(4))


def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="activation must be one of"):
        Residual(3, activation="sigmoid")
    with pytest.raises(ValueError, match="positive sizes"):
        Residual(0)
    with pytest.raises(ValueError, match="depth >= 1"):
        build_network(2, 3, depth=0, hidden=4)
    with pytest.raises(ValueError, match="n_classes >= 2"):
        build_network(2, 1, depth=3, hidden=4)


def test_network_names_the_layer_that_refused_its_input(rng):
    net = build_network(2, 3, depth=4, hidden=5, rng=rng)
    with pytest.raises(ValueError, match=r"layer 0 .*expects x of shape \(N, 2\), got \(7, 3\)"):
        net.forward(np.ones((7, 3)))


# --- the network -------------------------------------------------------------------------------


@pytest.mark.parametrize("residual", [True, False])
def test_build_network_layers_and_parameter_count(rng, residual):
    d, K, L, w = 5, 4, 6, 7
    net = build_network(d, K, depth=L, hidden=w, residual=residual, activation="relu", rng=rng)
    kinds = [type(layer) for layer in net.layers]
    assert kinds[:2] == [Linear, ReLU] and kinds[-1] == Linear
    if residual:
        assert kinds[2:-1] == [Residual] * ((L - 2) // 2)  # two weight matrices per block
        middle = ((L - 2) // 2) * (2 * w * w + w)  # W1, b1, W2 per block
    else:
        assert kinds[2:-1] == [Linear, ReLU] * (L - 2)
        middle = (L - 2) * (w * w + w)
    assert count_parameters(net) == (d * w + w) + middle + (w * K + K)
    assert net.forward(rng.standard_normal((9, d))).shape == (9, K)


@pytest.mark.parametrize("depth", [2, 4, 6, 8, 32])
def test_depth_counts_weight_matrices_the_same_way_for_both_architectures(rng, depth):
    """A residual block holds two matrices: depth L is L matrices, plain or residual, so a depth
    study compares like with like (the counts differ only by biases: b1 per block vs two b's)."""
    w = 6
    plain = build_network(2, 3, depth=depth, hidden=w, residual=False, rng=rng)
    res = build_network(2, 3, depth=depth, hidden=w, residual=True, rng=rng)
    assert count_weight_layers(plain) == count_weight_layers(res) == depth
    assert sum(isinstance(layer, Residual) for layer in res.layers) == (depth - 2) // 2
    assert count_parameters(plain) - count_parameters(res) == (depth - 2) // 2 * w


def test_an_odd_residual_depth_is_refused_with_the_depths_that_work():
    with pytest.raises(ValueError, match=r"depth - 2 must be even .*got depth=5\. Use depth=4 or 6"):
        build_network(2, 3, depth=5, hidden=4, residual=True)
    assert count_weight_layers(build_network(2, 3, depth=5, hidden=4, residual=False)) == 5
    assert count_weight_layers(build_network(2, 3, depth=1, hidden=4)) == 1  # softmax regression


def test_two_layer_net_keeps_its_weights(rng):
    """The course's TwoLayerNet (notebooks 04 and 06) draws He-initialised W1 then W2, as before."""
    net = two_layer_net(4, 6, 3, np.random.default_rng(7))
    r = np.random.default_rng(7)
    np.testing.assert_array_equal(net[0].params["W"], np.sqrt(2 / 4) * r.standard_normal((4, 6)))
    np.testing.assert_array_equal(net[2].params["W"], np.sqrt(2 / 6) * r.standard_normal((6, 3)))
    assert count_weight_layers(net) == 2 and count_parameters(net) == 4 * 6 + 6 + 6 * 3 + 3


def test_depth_one_is_softmax_regression(rng):
    net = build_network(3, 4, depth=1, hidden=100, rng=rng)
    assert len(net) == 1 and isinstance(net[0], Linear)
    assert count_parameters(net) == 3 * 4 + 4


def test_tanh_network_uses_tanh(rng):
    net = build_network(2, 3, depth=4, hidden=5, residual=False, rng=rng)
    assert [type(layer) for layer in net.layers].count(Tanh) == 3


@pytest.mark.parametrize("residual", [True, False])
def test_network_gradient_test_with_six_layers(rng, residual):
    net = build_network(2, 3, depth=6, hidden=6, residual=residual, rng=rng)
    for layer in net.layers:  # random residual branches, so every layer's backward matters
        if isinstance(layer, Residual):
            layer.params["W2"][...] = rng.standard_normal(layer.params["W2"].shape)
    X, Y = rng.standard_normal((10, 2)), one_hot(rng.integers(0, 3, 10), 3)
    loss = SoftmaxCrossEntropy(guard=0)
    before = [p.copy() for _, p, _ in net.named_parameters()]
    assert taylor_verdict(*network_gradient_test(net, loss, X, Y, rng)) == "O(eps^2)"
    for (_, p, _), b in zip(net.named_parameters(), before):
        np.testing.assert_array_equal(p, b)
    # and parameter by parameter against central differences
    loss.forward(net.forward(X), Y)
    net.backward(loss.backward())
    grads = {name: g.copy() for name, _, g in net.named_parameters()}
    for name, p, _ in net.named_parameters():
        numeric = numerical_gradient(lambda _: loss.forward(net.forward(X), Y), p)
        # 1e-5, not 1e-8: the O(h^2) error of central differences through six curved layers
        # dominates the relative error of the smallest entries (a wrong term gives > 1e-2)
        assert rel_error(numeric, grads[name]) < 1e-5, name


def test_network_gradient_test_catches_one_broken_layer(rng):
    net = build_network(2, 3, depth=8, hidden=6, rng=rng)  # layers 2, 3, 4: three residual blocks
    net.layers[3] = _ForgotSigmaPrime(6, rng=rng)  # one bad residual layer deep in the stack
    net.layers[3].params["W2"][...] = rng.standard_normal((6, 6))
    X, Y = rng.standard_normal((10, 2)), one_hot(rng.integers(0, 3, 10), 3)
    assert taylor_verdict(*network_gradient_test(net, SoftmaxCrossEntropy(guard=0), X, Y, rng)) == "WRONG"


def test_gradient_check_refuses_a_float32_network(rng):
    net = build_network(2, 3, depth=4, hidden=4, rng=rng, dtype=np.float32)
    X, Y = rng.standard_normal((4, 2)), one_hot(rng.integers(0, 3, 4), 3)
    with pytest.raises(TypeError, match="float64"):
        network_gradient_test(net, SoftmaxCrossEntropy(guard=0), X, Y, rng)


def _rings(n, rng):
    """Two concentric rings: no line separates them (a linear classifier sits near 50%)."""
    y = rng.integers(0, 2, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = 1 + y + 0.15 * rng.standard_normal(n)
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]), y


def test_residual_network_learns_what_a_linear_model_cannot(rng):
    X, y = _rings(600, rng)
    X_val, y_val = _rings(400, rng)
    accs = {}
    for depth in (1, 4):
        net = build_network(2, 2, depth=depth, hidden=16, rng=np.random.default_rng(0))
        fit(net, SoftmaxCrossEntropy(), X, y, epochs=30, batch_size=32, optimizer=SGD(0.1, 0.9),
            rng=np.random.default_rng(1), verbose=False)
        accs[depth] = accuracy(net, X_val, y_val)
    assert accs[1] < 0.7 and accs[4] > 0.95, accs
