"""Issue 12, "no silent failures": a wrong number must never pass quietly.

Sections follow the issue's items 1-7; each test failed before the fix.
"""
import numpy as np
import pytest

import helpers.functional as F
from helpers.conv import L2Loss
from helpers.data import Standardizer
from helpers.gradcheck import gradient_test, jacobian_test, numerical_gradient, rel_error, taylor_verdict
from helpers.layers import CourseSoftmaxCrossEntropy, Linear, ReLU, Sequential, SoftmaxCrossEntropy, Tanh
from helpers.resnet import layer_jacobian_tests, network_gradient_test
from helpers.train import SGD, fit, two_layer_net


# ------------------------------------------------------------ 1. gradient checks and non-finite values
def f_square(x):
    return float(np.sum(x**2))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_gradient_test_calls_a_non_finite_gradient_wrong(bad, rng):
    x = rng.standard_normal(6)
    verdict = taylor_verdict(*gradient_test(f_square, lambda z: np.full(z.shape, bad), x))
    assert verdict.startswith("WRONG") and verdict not in ("O(eps^2)", "exact")


def test_gradient_test_calls_a_single_nan_entry_wrong(rng):
    x = rng.standard_normal(6)

    def grad(z):
        g = 2 * z
        g[3] = np.nan
        return g

    assert taylor_verdict(*gradient_test(f_square, grad, x)).startswith("WRONG")


def test_gradient_test_calls_a_non_finite_loss_wrong(rng):
    x = rng.standard_normal(4)
    verdict = taylor_verdict(*gradient_test(lambda z: float("nan"), lambda z: 2 * z, x))
    assert verdict.startswith("WRONG")


def test_jacobian_test_calls_a_nan_backward_wrong(rng):
    x = rng.standard_normal((3, 4))
    verdict = taylor_verdict(*jacobian_test(np.tanh, lambda u: np.full(u.shape, np.nan), x))
    assert verdict.startswith("WRONG")


class NanBackward(Linear):
    def backward(self, dout):
        super().backward(dout)
        self.grads["W"] = np.full_like(self.grads["W"], np.nan)
        return np.full((dout.shape[0], self.params["W"].shape[0]), np.inf)


def test_layer_jacobian_tests_call_a_non_finite_backward_wrong(rng):
    layer = NanBackward(4, 3, rng)
    results = layer_jacobian_tests(layer, rng.standard_normal((5, 4)), rng=rng)
    assert taylor_verdict(*results["x"]).startswith("WRONG")
    assert taylor_verdict(*results["W"]).startswith("WRONG")


