"""helpers.functional (softmax & co.) and the linear softmax classifier's gradient (notebook 01).

The reference values are the course's published checks, not outputs of this code.
"""
import math

import numpy as np
import pytest

from helpers import functional as F
from helpers.gradcheck import gradient_test, numerical_gradient, rel_error, taylor_slope
from helpers.layers import Linear
from helpers.losses import SoftmaxCrossEntropy, l2_penalty

REF_SCORES = np.array([[2060.0, 2000.0, 2080.0], [1010.0, 1020.0, 1030.0]])
REF_SCORES.setflags(write=False)  # a softmax that writes into its input must not change it for later tests
REF_PROBS = [
    ["2.06115362e-09", "1.80485138e-35", "9.99999998e-01"],
    ["2.06106005e-09", "4.53978686e-05", "9.99954600e-01"],
]
REF_CROSS_ENTROPY = [
    ([[0, 0, 0]], [[0, 1, 0]], 20.72326583694641),
    ([[0.1, 0.3, 0.6]], [[0, 1, 0]], 1.2039728009926025),
    ([[0.1, 0.3, 0.6], [0.2, 0.4, 0.4], [0.9, 0.05, 0.05]], [[0, 1, 0], [0, 0, 1], [1, 0, 0]], 0.7418746816378242),
]


def random_problem(rng, n=6, k=4, scale=3.0):
    scores = scale * rng.standard_normal((n, k))
    targets = np.eye(k)[rng.integers(0, k, n)]
    return scores, targets


# ---------------------------------------------------------------- softmax


def test_softmax_reference_values_digit_for_digit():
    probs = F.softmax(REF_SCORES)
    assert [[f"{p:.8e}" for p in row] for row in probs] == REF_PROBS
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=0, atol=1e-15)


def test_naive_softmax_overflows_on_the_reference_scores():
    # the reason the shifted version exists: exp(2060) is inf, inf / inf is nan
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(F.softmax_naive(REF_SCORES)).all()


def test_softmax_matches_the_textbook_formula_on_moderate_scores(rng):
    scores, _ = random_problem(rng)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(F.softmax(scores), expected, rtol=1e-13)


def test_softmax_is_shift_invariant_per_row(rng):
    scores, _ = random_problem(rng)
    shift = rng.standard_normal((scores.shape[0], 1)) * 100
    np.testing.assert_allclose(F.softmax(scores + shift), F.softmax(scores), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_sum_to_one_for_any_scale(rng, dtype):
    for scale in (1e-3, 1, 1e2, 1e4):
        probs = F.softmax((scale * rng.standard_normal((5, 7))).astype(dtype))
        assert probs.dtype == dtype
        assert np.all(np.isfinite(probs)) and np.all(probs >= 0)
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=10 * np.finfo(dtype).eps)


def test_logits_of_1e4_stay_finite_and_exact():
    scores = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    with np.errstate(all="raise", under="ignore"):  # any overflow or nan would raise here
        probs = F.softmax(scores)
        logp = F.log_softmax(scores)
        loss, dscores = F.softmax_cross_entropy(scores, np.array([[0.0, 1, 0], [1, 0, 0]]))
    np.testing.assert_array_equal(probs, [[1, 0, 0], [0, 0.5, 0.5]])
    # log p = s - max - log(sum exp(s - max)); the sums are exactly 1 and 2 here
    np.testing.assert_allclose(logp, [[0, -2e4, -1e4], [-2e4 - math.log(2), -math.log(2), -math.log(2)]], rtol=1e-15)
    assert loss == pytest.approx((2e4 + 2e4 + math.log(2)) / 2, rel=1e-15)
    np.testing.assert_allclose(dscores, [[0.5, -0.5, 0], [-0.5, 0.25, 0.25]])


# ---------------------------------------------------------------- cross-entropy


@pytest.mark.parametrize("probs, targets, expected", REF_CROSS_ENTROPY)
def test_cross_entropy_reference_values(probs, targets, expected):
    value = F.cross_entropy(np.array(probs, dtype=float), np.array(targets, dtype=float))
    assert isinstance(value, float)
    assert value == pytest.approx(expected, rel=1e-14)


def test_cross_entropy_guard_caps_log_zero_at_minus_log_guard():
    probs, targets = np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]])
    assert F.cross_entropy(probs, targets, guard=1e-9) == pytest.approx(-math.log(1e-9), rel=1e-12)
    assert F.cross_entropy(probs, targets, guard=1e-4) == pytest.approx(-math.log(1e-4), rel=1e-12)
    with np.errstate(divide="ignore"):
        assert F.cross_entropy(probs, targets, guard=0) == np.inf


