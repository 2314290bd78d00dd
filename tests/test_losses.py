"""helpers.losses: SoftmaxCrossEntropy (exact and the course's guarded loss), L2Loss, l2_penalty."""
import numpy as np
import pytest

import helpers.functional as F
from helpers.gradcheck import numerical_gradient
from helpers.losses import CourseSoftmaxCrossEntropy, L2Loss, SoftmaxCrossEntropy


def test_l2_loss_of_uint8_images_does_not_wrap():
    y, t = np.zeros((1, 1, 1, 1), dtype=np.uint8), np.full((1, 1, 1, 1), 255, dtype=np.uint8)
    loss = L2Loss()
    assert loss.forward(y, t) == 0.5 * 255**2
    assert loss.backward()[0, 0, 0, 0] == -255.0


def test_softmax_cross_entropy_layer_of_uint8_scores_is_finite():
    scores = np.array([[0, 200, 255]], dtype=np.uint8)
    exact = 255 + np.log1p(np.exp(-55) + np.exp(-255))
    assert SoftmaxCrossEntropy().forward(scores, np.eye(3)[[0]]) == pytest.approx(exact)


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


def test_loss_caches_do_not_follow_the_callers_arrays(rng):
    y, t = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    for loss, targets in ((L2Loss(), t), (SoftmaxCrossEntropy(), np.eye(2)[[0, 1, 1]])):
        loss.forward(y, targets)
        expected = loss.backward()
        targets[...] = 7
        np.testing.assert_allclose(loss.backward(), expected, rtol=1e-14)
