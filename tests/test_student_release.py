"""The student release: markers -> stubs, the exercise checker, and the round trip on this repo.

First on small fixture files (a fake helpers module with three exercises and a tiny notebook),
then on the real repository: the generated release imports, its checks report every exercise
"not yet implemented", its notebooks stop at the first stub, and with the solutions copied
back in every check passes.
"""
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from tools.exercises import MarkerError, collect, find_regions, restore_source, strip_source, without_markers
from tools.student_release import build_release, is_shipped, restore_release, strip_notebook, tracked_files

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("tools/__init__.py", "tools/exercises.py", "tools/check_exercises.py", "tools/student_release.py")

FAKE = textwrap.dedent('''\
    """A fake helpers module with three exercises."""
    import numpy as np


    def square(x):
        """Elementwise square. x: (N,) -> (N,).

        y = x^2
        """
        x = np.asarray(x, dtype=float)
        ### BEGIN SOLUTION
        return x * x
        ### END SOLUTION


    class Scale:
        """y = a x;   dx = a dout"""

        def __init__(self, a):
            self.a = a

        def forward(self, x):
            ### BEGIN SOLUTION
            return self.a * x
            ### END SOLUTION

        def backward(self, dout):
            ### BEGIN SOLUTION
            return self.a * dout
            ### END SOLUTION
    ''')

FAKE_TESTS = textwrap.dedent('''\
    import numpy as np
    import pytest

    from helpers.fake import Scale, square


    def test_square_values():
        assert np.allclose(square([1.0, -2.0]), [1.0, 4.0])


    def test_scale_forward():
        assert Scale(3.0).forward(2.0) == 6.0


    def test_scale_backward():
        assert Scale(3.0).backward(1.0) == 3.0


    @pytest.mark.exercise("square")
    def test_named_by_its_mark():
        assert square([3.0])[0] == 9.0


    def test_touches_no_exercise():
        assert 1 + 1 == 2
    ''')


def _where(err):
    return str(err.value).split(": ", 1)[0]


# --- markers ------------------------------------------------------------------------------


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
    with pytest.raises(MarkerError, match="fake.py:2: .*whole statements"):
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
        source = path.read_text()
        student, regions = strip_source(source, path.name)
        assert "BEGIN SOLUTION" not in student and len(regions) >= 1
        assert restore_source(student, source, path.name) == without_markers(source)


def test_a_name_in_two_files_is_qualified_with_its_module(tmp_path):
    (tmp_path / "a.py").write_text(FAKE)
    (tmp_path / "b.py").write_text(FAKE.replace("def square", "def cube"))
    exercises, renames = collect(tmp_path, ["a.py", "b.py"])
    assert sorted(e.name for e in exercises) == [
        "a.Scale.backward", "a.Scale.forward", "b.Scale.backward", "b.Scale.forward", "cube", "square",
    ]  # fmt: skip
    assert renames["a.py"]["Scale.forward"] == "a.Scale.forward"


# --- notebooks ----------------------------------------------------------------------------


def _fake_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Fake lesson\n### BEGIN SOLUTION in markdown is just text"),
        nbformat.v4.new_code_cell("from helpers.fake import square\nprint(square([2.0]))"),
        nbformat.v4.new_code_cell(
            "def cube(x):\n    \"\"\"y = x^3\"\"\"\n    ### BEGIN SOLUTION\n    return x ** 3\n"
            "    ### END SOLUTION\n\n\nassert cube(2) == 8"
        ),
        nbformat.v4.new_code_cell("# the mean of the squares\n### BEGIN SOLUTION\nm = 2.5\n### END SOLUTION\nm"),
    ]
    for k, cell in enumerate(nb.cells[1:], 1):
        cell.execution_count = k
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="[4.]\n")]
        cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    return nb


def test_notebook_stubs_cells_clears_outputs_and_tags():
    nb = _fake_notebook()
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
    nb = _fake_notebook()
    nb.cells[3].source = "### BEGIN SOLUTION\nm = 2.5\n"
    with pytest.raises(MarkerError, match=r"^notebooks/01_fake.ipynb cell 3:1: .*never closed"):
        strip_notebook(nb, "notebooks/01_fake.ipynb")