def test_log_softmax_equals_log_of_softmax(rng):
    scores, _ = random_problem(rng)
    np.testing.assert_allclose(F.log_softmax(scores), np.log(F.softmax(scores)), rtol=1e-12)


def test_loss_from_scores_agrees_with_loss_from_probabilities(rng):
    scores, targets = random_problem(rng)
    from_scores, _ = F.softmax_cross_entropy(scores, targets)
    assert from_scores == pytest.approx(F.cross_entropy(F.softmax(scores), targets, guard=0), rel=1e-12)
    # the guard shifts the loss by at most guard / min(p) of the true classes
    p_true = F.softmax(scores)[targets == 1]
    guarded = F.cross_entropy(F.softmax(scores), targets)
    assert 0 < from_scores - guarded < 1e-9 / p_true.min()
    assert SoftmaxCrossEntropy(guard=0).forward(scores, targets) == pytest.approx(from_scores, rel=1e-12)
    assert SoftmaxCrossEntropy(guard=1e-9).forward(scores, targets) == pytest.approx(guarded, rel=1e-12)
    assert SoftmaxCrossEntropy().forward(scores, targets) == pytest.approx(from_scores, rel=1e-12)


def test_loss_from_scores_exceeds_the_guard_cap_when_the_truth_is_hopeless():
    scores, targets = np.array([[1e4, -1e4]]), np.array([[0.0, 1.0]])
    exact, _ = F.softmax_cross_entropy(scores, targets)
    assert exact == pytest.approx(2e4, rel=1e-15)
    assert F.cross_entropy(F.softmax(scores), targets) == pytest.approx(-math.log(1e-9))


def test_softmax_cross_entropy_gradient(rng):
    # unit-scale scores: a gradient entry of 1e-5 would drown in the ~1e-11 round-off of the differences
    scores, targets = random_problem(rng, scale=1.0)
    _, dscores = F.softmax_cross_entropy(scores, targets)
    numeric = numerical_gradient(lambda s: F.softmax_cross_entropy(s, targets)[0], scores)
    assert rel_error(dscores, numeric) < 1e-7


# ---------------------------------------------------------------- sigmoid


def test_sigmoid_extremes_without_overflow():
    x = np.array([-1000.0, -700.0, -30.0, 0.0, 30.0, 700.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = F.sigmoid(x)
        ls = F.log_sigmoid(x)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(ls))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert s[1] == pytest.approx(math.exp(-700), rel=1e-12)  # tiny but not rounded to 0
    assert s[2] == pytest.approx(1 / (1 + math.exp(30)), rel=1e-14)
    np.testing.assert_allclose(ls[[0, 1]], [-1000.0, -700.0], rtol=1e-15)
    assert ls[-1] == 0.0
    assert ls[2] == pytest.approx(-math.log1p(math.exp(30)), rel=1e-15)
    assert ls[4] == pytest.approx(-math.log1p(math.exp(-30)), rel=1e-12)


def test_sigmoid_symmetry_and_log_consistency(rng):
    x = 5 * rng.standard_normal(50)
    np.testing.assert_allclose(F.sigmoid(x) + F.sigmoid(-x), 1.0, rtol=1e-15)
    # log(sigmoid(x)) itself loses digits where sigmoid(x) rounds towards 1, so compare with log1p
    np.testing.assert_allclose(F.log_sigmoid(x), -np.log1p(np.exp(-x)), rtol=1e-13)


def test_sigmoid_of_integers_is_float():
    assert F.sigmoid(np.array([0, 1])).dtype == np.float64
    assert F.log_sigmoid(np.array([-1000])).tolist() == [-1000.0]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
def test_scores_must_be_2d(fn):
    with pytest.raises(ValueError, match=r"2-D array .* got shape \(3,\)"):
        fn(np.array([1.0, 2.0, 3.0]))


def test_scores_must_be_numeric():
    with pytest.raises(TypeError, match="real numbers.*got dtype <U1"):
        F.softmax(np.array([["a", "b"]]))


def test_targets_must_match_probs():
    with pytest.raises(ValueError, match=r"\(2, 3\), got \(2, 4\)"):
        F.cross_entropy(np.full((2, 3), 1 / 3), np.eye(4)[:2])
    with pytest.raises(ValueError, match=r"one_hot"):
        F.softmax_cross_entropy(np.zeros((2, 3)), np.array([[0, 1]]))


def test_integer_labels_instead_of_one_hot_are_refused():
    with pytest.raises(ValueError, match=r"2-D array .* got shape \(2,\)"):
        F.cross_entropy(np.full((2, 3), 1 / 3), np.array([0, 2]))
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2,\)"):
        SoftmaxCrossEntropy().forward(np.zeros((2, 3)), np.array([0, 2]))


