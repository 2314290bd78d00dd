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


@pytest.mark.parametrize("name", ["02_scalar_backprop", "03_vector_backprop"])
def test_one_parameters_cell_of_plain_assignments(name):
    """papermill overrides names assigned in the cell tagged `parameters`: there must be exactly
    one, after the set-up cell, and it must only assign constants (so an override replaces them)."""
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    (cell,) = cells_tagged(nb, "parameters")
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code_cells.index(cell) == 1, "the parameters cell comes right after the set-up cell"
    tree = ast.parse("".join(cell["source"]))
    assert tree.body and all(isinstance(s, ast.Assign) and isinstance(s.value, ast.Constant) for s in tree.body)
    assert "SEED" in {t.id for s in tree.body for t in s.targets}
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
