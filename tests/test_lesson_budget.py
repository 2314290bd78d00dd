"""A lesson per sitting: every notebook within the reading budget of the style guide.

A core lesson (NN_name.ipynb) tells one story; a course's protocol or a deep dive lives in a
companion beside it (NNb_name.ipynb, NNc_...), which says in its first cell which lesson it follows
and what it adds. Every notebook, core or companion, stays within about 2,500 words of prose and
40 cells, so a student can finish it in one sitting.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))
MAX_WORDS, MAX_CELLS = 2500, 40
CORE = re.compile(r"(\d\d)_")
COMPANION = re.compile(r"(\d\d)([b-z])_")


def prose_words(cells):
    return sum(len(re.findall(r"\S+", "".join(c["source"]))) for c in cells if c["cell_type"] == "markdown")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_the_series_has_its_six_core_lessons():
    cores = [p.name[:2] for p in NOTEBOOKS if CORE.match(p.name)]
    assert cores == ["01", "02", "03", "04", "05", "06"]
    for p in NOTEBOOKS:
        assert CORE.match(p.name) or COMPANION.match(p.name), f"{p.name}: name it NN_name or NNb_name"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_is_one_sitting(path):
    cells = _cells(path)
    words = prose_words(cells)
    assert len(cells) <= MAX_CELLS, f"{path.name}: {len(cells)} cells (at most {MAX_CELLS}): move a part to a companion"
    assert words <= MAX_WORDS, f"{path.name}: {words} words of prose (at most {MAX_WORDS}): move a part to a companion"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if COMPANION.match(p.name)], ids=lambda p: p.stem)
def test_a_companion_says_which_lesson_it_follows(path):
    number = COMPANION.match(path.name).group(1)
    (core,) = [p for p in NOTEBOOKS if p.name.startswith(number + "_")]
    first = "".join(_cells(path)[0]["source"])
    assert core.name in first, f"{path.name}: its first cell must link the lesson it follows ({core.name})"


def test_the_budget_counts_what_it_says():
    cells = [{"cell_type": "markdown", "source": ["# Title\n", "two words"]},
             {"cell_type": "code", "source": "x = 1 2 3"}]
    assert prose_words(cells) == 4
