"""The course's small 2-D/5-D classification sets (Peaks, GMM, SwissRoll) in its .mat format.

The .mat format is column-major: Yt (features, n) training points, Ct (classes, n) one-hot,
Yv / Cv the validation set. `load_course_data` converts to rows-are-samples once, here.
"""
from pathlib import Path

import numpy as np
import scipy.io

from .download import data_dir

COURSE_SETS = ("Peaks", "GMM", "SwissRoll")


def load_course_data(name, root=None):
    """Read {name}Data.mat. Returns X_train (n, d), y_train (n,), X_val, y_val (labels int64).

    name: 'Peaks', 'GMM' or 'SwissRoll'. The file is looked up in the data folder; an
    instructor can drop the original course files there in place of the generated ones.
    """
    if name not in COURSE_SETS:
        raise ValueError(f"course data set must be one of {COURSE_SETS}, got {name!r}")
    path = Path(root if root is not None else data_dir()) / f"{name}Data.mat"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found; the repository commits it (git checkout data/{path.name}) "
            f"or `make data` regenerates it"
        )
    m = scipy.io.loadmat(path)
    missing = [k for k in ("Yt", "Ct", "Yv", "Cv") if k not in m]
    if missing:
        raise ValueError(f"{path} lacks the course keys {missing} (expected Yt, Ct, Yv, Cv)")
    Xt, Ct, Xv, Cv = (np.asarray(m[k], dtype=np.float64) for k in ("Yt", "Ct", "Yv", "Cv"))
    if Xt.shape[1] != Ct.shape[1] or Xv.shape[1] != Cv.shape[1]:
        raise ValueError(f"{path}: Yt/Ct or Yv/Cv disagree on the number of points")
    return Xt.T, Ct.argmax(axis=0).astype(np.int64), Xv.T, Cv.argmax(axis=0).astype(np.int64)


def ensure_course_data(root=None):
    """Make sure Peaks/GMM/SwissRoll .mat files exist in the data folder (generated if missing)."""
    root = Path(root if root is not None else data_dir())
    for name in COURSE_SETS:
        path = root / f"{name}Data.mat"
        print(f"{name:9s} {'in place' if path.is_file() else 'MISSING'}: {path}")