# --- a fake repository, end to end ---------------------------------------------------------


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def fake_repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is needed: the release ships the files git tracks")
    repo = tmp_path / "course"
    files = {
        "helpers/__init__.py": "",
        "helpers/fake.py": FAKE,
        "tests/test_fake.py": FAKE_TESTS,
        "tests/test_student_release.py": "raise SystemExit('must not ship')\n",
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
        "Makefile": "check:\n\tpython -m tools.check_exercises\n",
        "README.md": "# Fake course\n",
        "benchmarks/bench.py": "# instructors only\n",
    }
    for path in TOOLS:
        files[path] = (ROOT / path).read_text()
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    (repo / "notebooks").mkdir()
    nbformat.write(_fake_notebook(), repo / "notebooks" / "01_fake.ipynb")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    (repo / "helpers" / "scratch.py").write_text("# untracked junk\n")
    return repo


def run_checker(root, *args):
    """Run the exercise checker in `root`; return its JSON report and the printed text."""
    out = root / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # nbval & co. are not needed and slow to import
    env["NPDL_DATA_DIR"] = str(ROOT / "data")  # the release has only the committed data files
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tools.check_exercises", "--exercises",
         "--exercises-json", str(out), "-q", "-p", "no:cacheprovider", *args, "tests"],
        cwd=root, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.is_file(), f"the checker wrote no report:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    report = json.loads(out.read_text())
    return {e["name"]: (e["status"], e["detail"]) for e in report["exercises"]}, report, proc.stdout


def test_release_of_a_fake_repository(fake_repo, tmp_path):
    dest = tmp_path / "student"
    exercises = build_release(dest, fake_repo)
    shipped = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert shipped == sorted([
        "Makefile", "README.md", "pyproject.toml", "helpers/__init__.py", "helpers/fake.py",
        "notebooks/01_fake.ipynb", "tests/test_fake.py", "tools/__init__.py", "tools/check_exercises.py",
        "tools/exercises.py", "tools/exercises.json",
    ])  # fmt: skip  (no junk, no generator, no release test, no benchmarks)
    assert [e.name for e in exercises] == ["square", "Scale.forward", "Scale.backward", "01_fake.cube", "01_fake cell 3"]
    assert (dest / "Makefile").read_bytes() == (fake_repo / "Makefile").read_bytes()

    statuses, report, text = run_checker(dest)
    assert {n: s for n, (s, _) in statuses.items()} == {n: "not yet implemented" for n in statuses}
    assert statuses["Scale.backward"][1] == "implement dx = a dout (see the class docstring)"
    assert report["also_failing"] == [] and "Traceback" not in text

    restore_release(dest, fake_repo)
    statuses, report, _ = run_checker(dest)
    assert {n: s for n, (s, _) in statuses.items()} == {
        "square": "passed", "Scale.forward": "passed", "Scale.backward": "passed",
        "01_fake.cube": "in notebook", "01_fake cell 3": "in notebook",
    }  # fmt: skip
    assert report["exercises"][0]["tests"] == [
        "tests/test_fake.py::test_named_by_its_mark", "tests/test_fake.py::test_square_values",
    ]  # fmt: skip

    # A wrong backward is reported with the comparison that failed, and only there; an error
    # inside the student's code says where it was raised.
    fake = dest / "helpers" / "fake.py"
    text = fake.read_text().replace("return self.a * dout", "return self.a + dout")
    fake.write_text(text.replace("return x * x", "return x @ x[:1, None]"))
    line = fake.read_text().splitlines().index("    return x @ x[:1, None]") + 1
    statuses, _, _ = run_checker(dest)
    status, detail = statuses["Scale.backward"]
    assert status == "wrong" and detail.startswith("tests/test_fake.py::test_scale_backward: assert 4.0 == 3.0")
    assert statuses["Scale.forward"][0] == "passed"
    status, detail = statuses["square"]
    assert status == "wrong" and "ValueError: matmul" in detail and f"(raised at helpers/fake.py:{line})" in detail


def test_release_refuses_bad_markers_and_foreign_folders(fake_repo, tmp_path):
    (fake_repo / "helpers" / "fake.py").write_text(FAKE.replace("        ### END SOLUTION\n", "", 1))
    with pytest.raises(MarkerError, match=r"^helpers/fake.py:\d+: nested"):
        build_release(tmp_path / "student", fake_repo)
    assert not (tmp_path / "student").exists(), "nothing is written when a marker is wrong"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "essay.txt").write_text("keep me")
    (fake_repo / "helpers" / "fake.py").write_text(FAKE)
    with pytest.raises(SystemExit, match="not a student release"):
        build_release(tmp_path / "mine", fake_repo)
    assert (tmp_path / "mine" / "essay.txt").read_text() == "keep me"