def test_network_gradient_test_calls_a_nan_gradient_wrong(rng):
    model = Sequential(NanBackward(4, 5, rng), Tanh(), Linear(5, 3, rng))
    X, T = rng.standard_normal((6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    verdict = taylor_verdict(*network_gradient_test(model, SoftmaxCrossEntropy(guard=0), X, T, rng=rng))
    assert verdict.startswith("WRONG")


def test_rel_error_of_a_nan_gradient_is_not_small():
    err = rel_error(np.array([1.0, np.nan]), np.array([1.0, 2.0]))
    assert err > 1e-3  # notebook 04's test; a NaN error compared False with every threshold


def test_taylor_verdict_refuses_mismatched_arrays():
    with pytest.raises(ValueError, match="one shape"):
        taylor_verdict(np.ones(4), np.ones(3), np.ones(4))


# ------------------------------------------------------------ 2. one NaN must not vanish
def blobs(rng, n=90):
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.arange(n) % 3
    return centres[y] + 0.3 * rng.standard_normal((n, 2)), y


def test_relu_propagates_nan():
    y = ReLU().forward(np.array([[-1.0, np.nan, 2.0]]))
    assert np.isnan(y[0, 1]) and y[0, 0] == 0 and y[0, 2] == 2


def test_a_nan_input_reaches_the_loss_of_a_relu_network(rng):
    net = two_layer_net(3, 8, 2, rng)
    X = rng.standard_normal((4, 3))
    X[1, 2] = np.nan
    assert np.isnan(SoftmaxCrossEntropy().forward(net.forward(X), np.eye(2)[[0, 1, 0, 1]]))


def test_fit_refuses_nan_inputs_from_a_standardizer_without_eps(rng):
    X, y = blobs(rng)
    X = np.column_stack([X, np.ones(len(X))])  # a constant feature, as MNIST's border pixels
    with np.errstate(all="ignore"):
        Xs = (X - X.mean(axis=0)) / X.std(axis=0)  # what Standardizer(eps=0) returned
    with pytest.raises(ValueError, match=r"NaN or infinite.*eps"):
        fit(two_layer_net(3, 8, 3, rng), SoftmaxCrossEntropy(), Xs, y, epochs=1, batch_size=10,
            optimizer=SGD(0.1), rng=rng, verbose=False)


def test_standardizer_without_eps_refuses_constant_features(rng):
    X = np.column_stack([rng.standard_normal(10), np.ones(10)])
    with pytest.raises(ValueError, match="constant"):
        Standardizer(eps=0).fit_transform(X)


class NanAfter(Linear):
    """A Linear layer whose output turns NaN from its `after`-th forward on (a numeric fault)."""

    def __init__(self, *args, after=5, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls, self.after = 0, after

    def forward(self, x):
        self.calls += 1
        y = super().forward(x)
        return y * np.nan if self.calls > self.after else y


def test_fit_stops_at_the_first_non_finite_loss_and_says_where(rng):
    X, y = blobs(rng)
    net = Sequential(Linear(2, 8, rng), ReLU(), NanAfter(8, 3, rng, after=4))  # forward 1 is fit's probe
    with pytest.raises(FloatingPointError, match=r"nan at epoch 1, batch 4 \(lr=0\.1"):
        fit(net, SoftmaxCrossEntropy(), X, y, epochs=2, batch_size=10, optimizer=SGD(0.1), rng=rng,
            verbose=False)


def test_fit_refuses_a_model_with_nan_weights(rng):
    X, y = blobs(rng)
    net = two_layer_net(2, 8, 3, rng)
    net[0].params["W"][0, 0] = np.nan
    with pytest.raises(FloatingPointError, match="NaN"):
        fit(net, SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=10, optimizer=SGD(0.1), rng=rng,
            verbose=False)


# ------------------------------------------------------------ 3. divergence and hyper-parameters
@pytest.mark.parametrize("loss_fn", [CourseSoftmaxCrossEntropy(), SoftmaxCrossEntropy()], ids=["guarded", "exact"])
def test_fit_warns_or_stops_when_training_diverges(loss_fn, rng):
    X, y = rng.standard_normal((300, 20)), rng.integers(0, 10, 300)  # the lr=1e3
    with pytest.warns(RuntimeWarning, match="diverging"):
        try:
            fit(two_layer_net(20, 32, 10, rng), loss_fn, X, y, epochs=3, batch_size=30, optimizer=SGD(1e3),
                rng=rng, verbose=False)
        except FloatingPointError:  # stopping at an infinite loss is fine too, after the warning
            pass


@pytest.mark.parametrize("lr", [float("nan"), float("inf"), -1.0, 0.0, "0.1", True])
def test_sgd_refuses_a_learning_rate_that_is_not_a_positive_number(lr):
    with pytest.raises(ValueError, match="finite lr > 0"):
        SGD(lr)


@pytest.mark.parametrize(
    "kwargs,message",
    [({"reg": -1}, "reg"), ({"reg": float("nan")}, "reg"), ({"lr_decay": -1}, "lr_decay"),
     ({"lr_decay": 0}, "lr_decay"), ({"epochs": -1}, "epochs"), ({"epochs": 0}, "epochs"),
     ({"epochs": 2.5}, "epochs")],
)
def test_fit_refuses_bad_hyperparameters_before_training(kwargs, message, rng):
    X, y = blobs(rng)
    net = two_layer_net(2, 8, 3, rng)
    before = net[0].params["W"].copy()
    args = dict(epochs=1, batch_size=10, optimizer=SGD(0.1), rng=rng, verbose=False) | kwargs
    with pytest.raises(ValueError, match=message):
        fit(net, SoftmaxCrossEntropy(), X, y, **args)
    np.testing.assert_array_equal(net[0].params["W"], before)  # refused before any step


def test_one_sgd_passed_to_two_fits_trains_the_same_way_twice():
    X, y = blobs(np.random.default_rng(0))
    opt = SGD(0.1, momentum=0.9)
    runs = []
    for _ in range(2):
        net = two_layer_net(2, 8, 3, np.random.default_rng(1))
        runs.append(fit(net, SoftmaxCrossEntropy(), X, y, epochs=3, batch_size=10, optimizer=opt,
                        rng=np.random.default_rng(2), lr_decay=0.5, verbose=False)["loss"])
    assert runs[0] == runs[1]


def test_fit_resume_carries_the_optimiser_on():
    X, y = blobs(np.random.default_rng(0))
    opt = SGD(0.1, momentum=0.9)
    net = two_layer_net(2, 8, 3, np.random.default_rng(1))
    fit(net, SoftmaxCrossEntropy(), X, y, epochs=2, batch_size=10, optimizer=opt,
        rng=np.random.default_rng(2), lr_decay=0.5, verbose=False)
    fit(net, SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=10, optimizer=opt,
        rng=np.random.default_rng(2), lr_decay=0.5, verbose=False, resume=True)
    assert opt.lr == pytest.approx(0.1 * 0.5**3) and opt.velocity


# ------------------------------------------------------------ 5. integers are promoted before arithmetic
def test_l2_loss_of_uint8_images_does_not_wrap():
    y, t = np.zeros((1, 1, 1, 1), dtype=np.uint8), np.full((1, 1, 1, 1), 255, dtype=np.uint8)
    loss = L2Loss()
    assert loss.forward(y, t) == 0.5 * 255**2
    assert loss.backward()[0, 0, 0, 0] == -255.0


def test_softmax_of_int8_scores():
    np.testing.assert_allclose(F.softmax(np.array([[127, -128]], dtype=np.int8)), [[1.0, 0.0]], atol=1e-100)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax, lambda s: F.softmax_cross_entropy(s, np.eye(3)[[0, 2]])[1]])
def test_uint8_scores_give_the_float_answer(fn):
    scores = np.array([[0, 200, 255], [3, 1, 250]], dtype=np.uint8)
    np.testing.assert_allclose(fn(scores), fn(scores.astype(np.float64)), rtol=1e-12)


def test_softmax_cross_entropy_layer_of_uint8_scores_is_finite():
    scores = np.array([[0, 200, 255]], dtype=np.uint8)
    assert SoftmaxCrossEntropy().forward(scores, np.eye(3)[[0]]) == pytest.approx(255 + np.log1p(np.exp(-55) + np.exp(-255)))


# ------------------------------------------------------------ 6. the default loss is the exact loss
def test_default_softmax_cross_entropy_is_what_its_backward_differentiates():
    scores, targets = np.array([[30.0, -30.0, 0.0]]), np.array([[0.0, 1.0, 0.0]])
    loss_fn = SoftmaxCrossEntropy()
    loss_fn.forward(scores, targets)
    analytic = loss_fn.backward()
    numeric = numerical_gradient(lambda s: loss_fn.forward(s, targets), scores.copy())
    np.testing.assert_allclose(numeric, analytic, rtol=1e-6, atol=1e-9)  # guarded: off by 1.0


def test_default_loss_equals_the_exact_log_softmax_loss(rng):
    scores, targets = 5 * rng.standard_normal((6, 4)), np.eye(4)[rng.integers(0, 4, 6)]
    exact, _ = F.softmax_cross_entropy(scores, targets)
    assert SoftmaxCrossEntropy().forward(scores, targets) == pytest.approx(exact, rel=1e-14)
    assert SoftmaxCrossEntropy(guard=0).forward(scores, targets) == pytest.approx(exact, rel=1e-14)


def test_the_course_guarded_loss_is_available_by_name(rng):
    scores, targets = rng.standard_normal((6, 4)), np.eye(4)[rng.integers(0, 4, 6)]
    course = F.cross_entropy(F.softmax(scores), targets, guard=F.COURSE_GUARD)
    assert CourseSoftmaxCrossEntropy().forward(scores, targets) == pytest.approx(course, rel=1e-14)
    assert SoftmaxCrossEntropy(guard=1e-9).forward(scores, targets) == pytest.approx(course, rel=1e-14)


# ------------------------------------------------------------ 7. smaller ones (numerics)
@pytest.mark.parametrize("probs", [[[2.0, -1.0, 0.5]], [[0.2, np.nan, 0.8]], [[3.0, 1.0, 0.5]]])
def test_cross_entropy_refuses_scores_in_place_of_probabilities(probs):
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*softmax"):
        F.cross_entropy(np.array(probs), np.array([[0.0, 0.0, 1.0]]))


def test_linear_backward_does_not_see_changes_to_x_after_forward(rng):
    layer = Linear(3, 2, rng)
    x = rng.standard_normal((4, 3))
    dout = rng.standard_normal((4, 2))
    layer.forward(x)
    expected = x.T @ dout
    x[...] = 0  # the caller reuses its buffer
    layer.backward(dout)
    np.testing.assert_allclose(layer.grads["W"], expected, rtol=1e-14)


def test_loss_caches_do_not_follow_the_callers_arrays(rng):
    y, t = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    for loss, targets in ((L2Loss(), t), (SoftmaxCrossEntropy(), np.eye(2)[[0, 1, 1]])):
        loss.forward(y, targets)
        expected = loss.backward()
        targets[...] = 7
        np.testing.assert_allclose(loss.backward(), expected, rtol=1e-14)
