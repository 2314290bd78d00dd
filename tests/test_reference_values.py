"""The course's reference values for the sigmoid and ReLU layers (notebook 03 shows the same).

The course prints 8 to 9 significant digits; the tests compare to 1e-7 relative (1e-8 absolute),
which is what those digits resolve, and the ReLU values exactly.
"""
import numpy as np
import pytest

from helpers.layers import ReLU, Sigmoid

X1 = np.array([[3.0, -10.0, 0.7]])
X3 = np.array([[3.0, -10.0, 0.7], [9.0, 15.0, -1.0], [-5.0, 1.0, -1.0]])

SIGMOID_FORWARD_1 = [[9.52574127e-01, 4.53978687e-05, 6.68187772e-01]]
SIGMOID_BACKWARD_1 = [[0.13552998, -0.00045396, 0.15519901]]  # dout = X1
SIGMOID_FORWARD_3 = [[9.52574127e-01, 4.53978687e-05, 6.68187772e-01],
                     [9.99876605e-01, 9.99999694e-01, 2.68941421e-01],
                     [6.69285092e-03, 7.31058579e-01, 2.68941421e-01]]
SIGMOID_BACKWARD_3 = [[1.35529979e-01, -4.53958077e-04, 1.55199011e-01],  # dout = X3
                      [1.11041415e-03, 4.58853200e-06, -1.96611933e-01],
                      [-3.32402834e-02, 1.96611933e-01, -1.96611933e-01]]
RELU_FORWARD_3 = [[3, 0, 0.7], [9, 15, 0], [0, 1, 0]]
RELU_DOUT_3 = np.array([[3.0, 5.0, -10.0], [5.0, -4.0, 2.0], [-3.0, -5.0, 3.0]])
RELU_BACKWARD_3 = [[3, 0, -10], [5, -4, 0], [0, -5, 0]]


@pytest.mark.parametrize("x, forward", [(X1, SIGMOID_FORWARD_1), (X3, SIGMOID_FORWARD_3)], ids=["1 row", "3 rows"])
def test_sigmoid_forward_reference(x, forward):
    np.testing.assert_allclose(Sigmoid().forward(x), forward, rtol=1e-7, atol=1e-8,
                               err_msg="y (Sigmoid forward) differs from the course's reference")


@pytest.mark.exercise("layers.Sigmoid.backward")
@pytest.mark.parametrize("x, backward", [(X1, SIGMOID_BACKWARD_1), (X3, SIGMOID_BACKWARD_3)], ids=["1 row", "3 rows"])
def test_sigmoid_backward_reference(x, backward):
    layer = Sigmoid()
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(x.copy()), backward, rtol=1e-7, atol=1e-8,
                               err_msg="dx (Sigmoid backward) differs from the course's reference")


def test_relu_forward_reference():
    assert np.array_equal(ReLU().forward(X3), RELU_FORWARD_3), "y (ReLU forward) differs from the course's reference"


@pytest.mark.exercise("ReLU.backward")
def test_relu_backward_reference():
    layer = ReLU()
    layer.forward(X3)
    dx = layer.backward(RELU_DOUT_3.copy())
    assert np.array_equal(dx, RELU_BACKWARD_3), f"dx (ReLU backward) differs from the course's reference: {dx.tolist()}"


def test_the_reference_check_can_fail():
    """A sigmoid backward that forgets the factor (1 - y) misses the reference: the tolerance
    is tight enough to catch a wrong layer."""
    y = Sigmoid().forward(X3)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(X3 * y, SIGMOID_BACKWARD_3, rtol=1e-7, atol=1e-8)
    with pytest.raises(AssertionError):  # a ReLU backward that passes dout through unmasked
        assert np.array_equal(RELU_DOUT_3, RELU_BACKWARD_3)
