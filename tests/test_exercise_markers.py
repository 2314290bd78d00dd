"""Solution markers -> stubs (tools/exercises.py): errors naming file and line, exercise names,
hints from docstrings, notebook cells, and putting the solutions back."""
import textwrap
from pathlib import Path

import pytest
from release_fixtures import FAKE, fake_notebook

from tools.exercises import (
    MarkerError, collect, find_regions, restore_source, strip_instructor_only, strip_source, without_markers,
)
from tools.student_release import strip_notebook

ROOT = Path(__file__).resolve().parent.parent


def _where(err):
    return str(err.value).split(": ", 1)[0]


@pytest.mark.parametrize("source, where, message", [
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n",
     "fake.py:3", "nested"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", "fake.py:3", "without"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "fake.py:2", "never closed"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n  ### END SOLUTION\n", "fake.py:4", "indented"),
    ("def f():\n    ## BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "fake.py:2", "malformed"),
    ("def f():\n    ### BEGIN SOLUTION\n\n    ### END SOLUTION\n", "fake.py:2", "empty"),
    ("def f(x):\n    if x:\n        ### BEGIN SOLUTION\n        y = 1\n    return y\n        ### END SOLUTION\n",
     "fake.py:5", "indented less"),
])  # fmt: skip
def test_bad_markers_are_errors_naming_file_and_line(source, where, message):
    with pytest.raises(MarkerError, match=message) as err:
        strip_source(source, "fake.py")
    assert _where(err) == where


def test_region_that_is_not_whole_statements_is_an_error():
    source = "def f(x):\n    y = (x +\n    ### BEGIN SOLUTION\n    1)\n    ### END SOLUTION\n    return y\n"
    with pytest.raises(MarkerError, match="^fake.py:3: .*whole statements"):
        strip_source(source, "fake.py")


def test_stubs_name_the_exercise_and_give_the_equation():
    student, regions = strip_source(FAKE, "helpers/fake.py")
    stubs = [ln for ln in student.splitlines() if "NotImplementedError" in ln]
    assert stubs == [
        '    raise NotImplementedError("Exercise square: implement y = x^2 (see its docstring)")',
        '        raise NotImplementedError("Exercise Scale.forward: implement y = a x (see the class docstring)")',
        '        raise NotImplementedError("Exercise Scale.backward: implement dx = a dout (see the class docstring)")',
    ]
    assert [r.name for r in regions] == ["square", "Scale.forward", "Scale.backward"]
    # everything outside the regions is unchanged, input handling included
    kept = [ln for ln in student.splitlines() if "NotImplementedError" not in ln]
    solution_lines = FAKE.splitlines()
    for r in reversed(regions):
        solution_lines[r.begin : r.end + 1] = [None]
    assert kept == [ln for ln in solution_lines if ln is not None]
    assert "x = np.asarray(x, dtype=float)" in student and "return x * x" not in student


def test_hints_take_each_methods_part_of_a_class_docstring():
    source = textwrap.dedent('''\
        class Residual:
            """Residual layer. x: (N, D) -> y: (N, D).

            z = x W1 + b1,   a = sigma(z),   y = x + a W2
            dW2 = a^T dout,   dz = (dout W2^T) * phi'(z),
            dx = dout + dz W1^T          (the identity path)
            """

            def forward(self, x):
                ### BEGIN SOLUTION
                pass
                ### END SOLUTION

            def backward(self, dout):
                ### BEGIN SOLUTION
                pass
                ### END SOLUTION


        class Conv:
            """Vectorised.

            forward:   out = W2 @ cols + b             W2 = W.reshape(F, -1)
            backward:  dW2 = dout2 @ cols^T,   dx_pad = col2im(W2^T @ dout2)
            """

            def backward(self, dout):
                ### BEGIN SOLUTION
                pass
                ### END SOLUTION
        ''')
    hints = {r.name: r.hint for r in find_regions(source, "r.py")}
    assert hints == {
        "Residual.forward": "implement z = x W1 + b1, a = sigma(z), y = x + a W2 (see the class docstring)",
        "Residual.backward": "implement dW2 = a^T dout, dz = (dout W2^T) * phi'(z); "
        "dx = dout + dz W1^T (the identity path) (see the class docstring)",
        "Conv.backward": "implement dW2 = dout2 @ cols^T, dx_pad = col2im(W2^T @ dout2) (see the class docstring)",
    }