def first_error(path, timeout=600):
    """Execute a notebook until its first error; (ename, evalue), or None if it runs through."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=timeout, force_raise_errors=True,
        resources={"metadata": {"path": str(Path(path).parent)}},
    )  # fmt: skip
    try:
        client.execute()
    except CellExecutionError as err:
        return err.ename, err.evalue.splitlines()[0] if err.evalue else ""
    return None


@pytest.fixture
def kernel_env(monkeypatch):
    """The notebooks' kernel runs this Python and imports `helpers` from the release."""
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")
    monkeypatch.setenv("NPDL_DATA_DIR", str(ROOT / "data"))

    def use(release):
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(release), os.environ.get("PYTHONPATH", "")]))

    return use


def test_notebook_check_stops_at_the_first_stub_and_sees_other_errors(fake_repo, tmp_path, kernel_env):
    dest = tmp_path / "student"
    build_release(dest, fake_repo)
    kernel_env(dest)
    assert first_error(dest / "notebooks" / "01_fake.ipynb") == (
        "NotImplementedError", "Exercise square: implement y = x^2 (see its docstring)"
    )
    broken = nbformat.read(dest / "notebooks" / "01_fake.ipynb", as_version=4)
    broken.cells.insert(1, nbformat.v4.new_code_cell("undefined_name"))
    nbformat.write(broken, dest / "notebooks" / "02_broken.ipynb")
    assert first_error(dest / "notebooks" / "02_broken.ipynb")[0] == "NameError"


# --- this repository, round trip ------------------------------------------------------------

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TODO_OR_DONE = ("not yet implemented", "passed", "in notebook")


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """The student release of this working tree (new files included, as in a fresh commit)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the release is built from a git checkout")
    dest = tmp_path_factory.mktemp("release") / "student"
    return dest, build_release(dest, ROOT, untracked=True)


def test_release_ships_what_students_need_and_no_solution(release):
    dest, exercises = release
    shipped = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}
    wanted = {p for p in tracked_files(ROOT, untracked=True) if is_shipped(p)}
    assert shipped == wanted | {"tools/exercises.json"}
    assert {"tools/student_release.py", "tests/test_student_release.py"}.isdisjoint(shipped)
    assert len(exercises) >= 10
    for path in shipped:
        if path.endswith((".py", ".ipynb")):
            assert "### BEGIN SOLUTION" not in (dest / path).read_text(), path
        if path.endswith(".ipynb"):
            cells = nbformat.read(dest / path, as_version=4).cells
            assert all(not c.get("outputs") and c.get("execution_count") is None for c in cells if c.cell_type == "code")


def test_release_imports_its_own_helpers(release):
    dest, _ = release
    code = (
        "import importlib, pkgutil, helpers\n"
        "for m in pkgutil.iter_modules(helpers.__path__): importlib.import_module('helpers.' + m.name)\n"
        "print(helpers.__file__)"
    )
    env = dict(os.environ, PYTHONPATH=str(dest), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", code], cwd=dest, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert Path(proc.stdout.strip()).resolve().is_relative_to(dest.resolve())


def test_release_checks_report_every_exercise_not_yet_implemented(release):
    dest, exercises = release
    statuses, report, text = run_checker(dest)
    assert set(statuses) == {e.name for e in exercises}
    wrong = {n: s for n, s in statuses.items() if s[0] != "not yet implemented"}
    assert not wrong, f"these exercises are not reported as 'not yet implemented' in the release: {wrong}"
    assert report["also_failing"] == [], "tests failing in the release for another reason than a stub"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_notebook_runs_up_to_its_first_stub(release, kernel_env, name):
    dest, _ = release
    kernel_env(dest)
    error = first_error(dest / "notebooks" / name)
    assert error is None or (error[0] == "NotImplementedError" and error[1].startswith("Exercise ")), (
        f"{name} in the student release fails before reaching a stub: {error}"
    )


def test_release_with_the_solutions_copied_back_passes_every_check(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the release is built from a git checkout")
    dest = tmp_path / "student"
    build_release(dest, ROOT, untracked=True)
    restore_release(dest, ROOT)
    statuses, report, _ = run_checker(dest)
    not_passed = {n: s for n, s in statuses.items() if s[0] not in ("passed", "in notebook")}
    assert not not_passed, f"with the solutions back, these exercises do not pass: {not_passed}"
    assert report["also_failing"] == []
