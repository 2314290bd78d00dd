"""Notebook 05's sizes, epochs and seeds sit in one cell tagged `parameters` (papermill's convention):
the rest of the notebook reads those names and never redefines them, so values injected after that
cell (as papermill injects them) reach every experiment."""
import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "05_resnet.ipynb"
# A small run's overrides (one seed, a few epochs, two depths, tiny subsets; claims off): every name
# must be a parameter (measured: with them the notebook runs start to end in about 17 s of CPU).
SMALL = {"SEEDS": [0], "N_SMALL": 100, "COURSE_EPOCHS": 3, "FULL_EPOCHS": 1, "DEPTHS": [4, 8],
         "N_DEPTH": 300, "DEPTH_EPOCHS": 2, "LS_EPOCHS": 1, "LS_LRS": [0.01, 3.0], "LS_BATCHES": [64, 256],
         "CHECK_CLAIMS": False}


def assigned_names(source):
    """Names bound at the top level of a cell (assignments, tuple targets, defs), not inside functions."""
    names = set()
    python = "\n".join(line for line in source.split("\n") if not line.lstrip().startswith(("%", "!")))  # IPython magics
    for node in ast.parse(python).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets:
            for sub in ast.walk(target) if target is not None else ():
                if isinstance(sub, ast.Name):
                    names.add(sub.id)
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def parameter_cell_index(nb):
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"expected exactly one cell tagged 'parameters', found {len(tagged)}"
    assert nb.cells[tagged[0]].cell_type == "code"
    return tagged[0]


def test_one_parameters_cell_whose_names_the_rest_reads_and_never_rebinds(notebook):
    index = parameter_cell_index(notebook)
    params = assigned_names(notebook.cells[index].source)
    assert set(SMALL) <= params, f"the parameters cell lacks {sorted(set(SMALL) - params)}"
    later = [c.source for c in notebook.cells[index + 1:] if c.cell_type == "code"]
    earlier = [c.source for c in notebook.cells[:index] if c.cell_type == "code"]
    for source in earlier + later:
        rebound = params & assigned_names(source)
        assert not rebound, f"{sorted(rebound)} are set outside the parameters cell:\n{source[:200]}"
    used = {node.id for source in later for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
    assert params <= used, f"parameters no later cell reads: {sorted(params - used)}"