def test_stubbed_module_raises_the_hint_after_checking_input():
    student, _ = strip_source(FAKE, "helpers/fake.py")
    namespace = {}
    exec(compile(student, "fake.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match=r"^Exercise square: implement y = x\^2"):
        namespace["square"]([1.0])
    with pytest.raises(ValueError):  # the np.asarray before the region still runs first
        namespace["square"](["not a number"])


def test_restore_puts_back_exactly_the_solution():
    student, _ = strip_source(FAKE, "helpers/fake.py")
    assert restore_source(student, FAKE, "helpers/fake.py") == without_markers(FAKE)
    with pytest.raises(MarkerError, match="2 stubs .* 3 solution regions"):
        restore_source(student.replace('raise NotImplementedError("Exercise square', "pass  # ("), FAKE, "f.py")


def test_restore_round_trips_every_real_helpers_module():
    marked = [p for p in sorted((ROOT / "helpers").glob("*.py")) if "### BEGIN SOLUTION" in p.read_text()]
    assert marked, "no helpers module has solution markers"
    for path in marked:
        source = strip_instructor_only(path.read_text(), path.name)
        student, regions = strip_source(source, path.name)
        assert "BEGIN SOLUTION" not in student and len(regions) >= 1
        assert restore_source(student, source, path.name) == without_markers(source)


def test_instructor_only_blocks_are_dropped_and_checked():
    source = "def f(x):\n    ### BEGIN INSTRUCTOR ONLY\n    return 2 * x\n    ### END INSTRUCTOR ONLY\n    return x + x\n"
    assert strip_instructor_only(source, "f.py") == "def f(x):\n    return x + x\n"
    with pytest.raises(MarkerError, match=r"^f.py:2: .* never closed"):
        strip_instructor_only(source.replace("    ### END INSTRUCTOR ONLY\n", ""), "f.py")
    with pytest.raises(MarkerError, match=r"^f.py:4: .* without"):
        strip_instructor_only(source.replace("    ### BEGIN INSTRUCTOR ONLY\n", "\n"), "f.py")


def test_a_name_in_two_files_is_qualified_with_its_module(tmp_path):
    (tmp_path / "a.py").write_text(FAKE)
    (tmp_path / "b.py").write_text(FAKE.replace("def square", "def cube"))
    exercises, renames = collect(tmp_path, ["a.py", "b.py"])
    assert sorted(e.name for e in exercises) == [
        "a.Scale.backward", "a.Scale.forward", "b.Scale.backward", "b.Scale.forward", "cube", "square",
    ]  # fmt: skip
    assert renames["a.py"]["Scale.forward"] == "a.Scale.forward"


def test_a_class_in_two_files_has_all_its_exercises_qualified(tmp_path):
    """layers.Tanh has a backward exercise only, scalar.Tanh both: the report must not mix
    `Tanh.forward` with `scalar.Tanh.backward`, so every exercise of the class is qualified."""
    region = "        ### BEGIN SOLUTION\n        return self.a * x\n        ### END SOLUTION\n"
    assert region in FAKE
    (tmp_path / "a.py").write_text(FAKE)
    (tmp_path / "b.py").write_text(FAKE.replace("def square", "def cube").replace(region, "        return self.a * x\n"))
    exercises, renames = collect(tmp_path, ["a.py", "b.py"])
    assert sorted(e.name for e in exercises) == ["a.Scale.backward", "a.Scale.forward", "b.Scale.backward", "cube", "square"]
    assert renames["a.py"]["Scale.forward"] == "a.Scale.forward"


def test_notebook_stubs_cells_clears_outputs_and_tags():
    nb = fake_notebook()
    student, exercises = strip_notebook(nb, "notebooks/01_fake.ipynb")
    assert [(e.name, e.cell) for e in exercises] == [("01_fake.cube", 2), ("01_fake cell 3", 3)]
    md, imports, cube, mean = student.cells
    assert md.source == nb.cells[0].source and imports.source == nb.cells[1].source
    assert all(c.outputs == [] and c.execution_count is None and "execution" not in c.metadata
               for c in student.cells[1:])  # fmt: skip
    assert "    # YOUR CODE HERE\n    raise NotImplementedError(\"Exercise 01_fake.cube: implement y = x^3" in cube.source
    assert "raise NotImplementedError(\"Exercise 01_fake cell 3: the mean of the squares\")" in mean.source
    assert cube.metadata["tags"] == ["raises-exception"] and "tags" not in imports.metadata
    assert nb.cells[2].outputs, "the source notebook must be left alone"
    restored = [restore_source(c.source, s.source, "nb", notebook=True) for c, s in zip(student.cells[1:], nb.cells[1:])]
    assert restored == [without_markers(c.source) for c in nb.cells[1:]]


def test_notebook_markers_errors_name_the_cell():
    nb = fake_notebook()
    nb.cells[3].source = "### BEGIN SOLUTION\nm = 2.5\n"
    with pytest.raises(MarkerError, match=r"^notebooks/01_fake.ipynb cell 3:1: .*never closed"):
        strip_notebook(nb, "notebooks/01_fake.ipynb")