# ---------------------------------------------------------------- the linear softmax classifier


def linear_classifier(rng, n=8, d=5, k=4, reg=0.05):
    """J(W, b) = mean cross-entropy of softmax(XW + b) + reg sum W^2, as notebook 01 trains it."""
    X = rng.standard_normal((n, d))
    T = np.eye(k)[rng.integers(0, k, n)]
    layer = Linear(d, k, rng, weight_scale=0.5)
    layer.params["b"] += rng.standard_normal(k)  # a zero bias would hide a wrong db
    loss_fn = SoftmaxCrossEntropy(guard=0)

    def loss():
        return loss_fn.forward(layer.forward(X), T) + reg * np.sum(layer.params["W"] ** 2)

    def gradients(backward=None):
        loss_fn.forward(layer.forward(X), T)
        layer.backward(loss_fn.backward() if backward is None else backward())
        l2_penalty(layer, reg)
        return layer.grads["W"].copy(), layer.grads["b"].copy()

    return layer, loss_fn, loss, gradients, X, T


@pytest.mark.parametrize("name", ["W", "b"])
def test_classifier_gradient_matches_finite_differences(rng, name):
    layer, _, loss, gradients, _, _ = linear_classifier(rng)
    dW, db = gradients()
    analytic = {"W": dW, "b": db}[name]
    numeric = numerical_gradient(lambda _: loss(), layer.params[name])  # perturbs the parameter in place
    assert rel_error(analytic, numeric) < 1e-7


def test_classifier_gradient_agrees_with_the_closed_form(rng):
    # dJ/dW = X^T (P - T) / N + 2 reg W,  dJ/db = 1^T (P - T) / N
    layer, _, _, gradients, X, T = linear_classifier(rng)
    dW, db = gradients()
    P = F.softmax(X @ layer.params["W"] + layer.params["b"])
    np.testing.assert_allclose(dW, X.T @ (P - T) / len(X) + 2 * 0.05 * layer.params["W"], rtol=1e-12)
    np.testing.assert_allclose(db, (P - T).sum(axis=0) / len(X), rtol=1e-12, atol=1e-15)


def test_gradient_check_catches_a_backward_that_forgets_the_mean(rng):
    layer, loss_fn, loss, gradients, X, T = linear_classifier(rng)

    def forgot_one_over_n():  # (P - T) instead of (P - T) / N
        probs, targets = loss_fn.cache
        return probs - targets

    dW, db = gradients(forgot_one_over_n)
    assert rel_error(dW, numerical_gradient(lambda _: loss(), layer.params["W"])) > 0.1
    assert rel_error(db, numerical_gradient(lambda _: loss(), layer.params["b"])) > 0.1


def test_taylor_test_separates_right_and_wrong_gradients(rng):
    layer, loss_fn, loss, gradients, _, _ = linear_classifier(rng)
    W = layer.params["W"]

    def f(W_new):
        W[...] = W_new
        return loss()

    def grad(W_new, wrong=False):
        W[...] = W_new
        dW, _ = gradients()
        return dW - (2 * 0.05 * W_new if wrong else 0)  # wrong: forgot the L2 term's gradient

    W0 = W.copy()
    eps, zero, first = gradient_test(f, grad, W0.copy(), rng=rng)
    assert taylor_slope(eps, zero) == pytest.approx(1, abs=0.1)
    assert taylor_slope(eps, first) == pytest.approx(2, abs=0.1)
    eps, zero, first = gradient_test(f, lambda w: grad(w, wrong=True), W0.copy(), rng=rng)
    assert taylor_slope(eps, first) == pytest.approx(1, abs=0.1)


def test_softmax_of_int8_scores():
    np.testing.assert_allclose(F.softmax(np.array([[127, -128]], dtype=np.int8)), [[1.0, 0.0]], atol=1e-100)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax, lambda s: F.softmax_cross_entropy(s, np.eye(3)[[0, 2]])[1]])
def test_uint8_scores_give_the_float_answer(fn):
    scores = np.array([[0, 200, 255], [3, 1, 250]], dtype=np.uint8)
    np.testing.assert_allclose(fn(scores), fn(scores.astype(np.float64)), rtol=1e-12)


@pytest.mark.parametrize("probs", [[[2.0, -1.0, 0.5]], [[0.2, np.nan, 0.8]], [[3.0, 1.0, 0.5]]])
def test_cross_entropy_refuses_scores_in_place_of_probabilities(probs):
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*softmax"):
        F.cross_entropy(np.array(probs), np.array([[0.0, 0.0, 1.0]]))
