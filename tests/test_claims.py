"""Every sentence true: a number in a lesson's prose is one the lesson declares or prints.

A quantitative statement about a result is either printed by code (a `helpers.repro.Claims` call,
which nbval then regresses) or written in markdown, and then every figure in it must be
- a declared constant: a number written in a code cell of the same notebook (a parameter, a
  hyper-parameter, a course's reference value), compared by value (0.03 matches 3e-2, 30% matches
  0.3), or
- printed in an output of the same notebook, digit for digit (92.4% does not match a printed 92.39%:
  quote the figure at the precision the notebook prints it, or print it at the precision quoted).
The README's Results section (its prose; the table is tests/test_readme.py's) is checked the same way
against every notebook.

Not checked: small counts (integers up to 12: "3 seeds", "two layers"), years, lesson numbers (01,
04b), numbers inside LaTeX math, inline code and links. Those are definitions or references, not
results.
"""
import json
import re
from pathlib import Path

import pytest

from helpers.repro import Claims

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))

_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\\\[.*?\\\]|\\\(.*?\\\)|\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_LINK = re.compile(r"\]\([^)]*\)|https?://\S+|<[^>\n]+>")
# a figure in prose: 1,035 or 30 720 (thousands), 92.39, 4.1e-5, 1e-3, 17; an optional % after it
_FIGURE = re.compile(r"(?<![\w.\-/])(\d{1,3}(?:[,\u202f\u2009 ]\d{3})+(?!\d)|\d+\.\d+(?:e[-+]?\d+)?|\d+(?:e[-+]?\d+)?)"
                     r"(?![\w]|\.\d)(\s?%)?")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def _plain(token):
    return re.sub(r"[,\u202f\u2009 ]", "", token)


def prose_figures(markdown):
    """[(figure as written, is_percent, context)] for the figures of a markdown text that need a source."""
    text = _LINK.sub(" ", _MATH.sub(" ", _CODE.sub(" ", markdown)))
    found = []
    for m in _FIGURE.finditer(text):
        token, percent = _plain(m.group(1)), bool(m.group(2))
        if re.fullmatch(r"\d+", token) and not percent:
            value = int(token)
            if value <= 12 or 1900 <= value <= 2099 or re.fullmatch(r"0\d", m.group(1)):
                continue
        found.append((token, percent, text[max(0, m.start() - 50):m.end() + 25].replace("\n", " ")))
    return found


def sources(cells):
    """(numbers printed in the outputs, as strings; values written in the code) of notebook cells."""
    printed, values = set(), set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        code = "".join(cell["source"])
        for token in _NUMBER.findall(code.replace("_", "")):
            values.add(float(token))
        for out in cell.get("outputs", []):
            texts = ["".join(out.get("text", ""))]
            texts += ["".join(out.get("data", {}).get(kind, "")) for kind in ("text/plain", "text/markdown")]
            for text in texts:
                printed |= set(_NUMBER.findall(text)) | set(_NUMBER.findall(_plain(text)))
    return printed, values


def unsourced(figures, printed, values):
    bad = []
    for token, percent, context in figures:
        if token in printed:
            continue
        value = float(token)
        if value in values or (percent and any(abs(value / 100 - v) < 1e-12 for v in values)):
            continue
        bad.append(f"{token}{'%' if percent else ''}   in: ...{context}...")
    return bad


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_in_the_prose_is_declared_or_printed(path):
    cells = _cells(path)
    printed, values = sources(cells)
    bad = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            bad += [f"cell {index}: {b}" for b in unsourced(prose_figures("".join(cell["source"])), printed, values)]
    assert not bad, (f"{path.name}: figures in the prose that the notebook neither declares in code nor "
                     "prints (quote them as printed, print them, or say it without a number):\n  "
                     + "\n  ".join(bad))


def test_the_readme_results_prose_quotes_only_printed_figures():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Results", 1)[1].split("\n## ", 1)[0]
    prose = "\n".join(line for line in section.splitlines() if not line.lstrip().startswith("|"))
    printed, values = set(), set()
    for path in NOTEBOOKS:
        p, v = sources(_cells(path))
        printed |= p
        values |= v
    bad = unsourced(prose_figures(prose), printed, values)
    assert not bad, "README Results prose: figures no notebook prints or declares:\n  " + "\n  ".join(bad)


# The checker itself must be able to fail (and not on what it should accept).
def test_the_figure_rule_flags_a_stale_figure_and_accepts_printed_and_declared_ones():
    cells = [{"cell_type": "code", "source": "LR = 0.03\nEPOCHS = 40\n",
              "outputs": [{"output_type": "stream", "text": "test accuracy 97.41%\n1,035 steps\n"}]}]
    printed, values = sources(cells)
    ok = "The MLP reaches 97.41% after 1,035 steps at a rate of 0.03 (3% of ...) for 40 epochs, $10^{-7}$, `x = 123.4`."
    assert unsourced(prose_figures(ok), printed, values) == []
    stale = "The MLP reaches 98.02%, about 97.4%, in 528 steps."
    assert [b.split()[0] for b in unsourced(prose_figures(stale), printed, values)] == ["98.02%", "97.4%", "528"]


def test_every_parameters_cell_can_relax_its_claims():
    """CHECK_CLAIMS is a parameter of every lesson, and every Claims object is built from it."""
    for path in NOTEBOOKS:
        cells = _cells(path)
        params = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert params and re.search(r"^CHECK_CLAIMS\s*=\s*True\b", "".join(params[0]["source"]), re.M), \
            f"{path.name}: its parameters cell must declare CHECK_CLAIMS = True"
        for cell in cells:
            code = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
            for args in re.findall(r"\bClaims\(([^)]*)\)", code):
                assert args.strip() == "CHECK_CLAIMS", f"{path.name}: Claims({args}) ignores CHECK_CLAIMS"


def test_claims_assert_what_they_print():
    claim = Claims(True)
    assert claim(True, "A beats B.") == "A beats B."
    with pytest.raises(AssertionError, match="A beats B"):
        claim(False, "A beats B.")
    with pytest.raises(AssertionError):
        claim(float("nan") > 0.5, "a NaN never holds")
    with pytest.raises(TypeError, match="bool"):
        claim([True, False], "ambiguous")
    with pytest.raises(AssertionError, match="accuracy"):
        claim.band(0.5, 0.9, 1.0, what="accuracy")
    assert claim.band(0.95, 0.9, 1.0) == "≈95.0%"


def test_relaxed_claims_never_print_a_false_sentence_as_true():
    relaxed = Claims(False)
    assert relaxed(False, "A beats B.") == Claims.NOT_HELD + "A beats B."
    assert relaxed(True, "A beats B.") == "A beats B."
    assert relaxed.band(0.5, 0.9, 1.0) == "≈50.0%"
    with pytest.raises(TypeError):
        Claims("yes")
