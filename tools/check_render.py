"""Rendering the checker's verdicts: the report printed per file and exercise, and its JSON."""
import json
from pathlib import Path

from tools.verdicts import DOUBT, LEGEND, NOT_CHECKED, NOTEBOOK, PASSED, TODO, UNTESTED, WAITING, WRONG

COLOUR = {PASSED: "green", TODO: "yellow", WRONG: "red", WAITING: "yellow", UNTESTED: "purple", NOTEBOOK: "cyan",
          DOUBT: "red", NOT_CHECKED: "red"}  # fmt: skip


def _counts(rows):
    counts = {}
    for _, status, *_ in rows:
        counts[status] = counts.get(status, 0) + 1
    return counts


def write_report(tr, rows, others, not_collected, shown, why_fewer=None, legend=True):
    """Print `shown` (a subset of `rows`) grouped by file, the failing tests put on no exercise,
    the modules that could not load, the counts and (with `legend`) what the statuses mean."""
    tr.write_sep("=", f"exercises ({len(rows)})")
    for file in dict.fromkeys(ex.file for ex, *_ in shown):
        mine = [row for row in shown if row[0].file == file]
        tr.write_line(file, bold=True)
        width = max(len(ex.name) for ex, *_ in mine)
        for ex, status, detail, _ in mine:
            tr.write(f"  {status:20s}", **{COLOUR[status]: True, "bold": True})
            where = f"line {ex.line}" + (f" of cell {ex.cell}" if ex.cell >= 0 else "")
            tr.write_line(f" {ex.name:{width}s}  {where}")
            if status != PASSED:
                tr.write_line(f"  {'':20s}   {detail}")
    for nodeid, detail in others:
        tr.write_line(f"{'also failing':20s} {nodeid}: {detail}", red=True)
    for nodeid, detail in not_collected:
        tr.write_line(f"{'could not load':20s} {nodeid}: {detail}", red=True)
    counts = _counts(shown)
    if len(shown) < len(rows):
        counts[f"not run ({why_fewer})" if why_fewer else "not shown"] = len(rows) - len(shown)
    tr.write_line(", ".join(f"{n} {s}" for s, n in counts.items()) + f" (of {len(rows)} exercises)", bold=True)
    if legend:
        seen = set(counts) | ({"also failing"} if others else set()) | ({"could not load"} if not_collected else set())
        tr.write_line("what the statuses mean:")
        for status, meaning in LEGEND.items():
            if status in seen:
                tr.write_line(f"  {status:20s} {meaning}")


def write_json(path, rows, others, not_collected, points=None):
    """The report as JSON: every exercise (name, file, status, detail, tests), the failing tests
    put on no exercise and the modules that could not load."""
    data = {
        "exercises": [
            {"name": ex.name, "file": ex.file, "status": s, "detail": d, "tests": t} for ex, s, d, t in rows
        ],
        "also_failing": [{"test": i, "detail": d} for i, d in others],
        "not_collected": [{"test": i, "detail": d} for i, d in not_collected],
    }
    Path(path).write_text(json.dumps(data, indent=1) + "\n")
