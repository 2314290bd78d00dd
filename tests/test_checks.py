"""The shared checks (helpers.checks), and the package's structure: one job per module, no
private name imported across modules, imports that flow one way, each check written once."""
import ast
import re
from pathlib import Path

import numpy as np
import pytest

import helpers
from helpers.checks import (DEFAULT_SEED, check_dout, check_features, check_rng, is_int, is_real, pair,
                            read_only, rng_or_default)
from helpers.layers import Linear, ReLU, Sequential
from helpers.losses import SoftmaxCrossEntropy
from helpers.networks import build_network, two_layer_net
from helpers.train import SGD, train_step

HELPERS = Path(helpers.__file__).resolve().parent
MODULES = sorted(p for p in HELPERS.glob("*.py") if p.name != "__init__.py")


# --- the checks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 3, np.int64(7), np.uint8(2)])
def test_is_int_accepts_whole_numbers(value):
    assert is_int(value)


@pytest.mark.parametrize("value", [True, np.bool_(False), 2.0, np.float32(1), "3", None, [1]])
def test_is_int_refuses_bools_floats_and_the_rest(value):
    assert not is_int(value)


@pytest.mark.parametrize("value, ok", [(1, True), (0.5, True), (np.float32(2), True), (np.int8(-1), True),
                                       (True, False), (np.bool_(True), False), ("1", False), (1j, False),
                                       (None, False)])  # fmt: skip
def test_is_real(value, ok):
    assert is_real(value) is ok


def test_check_rng_returns_a_generator_and_refuses_the_rest():
    g = np.random.default_rng(3)
    assert check_rng(g) is g
    for bad in (None, 3, np.random.RandomState(0)):
        with pytest.raises(TypeError, match=r"fit: rng must be a numpy.random.Generator.*got"):
            check_rng(bad, "fit: rng")


def test_rng_or_default_says_what_none_means():
    g = np.random.default_rng(5)
    assert rng_or_default(g) is g
    a, b = rng_or_default(None).standard_normal(3), rng_or_default(None).standard_normal(3)
    np.testing.assert_array_equal(a, b)  # the same numbers on every call
    np.testing.assert_array_equal(a, np.random.default_rng(DEFAULT_SEED).standard_normal(3))
    with pytest.raises(TypeError, match="Linear's rng must be a numpy.random.Generator.*got 7"):
        rng_or_default(7, "Linear's rng")


def test_a_layer_built_with_a_seed_in_place_of_a_generator_says_so():
    with pytest.raises(TypeError, match=r"Linear's rng must be a numpy.random.Generator.*got 0"):
        Linear(3, 2, 0)


@pytest.mark.parametrize("value, want", [(3, (3, 3)), ((2, 5), (2, 5)), ([1, np.int64(4)], (1, 4))])
def test_pair(value, want):
    got = pair(value, "kernel_size", 1)
    assert got == want and all(type(v) is int for v in got)


@pytest.mark.parametrize("value, message", [((1, 2, 3), "an int or a pair"), (2.0, "an int or a pair"),
                                            ((True, 1), "an int or a pair"), (0, ">= 1"), ((3, -1), ">= 1")])  # fmt: skip
def test_pair_refuses_what_is_not_a_pair_of_ints(value, message):
    with pytest.raises(ValueError, match=f"stride must be .*{re.escape(message)}.*got"):
        pair(value, "stride", 1)


def test_check_dout_names_the_layer_and_both_shapes():
    assert check_dout([[1.0, 2.0]], (1, 2), "ReLU").shape == (1, 2)
    with pytest.raises(ValueError, match=r"ReLU.backward expects dout of the shape forward returned \(1, 2\), got \(2,\)"):
        check_dout(np.ones(2), (1, 2), "ReLU")


def test_check_features_copies_a_writable_x_and_keeps_a_read_only_one():
    x = np.ones((2, 3))
    assert not np.shares_memory(check_features(x, 3, "Linear"), x)
    frozen = read_only(x)
    assert check_features(frozen, 3, "Linear") is frozen
    assert x.flags.writeable, "read_only makes a view read-only, not the caller's array"
    assert check_features(np.ones((2, 3), dtype=np.uint8), 3, "Linear", np.float32).dtype == np.float32
    with pytest.raises(ValueError, match=r"Linear expects x of shape \(N, 3\), got \(2, 4\)"):
        check_features(np.ones((2, 4)), 3, "Linear")
    with pytest.raises(TypeError, match="real numbers.*got dtype <U1"):
        check_features(np.full((2, 3), "a"), 3, "Linear")


# --- the training step caches without copies, and still keeps the caller's arrays apart ---------


def test_train_step_leaves_the_batch_writable_and_gives_the_gradient_of_backward(rng):
    net = two_layer_net(4, 5, 3, rng)
    X, T = rng.standard_normal((6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    reference = two_layer_net(4, 5, 3, np.random.default_rng(0))
    for (_, p, _), (_, q, _) in zip(net.named_parameters(), reference.named_parameters()):
        q[...] = p
    loss_fn = SoftmaxCrossEntropy()
    train_step(net, loss_fn, SGD(0.1), X, T, reg=0.01)
    assert X.flags.writeable
    # the same step by hand: plain backward (with dx), the L2 gradient, one SGD update
    loss_fn.forward(reference.forward(X), T)
    reference.backward(loss_fn.backward())
    for (_, p, g), (_, q, _) in zip(reference.named_parameters(), net.named_parameters()):
        if p.ndim == 2:
            g = g + 2 * 0.01 * p
        np.testing.assert_allclose(q, p - 0.1 * g, rtol=1e-12, atol=1e-15)


def test_sequential_caches_the_hidden_activations_without_copies(rng):
    net = Sequential(Linear(3, 4, rng), ReLU(), Linear(4, 2, rng))
    x = rng.standard_normal((5, 3))
    net.forward(x)
    assert not np.shares_memory(net[0].cache, x), "the caller's x is copied"
    assert not net[2].cache.flags.writeable, "the hidden activation is cached as a read-only view"


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
            bad += [f"{path.name}: from .{module} import {n}" for n in names if n.startswith("_") and not n.startswith("__")]
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
    """The whole-number test and the meaning of rng=None live in checks.py only."""
    for path in MODULES:
        if path.name != "checks.py":
            text = path.read_text()
            assert not re.search(r"isinstance\([^)]*np\.integer", text), f"{path.name}: use checks.is_int"
            assert not re.search(r"rng is None|if rng else", text), f"{path.name}: use checks.rng_or_default"
