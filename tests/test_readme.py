"""The README's results table cannot drift from the notebooks.

Every figure in a row of the README's results table must be printed in the stored outputs of the
notebook that row names (nbval, in turn, proves that a re-run prints the same). A re-run that
changes a result therefore fails here until the README says the same.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A figure as the README writes it: 92.46%, 0.5 pt, 4.1e-5, 2.1e-04 (not counts such as 50k or 4500).
NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+(?:e[-+]?\d+)?)(?=%|\b)")


def results_rows(readme=ROOT / "README.md"):
    """[(notebook number, row text)] for the rows of the table under '## Results'."""
    text = readme.read_text(encoding="utf-8")
    section = text.split("\n## Results", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"\|\s*\d\d[b-z]?\s*\|", line)]
    return [(line.split("|")[1].strip(), line) for line in rows]


def printed_numbers(notebook):
    """Every decimal figure in the notebook's stored text outputs, as printed (strings)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = []
    for cell in cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                text.append("".join(out["text"]))
            elif "text/plain" in out.get("data", {}):
                text.append("".join(out["data"]["text/plain"]))
    return re.findall(r"(?<![\w.])\d+\.\d+(?:e[-+]?\d+)?", "\n".join(text))


def _parts(figure):
    """'4.1e-05' -> ('4.1', -5); '92.46' -> ('92.46', 0)."""
    mantissa, _, exponent = figure.partition("e")
    return mantissa, int(exponent or 0)


def matches(figure, printed):
    """figure is printed as it is written: the same digits, the same number of decimals (only an
    exponent may be written differently, 4.1e-5 for 4.1e-05)."""
    return _parts(figure) in {_parts(p) for p in printed}


def test_readme_has_a_results_row_for_every_notebook_with_results():
    rows = results_rows()
    assert len(rows) >= 6, "the README's results table is missing or was reformatted"
    assert {nb for nb, _ in rows} >= {"01", "04", "05", "06"}


@pytest.mark.parametrize("notebook_number, row", results_rows(), ids=lambda v: v if len(v) <= 3 else "")
def test_every_readme_figure_is_printed_by_its_notebook(notebook_number, row):
    (notebook,) = sorted((ROOT / "notebooks").glob(f"{notebook_number}_*.ipynb"))
    printed = printed_numbers(notebook)
    cells = row.split("|")[3:]  # the model, result and reference columns (not the data sizes)
    figures = [f for cell in cells for f in NUMBER.findall(cell)]
    assert figures, f"README row without figures: {row}"
    missing = [f for f in figures if not matches(f, printed)]
    assert not missing, (f"README figures {missing} are not printed by {notebook.name}: re-run the "
                         f"notebook (make run) and copy its results into the README. Row: {row}")


def test_the_check_catches_a_changed_figure():
    printed = ["92.46", "35.75", "4.1e-05", "97.4", "-0.06"]
    assert matches("92.46", printed) and matches("4.1e-5", printed) and matches("35.75", printed)
    assert not matches("92.47", printed) and not matches("4.2e-5", printed) and not matches("35.8", printed)
    assert not matches("97.40", printed)  # printed with fewer decimals: not the README's figure
