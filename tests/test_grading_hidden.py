"""Grading tests kept beside the public ones: `make check` and `make grade` run them here, the
student release does not ship them (`pytestmark = pytest.mark.hidden`). Other inputs than the
public tests', so that code fitted to the public tests alone does not earn the points."""
import numpy as np
import pytest

from helpers import functional as F
from helpers.layers import Linear, ReLU

pytestmark = pytest.mark.hidden


@pytest.mark.exercise("softmax")
def test_softmax_of_huge_scores_is_finite_and_sums_to_one():
    scores = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -1002.0]])
    probs = F.softmax(scores)
    assert np.isfinite(probs).all(), f"probs has inf or nan for scores of magnitude 1000: {probs}"
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12, err_msg="probs rows do not sum to 1")
    np.testing.assert_allclose(probs[0], np.exp([-1.0, 0.0, -2.0]) / np.exp([-1.0, 0.0, -2.0]).sum(), rtol=1e-12)


@pytest.mark.exercise("Linear.forward")
def test_linear_forward_on_a_single_row():
    layer = Linear(3, 2, rng=np.random.default_rng(1))
    x = np.array([[1.0, -2.0, 0.5]])
    y = layer.forward(x)
    np.testing.assert_allclose(y, x @ layer.params["W"] + layer.params["b"], rtol=1e-12, err_msg="y is wrong")


@pytest.mark.exercise("ReLU.backward")
def test_relu_backward_passes_no_gradient_through_zero_inputs():
    relu = ReLU()
    relu.forward(np.array([[-1.0, 0.0, 2.0]]))
    dx = relu.backward(np.array([[5.0, 5.0, 5.0]]))
    np.testing.assert_array_equal(dx, [[0.0, 0.0, 5.0]], err_msg="dx is wrong")
