"""Figures that repeat on any machine: the two rules the notebooks' printed outputs follow.

nbval re-executes every notebook and compares what it prints, character by character, with the
stored output. So a printed figure must not depend on rounding, which differs between BLAS kernels
(each CPU picks its own), thread counts and library versions:

* training whose figures are printed runs in float64, where those differences stay far below the
  printed digits, and model choices use `choose_within_noise`, which does not flip on a near-tie;
* a figure that does move with rounding (a library's iterative solver, a float32 run) is asserted
  in a band and printed through `banded` (or `Claims.band`). Its digits carry the mark "≈", and
  `notebooks/nbval_sanitize.cfg` masks exactly the digits that follow that mark, nothing else.

And a sentence about a result is a `Claims` call: printed from the variables it is about, with the
comparison asserted in the same cell, so the prose cannot drift from the figures it cites.
"""
import math

import numpy as np

BANDED_MARK = "≈"


def banded(value, low, high, fmt="{:.1%}", what="value"):
    """Assert low <= value <= high, then return the value formatted as "≈" + fmt.format(value).

    Raises AssertionError naming `what`, the value and the band when the value lies outside it
    (or is not finite): a result that left its band is a changed result, not round-off.
    """
    if not low <= high:
        raise ValueError(f"banded needs low <= high, got [{low}, {high}]")
    value = float(value)
    if not (math.isfinite(value) and low <= value <= high):
        raise AssertionError(
            f"{what} = {value!r} is outside its expected band [{low}, {high}]. If only the machine "
            "changed, the band is too narrow for how much round-off moves this figure; otherwise the "
            "data, the code or the settings changed the result: check which, then re-derive the band")
    return BANDED_MARK + fmt.format(value)


def standard_error(acc, n):
    """Standard error of an accuracy acc measured on n independent samples: sqrt(acc (1 - acc) / n)."""
    if n < 1:
        raise ValueError(f"standard_error needs n >= 1 samples, got {n}")
    acc = np.asarray(acc, dtype=np.float64)
    return np.sqrt(acc * (1 - acc) / n)


def choose_within_noise(scores, n_eval, prefer):
    """The one-standard-error rule: a model choice that a near-tie cannot flip.

    scores: accuracies of the settings of a grid (any shape), fractions in [0, 1], each measured on
    n_eval samples.
    prefer: an array of the same shape, larger = preferred when scores tie (e.g. the stronger weight
    decay or the smaller step: the more conservative setting).

    Candidates are the settings whose score is within one standard error of the best one,
    score >= max - SE(max); among them the one with the largest `prefer` wins (the first in C order
    on a tie of `prefer` too). Returns the index as a tuple (an int for a 1-D grid).
    """
    scores = np.asarray(scores, dtype=np.float64)
    prefer = np.asarray(prefer, dtype=np.float64)
    if scores.shape != prefer.shape or scores.size == 0:
        raise ValueError(f"choose_within_noise needs scores and prefer of one non-empty shape, "
                         f"got {scores.shape} and {prefer.shape}")
    if not np.all(np.isfinite(scores)):
        raise ValueError("choose_within_noise got a non-finite score: a run diverged; drop it or fix it first")
    if scores.min() < 0 or scores.max() > 1:
        raise ValueError(f"choose_within_noise expects accuracies as fractions in [0, 1], got scores in "
                         f"[{scores.min():g}, {scores.max():g}]; percentages? divide them by 100")
    best = scores.max()
    candidates = scores >= best - standard_error(best, n_eval)
    flat = int(np.argmax(np.where(candidates, prefer, -np.inf)))
    index = np.unravel_index(flat, scores.shape)
    return int(index[0]) if scores.ndim == 1 else tuple(int(i) for i in index)


class Claims:
    """The statements a lesson makes about its own run, asserted where they are printed.

    Every comparative or quantitative sentence about a result ("A beats B by 5 points", "the worst
    on every set") is printed from the variables it is about, through a Claims object, so nbval
    compares the sentence itself and a re-run that no longer supports it stops the notebook:

        claim = Claims(CHECK_CLAIMS)           # CHECK_CLAIMS: a parameter, True for the stored run
        print(claim(mlp_acc > lin_acc + 0.04,
                    f"The MLP beats the linear model by {100 * (mlp_acc - lin_acc):.1f} points."))
        print("test accuracy", claim.band(acc, 0.978, 0.984, "{:.2%}", "MLP test accuracy"))

    check=False (a run at other sizes, where the stored run's figures need not hold) asserts
    nothing; a sentence whose condition is false is then printed marked "[not in this run]"
    rather than as if it held.
    """

    NOT_HELD = "[not in this run] "

    def __init__(self, check=True):
        if not isinstance(check, (bool, np.bool_)):
            raise TypeError(f"Claims(check) expects True or False (the CHECK_CLAIMS parameter), "
                            f"got {check!r}")
        self.check = bool(check)

    def __call__(self, condition, sentence):
        """Return `sentence` if `condition` holds; raise AssertionError naming it if not (when checking).

        condition: a Python or NumPy bool. A comparison involving NaN is False, so a diverged run
        can never be reported as holding.
        """
        if not isinstance(condition, (bool, np.bool_)):
            raise TypeError(f"a claim's condition must be a bool (one comparison, or np.all(...) of "
                            f"many), got {type(condition).__name__}: {condition!r}")
        if condition:
            return sentence
        if self.check:
            raise AssertionError(f"the lesson's claim no longer holds: {sentence!r}. Re-read the "
                                 "outputs above: the text around them must change with them")
        return self.NOT_HELD + sentence

    def band(self, value, low, high, fmt="{:.1%}", what="value"):
        """banded(value, low, high, fmt, what) when checking; otherwise the ≈ figure, unasserted."""
        if self.check:
            return banded(value, low, high, fmt, what)
        return BANDED_MARK + fmt.format(float(value))
