"""Notebook 01 and its companions 01b, 01c: their own claims, checked without executing them.

* 01's training loop, written out by hand, is what `fit` runs (same seed -> the same weights);
* 01c: HW1's first checkpoint (W = 0 on 20 images) is the float the course prints, and the notebook's
  check accepts every correct way to compute it (a relative 1e-12, not `==`) and names the quantity
  when it is wrong;
* each notebook's cell tagged `parameters` holds its data sizes, epochs and seeds, and later cells
  only read them.
"""
import ast
import json
from pathlib import Path

import numpy as np
import pytest

from helpers import functional as F
from helpers.data import one_hot
from helpers.layers import Linear
from helpers.losses import SoftmaxCrossEntropy, l2_penalty
from helpers.train import SGD, fit

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NB01 = NOTEBOOKS / "01_linear_classifier.ipynb"
NB01B = NOTEBOOKS / "01b_dd2424_assignment1.ipynb"
NB01C = NOTEBOOKS / "01c_hw1_and_dlcv.ipynb"
PARAMETERS = {
    NB01: ("SEED", "N_CIFAR_PER_BATCH", "N_CIFAR_TEST", "MNIST_VAL_FRACTION", "LOOP_IMAGES", "LOOP_EPOCHS",
           "GRID_EPOCHS", "EPOCHS", "C_EPOCHS", "CHECK_CLAIMS"),
    NB01B: ("SEED", "N_CIFAR_PER_BATCH", "N_CIFAR_TEST", "DD2424_EPOCHS", "CHECK_CLAIMS"),
    NB01C: ("SEED", "N_CIFAR_PER_BATCH", "N_CIFAR_TEST", "N_HW1_SMALL", "HW1_ITERATIONS", "HW1_FULL_ITERATIONS",
            "HW1_SEED", "MNIST_VAL_FRACTION", "DLCV_VAL_FRACTION", "EPOCHS", "INIT_EPOCHS", "CHECK_CLAIMS"),
}


def code_cells(path):
    """The code cells, IPython's magic lines (%...) left out, so that each parses as Python."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [dict(c, source="\n".join(ln for ln in "".join(c["source"]).split("\n") if not ln.lstrip().startswith("%")))
            for c in cells if c["cell_type"] == "code"]


def notebook_function(name, namespace, path=NB01):
    """The notebook's `def name(...)`, compiled into namespace (which supplies what it uses)."""
    for cell in code_cells(path):
        source = "".join(cell["source"])
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                exec(compile(ast.get_source_segment(source, node), str(path), "exec"), namespace)
                return namespace[name]
    raise AssertionError(f"{path.name} defines no function {name!r}")


def assigned_names(source):
    return {t.id for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.Assign, ast.AugAssign))
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]) if isinstance(t, ast.Name)}


@pytest.mark.parametrize("path", [NB01, NB01C], ids=lambda p: p.stem)
def test_the_hand_written_loop_is_what_fit_runs(path):
    train_by_hand = notebook_function(
        "train_by_hand", {"np": np, "SoftmaxCrossEntropy": SoftmaxCrossEntropy, "one_hot": one_hot, "l2_penalty": l2_penalty},
        path)
    data_rng = np.random.default_rng(3)
    X, y = data_rng.standard_normal((230, 7)), data_rng.integers(0, 10, 230)  # 230: a short last batch
    by_hand, by_fit = (Linear(7, 10, np.random.default_rng(5), weight_scale=0.1) for _ in range(2))
    costs = train_by_hand(by_hand, X, y, epochs=3, batch_size=50, lr=0.3, reg=1e-2, rng=np.random.default_rng(9))
    history = fit(by_fit, SoftmaxCrossEntropy(), X, y, epochs=3, batch_size=50, optimizer=SGD(0.3),
                  rng=np.random.default_rng(9), reg=1e-2, verbose=False)
    for (name, p, _), (_, q, _) in zip(by_hand.named_parameters(), by_fit.named_parameters()):
        np.testing.assert_array_equal(p, q, err_msg=f"{name}: the notebook's loop and fit trained differently")
    sizes = np.tile([50, 50, 50, 50, 30], 3)
    per_epoch = (np.asarray(costs) * sizes).reshape(3, 5).sum(axis=1) / 230
    np.testing.assert_allclose(per_epoch, history["loss"], rtol=1e-12)


