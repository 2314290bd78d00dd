"""Learning-rate schedules: functions step -> lr for `fit(..., lr_schedule=...)`.

Cyclical learning rates (Smith, 2017), in the triangular form of KTH DD2424's Assignment 2: the
rate climbs linearly from eta_min to eta_max in n_s update steps (a half-cycle), falls back to
eta_min in the next n_s, and repeats. With l = 0, 1, 2, ... counting cycles,

    eta_t = eta_min + (t - 2 l n_s) / n_s (eta_max - eta_min)        for 2 l n_s <= t <= (2 l + 1) n_s
    eta_t = eta_max - (t - (2 l + 1) n_s) / n_s (eta_max - eta_min)  for (2 l + 1) n_s <= t <= 2 (l + 1) n_s

so eta_t = eta_min at t = 0, 2 n_s, 4 n_s, ... and eta_max at t = n_s, 3 n_s, ...
"""
import numpy as np

from .checks import is_int, is_real


def cyclical_lr(eta_min, eta_max, n_s):
    """The triangular cyclical schedule: a function t -> eta_t (the formula in the module docstring).

    eta_min, eta_max: the lowest and highest rate, 0 <= eta_min < eta_max (DD2424: 1e-5 and 1e-1).
    n_s: the half-cycle, a whole number of update steps >= 1 (DD2424: 500 with 10,000 images and
    batches of 100, i.e. 5 epochs). One cycle is 2 n_s steps; train a whole number of cycles.
    The returned function takes a step t >= 0 (an int or an integer array) and returns a float
    (or a float array of t's shape).
    """
    ok_range = (is_real(eta_min) and is_real(eta_max) and np.isfinite(eta_min) and np.isfinite(eta_max)
                and 0 <= eta_min < eta_max)
    if not ok_range:
        raise ValueError(f"cyclical_lr needs finite rates 0 <= eta_min < eta_max, got eta_min={eta_min!r}, "
                         f"eta_max={eta_max!r}; DD2424 uses eta_min=1e-5, eta_max=1e-1")
    if not (is_int(n_s) and n_s >= 1):
        raise ValueError(f"cyclical_lr needs a half-cycle n_s of a whole number of steps >= 1, got {n_s!r}")
    eta_min, eta_max, n_s = float(eta_min), float(eta_max), int(n_s)

    def schedule(t):
        t = np.asarray(t)
        if not np.issubdtype(t.dtype, np.integer) or np.any(t < 0):
            raise ValueError(f"a learning-rate schedule takes update steps t = 0, 1, 2, ..., got {t!r}")
        phase = t % (2 * n_s)  # t - 2 l n_s, the position inside the current cycle
        rising = phase <= n_s
        fraction = np.where(rising, phase, 2 * n_s - phase) / n_s  # 0 at eta_min, 1 at eta_max
        eta = eta_min + fraction * (eta_max - eta_min)
        return float(eta) if eta.ndim == 0 else eta

    schedule.eta_min, schedule.eta_max, schedule.n_s = eta_min, eta_max, n_s
    schedule.__name__ = f"cyclical_lr(eta_min={eta_min:g}, eta_max={eta_max:g}, n_s={n_s})"
    return schedule
