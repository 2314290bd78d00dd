"""The package's structure: one job per module, no private name imported across modules, imports
that flow one way down the module map, each check written once, training without the loaders."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

import helpers
from helpers.networks import build_network, two_layer_net

HELPERS = Path(helpers.__file__).resolve().parent
MODULES = sorted(p for p in HELPERS.glob("*.py") if p.name != "__init__.py")


# --- one builder --------------------------------------------------------------------------------


def test_two_layer_net_is_the_depth_two_relu_network_with_he_output():
    a = two_layer_net(6, 5, 3, np.random.default_rng(2))
    b = build_network(6, 3, depth=2, hidden=5, activation="relu", rng=np.random.default_rng(2), output_gain=2.0)
    # the course's TwoLayerNet drawn as before: He-initialised Linear(D, H), then Linear(H, K)
    r = np.random.default_rng(2)
    W1, W2 = np.sqrt(2 / 6) * r.standard_normal((6, 5)), np.sqrt(2 / 5) * r.standard_normal((5, 3))
    assert [type(layer).__name__ for layer in a] == ["Linear", "ReLU", "Linear"]
    for net in (a, b):
        np.testing.assert_array_equal(net[0].params["W"], W1)
        np.testing.assert_array_equal(net[2].params["W"], W2)


# --- the package's structure --------------------------------------------------------------------


def _imports(path):
    """(module imported from, names) of every `from .x import ...` / `from helpers.x import ...`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1 or module.startswith("helpers"):
                found.append((module.removeprefix("helpers").lstrip("."), [a.name for a in node.names]))
    return found


def private_imports(folder):
    """'file: from module import _name' for every private name a module takes from another one."""
    bad = []
    for path in sorted(Path(folder).glob("*.py")):
        for module, names in _imports(path):
            bad += [f"{path.name}: from .{module} import {n}" for n in names
                    if n.startswith("_") and not n.startswith("__")]
        text = path.read_text()
        bad += [f"{path.name}: {m}" for m in re.findall(r"\b(?:helpers\.)?[a-z_]+\._[a-z]\w*\(", text)
                if not m.startswith(("self.", "np.", "os.", "sys.", "super()."))
                and m.split(".")[-2] in {p.stem for p in MODULES}]  # fmt: skip
    return bad


def test_no_module_imports_a_private_name_of_another(tmp_path):
    assert private_imports(HELPERS) == []
    # the check itself can fail: a module that takes another's private helper is caught
    (tmp_path / "a.py").write_text("def _check(x):\n    return x\n")
    (tmp_path / "b.py").write_text("from .a import _check\n")
    assert private_imports(tmp_path) == ["b.py: from .a import _check"]


def test_imports_flow_down_the_module_map():
    """A module imports only the modules named above it in helpers/__init__.py's module map."""
    stems = {p.stem for p in MODULES}
    text = helpers.__doc__.split("Modules, one job each")[1].split("Glossary")[0]
    order = list(dict.fromkeys(w for w in re.findall(r"\b\w+\b", text) if w in stems))
    assert sorted(order) == sorted(stems), "the module map names every module"
    upward = [f"{path.stem} imports {module}" for path in MODULES for module, _ in _imports(path)
              if module and order.index(module) > order.index(path.stem)]
    assert upward == []


def test_each_shared_check_is_written_once():
    """The whole-number and real-number tests, the meaning of rng=None, the shape of dout and the
    guard of backward live in checks.py only."""
    for path in MODULES:
        if path.name != "checks.py":
            text = path.read_text()
            assert not re.search(r"isinstance\([^)]*np\.integer", text), f"{path.name}: use checks.is_int"
            assert not re.search(r"rng is None|if rng else", text), f"{path.name}: use checks.rng_or_default"
            real = re.search(r"kind not in \"biuf\"|issubdtype\([^)]*np\.number", text)
            assert not real, f"{path.name}: use checks.check_real"
            assert "expects dout of the shape" not in text, f"{path.name}: use checks.check_dout"
            assert "called before forward" not in text, f"{path.name}: use checks.check_forward_ran"


LOADERS = ("idx2numpy", "pooch", "filelock", "scipy", "helpers.data", "helpers.download", "helpers.course_data")


def imported_by(module):
    """The loader modules that `import <module>` pulls in, in a fresh interpreter."""
    code = f"import sys, {module}; print(' '.join(m for m in {LOADERS!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return out.split()


def test_training_imports_no_loader():
    # data preparation lives apart from file I/O: training, layers and their preparation need
    # neither the downloader nor the file formats
    for module in ("helpers.train", "helpers.prepare", "helpers.layers", "helpers.conv"):
        assert imported_by(module) == [], module
    assert "idx2numpy" in imported_by("helpers.data")  # the check can fail: the loaders do pull them in
