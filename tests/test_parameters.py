"""`make run P="-p NAME VALUE"`: a notebook's cell tagged `parameters`, overridden with papermill.

Each notebook keeps its data sizes, epochs and seeds in one cell tagged `parameters` (papermill's
convention). `make run` without P executes the notebooks in place, as always (the stored outputs
are that default run); with P, papermill injects the overrides after that cell and writes the
executed copy to RUN_OUT (build/runs), never into notebooks/.
"""
import ast
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CHEAP = NOTEBOOKS / "02_scalar_backprop.ipynb"  # runs in a few seconds
# make's set-up and data targets are not this test's business (and must not reinstall anything)
NO_SETUP = ["-o", ".venv/.installed", "-o", "build/.installed-active-env", "-o", "data"]

# Not shipped in the student release (tools/student_release.py: NOT_SHIPPED), whose Makefile has no
# `make run`; papermill is a dev dependency, so a missing papermill fails here rather than skips.


def cells_tagged(nb, tag):
    return [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]


def text_outputs(nb):
    out = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            out.append("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", "")))
    return "\n".join(out)


def make(*args):
    return subprocess.run(["make", *NO_SETUP, f"PY={sys.executable}", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def assigned_names(source):
    """Names bound at the top level of a cell (assignments, tuple targets, defs, imports)."""
    python = "\n".join(line for line in source.split("\n") if not line.lstrip().startswith(("%", "!")))
    names = set()
    for node in ast.parse(python).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names |= {sub.id for t in targets if t is not None for sub in ast.walk(t) if isinstance(sub, ast.Name)}
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb")), ids=lambda p: p.stem)
def test_one_parameters_cell_that_the_rest_reads_and_never_rebinds(path):
    """papermill injects overrides right after the cell tagged `parameters`: there must be exactly
    one, right after the set-up cell, holding only literal values (so an override replaces each),
    and no other cell may set those names again (an override would be silently undone)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    (cell,) = cells_tagged(nb, "parameters")
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    index = code.index("".join(cell["source"]))
    assert index == 1, "the parameters cell comes right after the set-up cell"
    tree = ast.parse(code[index])
    assert tree.body and all(isinstance(s, ast.Assign) for s in tree.body)
    for statement in tree.body:
        ast.literal_eval(statement.value)  # a literal: a number, string, list, tuple or dict of them
    params = assigned_names(code[index])
    assert params & {"SEED", "SEEDS"}, "the seeds are parameters too"
    for other in code[:index] + code[index + 1:]:
        rebound = params & assigned_names(other)
        assert not rebound, f"{sorted(rebound)} set outside the parameters cell:\n{other[:300]}"
    used = {n.id for other in code[index + 1:] for n in ast.walk(ast.parse(
        "\n".join(line for line in other.split("\n") if not line.lstrip().startswith(("%", "!")))))
        if isinstance(n, ast.Name)}
    assert params <= used, f"parameters no later cell reads: {sorted(params - used)}"
    assert not cells_tagged(nb, "injected-parameters"), "stored outputs must be the default run"


def test_make_run_routes_overrides_to_papermill_and_away_from_notebooks():
    default = make("-n", "run", "NB=02")
    assert default.returncode == 0, default.stderr
    assert "nbconvert" in default.stdout and "--inplace" in default.stdout and "papermill" not in default.stdout
    override = make("-n", "run", "NB=02", "P=-p N_TRIALS 3")
    assert override.returncode == 0, override.stderr
    assert "papermill" in override.stdout and "-p N_TRIALS 3" in override.stdout and "--inplace" not in override.stdout
    assert '"build/runs/$(basename "$nb")"' in override.stdout


def test_make_run_refuses_an_unknown_notebook_and_notebooks_as_output():
    assert "no notebook numbered NB=99" in make("run", "NB=99").stdout
    refused = make("run", "NB=02", "P=-p N_TRIALS 3", "RUN_OUT=notebooks")
    assert refused.returncode != 0 and "RUN_OUT must not be notebooks/" in refused.stdout


def test_an_override_takes_effect_in_the_outputs(tmp_path):
    import papermill  # noqa: F401  (the mechanism under test)
    before = hashlib.sha256(CHEAP.read_bytes()).hexdigest()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    run = subprocess.run(["make", *NO_SETUP, f"PY={sys.executable}", "run", "NB=02", "P=-p N_TRIALS 3",
                          f"RUN_OUT={tmp_path}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert hashlib.sha256(CHEAP.read_bytes()).hexdigest() == before, "notebooks/ must keep the default run"
    nb = json.loads((tmp_path / CHEAP.name).read_text(encoding="utf-8"))
    (injected,) = cells_tagged(nb, "injected-parameters")
    assert "N_TRIALS = 3" in "".join(injected["source"])
    text = text_outputs(nb)
    assert "at 3 random inputs" in text and "at 10 random inputs" not in text
    default = text_outputs(json.loads(CHEAP.read_text(encoding="utf-8")))
    assert "at 10 random inputs" in default  # the stored run: the cell's own value
