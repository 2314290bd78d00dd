"""The benchmark's bare-NumPy MLP step makes the same update as helpers' training step.

`make bench` reads the bare step as the floor of NumPy's speed for helpers' step; that is only
fair if the two compute the same thing. No timing here, and no PyTorch needed.
"""
import numpy as np
import pytest

from benchmarks import mlp  # not shipped in the student release (NOT_SHIPPED), like benchmarks/


def run_both(dtype, steps, momentum=mlp.MOMENTUM, reg=mlp.REG):
    """`steps` steps of helpers' step and of the bare step (with this momentum and reg) from the
    same weights: (helpers' losses, bare losses, helpers' params, bare params, initial params)."""
    helpers_step, net, X, y = mlp.helpers_step(dtype, seed=1)
    initial = [net[i].params[k].copy() for i in (0, 2) for k in ("W", "b")]
    params = [p.copy() for p in initial]
    velocity, grads = [np.zeros_like(p) for p in params], [np.empty_like(p) for p in params]
    ours = [helpers_step() for _ in range(steps)]
    bare = [mlp.bare_step(params, velocity, grads, X, y, mlp.LR, momentum, reg) for _ in range(steps)]
    theirs = [net[i].params[k] for i in (0, 2) for k in ("W", "b")]
    return ours, bare, theirs, params, initial


def update_error(params, reference, initial):
    """Largest difference between two runs' total updates, relative to the reference's update."""
    return max(np.abs((p - p0) - (r - p0)).max() / np.abs(r - p0).max()
               for p, r, p0 in zip(params, reference, initial))


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_bare_step_makes_helpers_update(dtype, tol):
    # three steps: the second and third also test the momentum (the first has no velocity yet)
    ours, bare, theirs, params, initial = run_both(dtype, steps=3)
    assert all(p.dtype == dtype for p in params)
    assert np.allclose(bare, ours, rtol=tol, atol=0)
    assert update_error(params, theirs, initial) < tol


@pytest.mark.parametrize("change", [{"momentum": 0.0}, {"reg": 0.0}])
def test_the_comparison_catches_a_step_without_momentum_or_l2(change):
    # a bare step that forgot the momentum or the L2 term moves the weights measurably differently
    _, _, theirs, params, initial = run_both(np.float64, steps=3, **change)
    assert update_error(params, theirs, initial) > 1e-6


def test_the_busy_warning_does_not_count_the_bench_s_own_load(monkeypatch, capsys):
    from benchmarks.__main__ import busy_warning

    monkeypatch.setattr("os.getloadavg", lambda: (2.2, 2.0, 1.5))
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    busy_warning(own_threads=2)  # the end of a run: its own 2-thread processes made that load
    assert capsys.readouterr().out == ""
    busy_warning()  # the start of a run: that load is somebody else's
    assert "WARNING: the machine is busy" in capsys.readouterr().out
