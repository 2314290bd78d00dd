"""Cyclical learning rates (DD2424 Assignment 2's triangular schedule) and their use in fit."""
import numpy as np
import pytest

from helpers.losses import SoftmaxCrossEntropy
from helpers.networks import two_layer_net
from helpers.schedules import cyclical_lr
from helpers.train import SGD, fit


def dd2424_eta(t, eta_min, eta_max, n_s):
    """The course's formula, written out as its two cases (an independent reference)."""
    for cycle in range(t // (2 * n_s) + 1):  # the course's l
        if 2 * cycle * n_s <= t <= (2 * cycle + 1) * n_s:
            return eta_min + (t - 2 * cycle * n_s) / n_s * (eta_max - eta_min)
        if (2 * cycle + 1) * n_s <= t <= 2 * (cycle + 1) * n_s:
            return eta_max - (t - (2 * cycle + 1) * n_s) / n_s * (eta_max - eta_min)
    raise AssertionError("unreachable")


@pytest.mark.parametrize("n_s", [1, 2, 7, 500])
def test_cyclical_lr_matches_the_course_formula(n_s):
    schedule = cyclical_lr(1e-5, 1e-1, n_s)
    steps = range(0, 6 * n_s + 3)
    got = [schedule(t) for t in steps]
    assert got == pytest.approx([dd2424_eta(t, 1e-5, 1e-1, n_s) for t in steps], rel=1e-12, abs=1e-15)


def test_cyclical_lr_turning_points_and_shape():
    schedule = cyclical_lr(1e-5, 1e-1, 500)
    assert schedule(0) == 1e-5 and schedule(1000) == 1e-5 and schedule(2000) == 1e-5
    assert schedule(500) == 1e-1 and schedule(1500) == 1e-1
    assert schedule(250) == pytest.approx((1e-5 + 1e-1) / 2) == schedule(750)
    lrs = schedule(np.arange(2000))
    assert lrs.shape == (2000,) and isinstance(schedule(3), float)
    assert np.all(np.diff(lrs[:501]) > 0) and np.all(np.diff(lrs[500:1001]) < 0)  # up n_s steps, down n_s
    assert np.allclose(lrs[:1000], lrs[1000:])  # periodic with period 2 n_s
    assert lrs.min() >= 1e-5 and lrs.max() <= 1e-1


def test_cyclical_lr_is_not_a_sawtooth():
    """A classic slip: restarting the climb at every half-cycle (phase % n_s) instead of descending."""
    schedule = cyclical_lr(0.0, 1.0, 4)
    assert [schedule(t) for t in range(9)] == pytest.approx([0, 0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25, 0])


@pytest.mark.parametrize("args", [(0.1, 0.1, 10), (0.1, 0.01, 10), (-1e-5, 0.1, 10), (0, np.inf, 10),
                                  (1e-5, 0.1, 0), (1e-5, 0.1, 2.5), (1e-5, 0.1, True), ("1e-5", 0.1, 10)])
def test_cyclical_lr_refuses_bad_arguments(args):
    with pytest.raises(ValueError, match="cyclical_lr"):
        cyclical_lr(*args)


@pytest.mark.parametrize("t", [-1, 2.5, np.array([0, -3])])
def test_cyclical_lr_refuses_bad_steps(t):
    with pytest.raises(ValueError, match="steps"):
        cyclical_lr(1e-5, 0.1, 5)(t)


def test_fit_follows_the_cycle_step_by_step(rng):
    X, y = rng.standard_normal((30, 4)), rng.integers(0, 3, 30)
    seen = []

    class Spy(SGD):
        def step(self, model):
            seen.append(self.lr)
            super().step(model)

    schedule = cyclical_lr(1e-3, 1e-1, 3)  # 10 images a batch: 3 steps an epoch, one cycle = 2 epochs
    fit(two_layer_net(4, 5, 3, np.random.default_rng(0)), SoftmaxCrossEntropy(), X, y, epochs=4, batch_size=10,
        optimizer=Spy(0.5), rng=np.random.default_rng(1), lr_schedule=schedule, verbose=False)
    assert seen == pytest.approx([dd2424_eta(t, 1e-3, 1e-1, 3) for t in range(12)])