# The labels of the first 20 images of CIFAR-10's data_batch_1. The last digit of the cost depends on
# where the 20 ones of T sit (np.sum adds the 200 terms pairwise), so the check uses HW1's images.
HW1_LABELS = [6, 9, 9, 4, 1, 1, 2, 7, 8, 3, 4, 7, 7, 2, 9, 9, 9, 3, 2, 6]
HW1_COST0 = 2.302585082994045


def _hw1_cost(cross_entropy):
    """01c's course_cost at W = 0 on 20 images labelled as HW1's, with the given cross_entropy."""
    class Functional:  # the notebook's F, with the cross-entropy under test
        softmax = staticmethod(F.softmax)

    Functional.cross_entropy = staticmethod(cross_entropy)
    course_cost = notebook_function("course_cost", {"F": Functional}, NB01C)
    T = one_hot(np.array(HW1_LABELS), 10)
    X = np.random.default_rng(1).standard_normal((20, 3072))
    return course_cost(np.zeros((3072, 10)), np.zeros(10), X, T)


def test_hw1_first_checkpoint_is_the_courses_float():
    cost = _hw1_cost(F.cross_entropy)
    # The notebook prints HW1's float digit for digit with the reference softmax; a student's correct
    # softmax may round its last bit differently (e.g. exp(log_softmax)), so this test allows 2 ulp.
    # The guard is what it checks: without it the cost is log 10 = 2.302585092994046, 4e5 ulp away.
    assert abs(cost - HW1_COST0) <= 2 * np.spacing(HW1_COST0), cost


def _einsum_cross_entropy(probs, targets, guard=1e-9):
    return -np.einsum("ik,ik->", targets, np.log(probs + guard)) * (1 / len(probs))


def _loop_cross_entropy(probs, targets, guard=1e-9):
    total = 0.0
    for p, t in zip(probs, targets):
        total -= float(np.sum(t * np.log(p + guard)))
    return total / len(probs)


@pytest.mark.parametrize("cross_entropy", [F.cross_entropy, _einsum_cross_entropy, _loop_cross_entropy],
                         ids=["helpers", "einsum_times_1_over_N", "loop"])
def test_the_hw1_check_accepts_every_correct_cross_entropy(cross_entropy):
    check_hw1_cost = notebook_function("check_hw1_cost", {"HW1_COST0": HW1_COST0}, NB01C)
    cost = _hw1_cost(cross_entropy)
    assert check_hw1_cost(cost) <= 1e-12
    # the float issue 24 reported: an einsum with 1/N gives the last bit differently; == refused it
    assert check_hw1_cost(2.3025850829940455) <= 1e-12


def test_the_hw1_check_names_the_wrong_quantity():
    check_hw1_cost = notebook_function("check_hw1_cost", {"HW1_COST0": HW1_COST0}, NB01C)
    unguarded = _hw1_cost(lambda probs, targets, guard=1e-9: F.cross_entropy(probs, targets, guard=0))
    for wrong in (unguarded, 20 * HW1_COST0):  # no guard; a sum instead of the mean over N rows
        with pytest.raises(AssertionError, match="cross_entropy") as err:
            check_hw1_cost(wrong)
        assert repr(wrong) in str(err.value) and "2.302585082994045" in str(err.value)


@pytest.mark.parametrize("path", list(PARAMETERS), ids=lambda p: p.stem)
def test_the_parameters_cell_holds_the_data_sizes_and_no_cell_hard_codes_them(path):
    """The generic rules (one tagged cell of literals, never rebound) are test_parameters.py's; here
    what is 01's own: the names the README documents are parameters, and no load hard-codes a size."""
    cells = code_cells(path)
    head = "".join(cells[1]["source"])
    assert "parameters" in cells[1]["metadata"].get("tags", [])
    assert set(PARAMETERS[path]) <= assigned_names(head), set(PARAMETERS[path]) - assigned_names(head)
    for k, cell in enumerate(cells[2:], start=2):
        source = "".join(cell["source"])
        for literal in ("load_cifar10_subset(900", "load_cifar10(1, 900", "load_cifar10(\"test\", 800"):
            assert literal not in source, f"{path.name} code cell {k} hard-codes a data size: {literal}"
    assert "N_CIFAR_PER_BATCH" in "".join("".join(c["source"]) for c in cells[2:])


def test_the_core_lesson_does_not_need_its_companions():
    """Nothing the core lesson runs is defined in a companion: its code never names 01b or 01c."""
    for k, cell in enumerate(code_cells(NB01)):
        source = "".join(cell["source"])
        assert "01b" not in source and "01c" not in source, f"01 code cell {k} refers to a companion"
