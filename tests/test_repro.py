"""helpers.repro: banded figures and model choices that a near-tie cannot flip."""
import re
from pathlib import Path

import numpy as np
import pytest
from nbval.plugin import get_sanitize_patterns

from helpers.repro import BANDED_MARK, banded, choose_within_noise, standard_error

SANITIZE = Path(__file__).resolve().parent.parent / "notebooks" / "nbval_sanitize.cfg"


def sanitize(text):
    """Apply notebooks/nbval_sanitize.cfg with nbval's own parser."""
    for regex, replace in get_sanitize_patterns(SANITIZE.read_text(encoding="ascii")):
        text = re.sub(regex, replace, text)
    return text


def test_banded_formats_inside_the_band_and_marks_the_digits():
    assert banded(0.3588, 0.34, 0.37) == BANDED_MARK + "35.9%"
    assert banded(0.2273, 0.2, 0.25, "{:.4f}") == BANDED_MARK + "0.2273"


@pytest.mark.parametrize("value", [0.33, 0.38, float("nan"), float("inf")])
def test_banded_fails_outside_the_band_and_names_the_quantity(value):
    with pytest.raises(AssertionError, match=r"scikit-learn test accuracy = .* outside its expected band"):
        banded(value, 0.34, 0.37, what="scikit-learn test accuracy")


def test_banded_rejects_an_empty_band():
    with pytest.raises(ValueError, match="low <= high"):
        banded(0.5, 0.6, 0.4)


def test_sanitizer_masks_only_banded_digits():
    line = f"ours 92.46%   sklearn {banded(0.926, 0.9, 0.95, '{:.2%}')}   J {banded(0.2273, 0.2, 0.3, '{:.4f}')}"
    other = line.replace("92.60%", "92.58%").replace("0.2273", "0.2281")
    assert sanitize(line) == sanitize(other)  # round-off inside the band: not a difference
    assert sanitize(line) != sanitize(line.replace("92.46%", "92.47%"))  # unmarked figures still compared
    assert "92.46%" in sanitize(line)


def test_standard_error_of_an_accuracy():
    assert standard_error(0.5, 100) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="n >= 1"):
        standard_error(0.5, 0)


def test_choose_within_noise_prefers_the_conservative_setting_among_ties():
    scores = np.array([[0.9148, 0.9150, 0.9128, 0.9016]])  # lr 1, lambda 1e-5 ... 1e-2, on 10 000 images
    prefer = np.log10([[1e-5, 1e-4, 1e-3, 1e-2]])
    assert choose_within_noise(scores, 10_000, prefer) == (0, 2)  # 0.22 points below the best: a tie
    assert choose_within_noise(scores[0], 10_000, prefer[0]) == 2  # 1-D grids give an int
    # with 100x the data the standard error shrinks 10x and only the best one is left
    assert choose_within_noise(scores, 1_000_000, prefer) == (0, 1)


def test_choose_within_noise_does_not_depend_on_the_order_of_a_near_tie():
    prefer = np.array([0.0, 1.0, 2.0])  # e.g. log10 of the weight decay
    a, b = np.array([0.9150, 0.9148, 0.9016]), np.array([0.9148, 0.9150, 0.9016])  # the same tie, swapped
    assert int(np.argmax(a)) != int(np.argmax(b))  # arg-max flips with round-off
    assert choose_within_noise(a, 10_000, prefer) == choose_within_noise(b, 10_000, prefer) == 1


def test_choose_within_noise_refuses_bad_input():
    with pytest.raises(ValueError, match="non-finite"):
        choose_within_noise([0.9, np.nan], 100, [0, 1])
    with pytest.raises(ValueError, match="one non-empty shape"):
        choose_within_noise([0.9, 0.8], 100, [0, 1, 2])


def test_choose_within_noise_refuses_scores_in_percent():
    # 87 and 86 (percent) gave sqrt of a negative number: a NumPy warning and a choice by `prefer` alone
    with pytest.raises(ValueError, match=r"fractions in \[0, 1\], got scores in \[86, 87\]; percentages\? divide"):
        choose_within_noise([87.0, 86.0], 1000, prefer=[0, 1])
    assert choose_within_noise([0.87, 0.86], 10000, prefer=[0, 1]) == 0  # as fractions: 0.86 is 3 SE below
