"""The student release end to end: first a fake repository (tests/release_fixtures.py), then
this one: the generated release imports, its checks report every exercise "not yet
implemented", its notebooks stop at the first stub, and with the solutions copied back in every
check passes. Stub and marker details are tested in test_exercise_markers.py."""
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from release_fixtures import FAKE, FAKE_TESTS, fake_notebook

from tools.exercises import MarkerError, replace_stubs, without_markers
from tools.student_release import (build_release, hidden_module, is_shipped, needed_exercises, restore_release,
                                   tracked_files)

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("tools/__init__.py", "tools/exercises.py", "tools/check_exercises.py", "tools/student_release.py",
         "tools/check_discovery.py", "tools/check_timer.py", "tools/check_render.py", "tools/verdicts.py",
         "tools/colab_cell.py", "tools/notebook_check.py", "tools/grade.py")  # fmt: skip


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
    nbformat.write(fake_notebook(), repo / "notebooks" / "01_fake.ipynb")
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
    report["returncode"] = proc.returncode
    return {e["name"]: (e["status"], e["detail"]) for e in report["exercises"]}, report, proc.stdout


def test_release_of_a_fake_repository(fake_repo, tmp_path):
    dest = tmp_path / "student"
    exercises = build_release(dest, fake_repo)
    shipped = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert shipped == sorted([
        "Makefile", "README.md", "pyproject.toml", "helpers/__init__.py", "helpers/fake.py",
        "notebooks/01_fake.ipynb", "tests/test_fake.py", "tools/__init__.py", "tools/check_exercises.py",
        "tools/exercises.py", "tools/exercises.json", "tools/check_discovery.py", "tools/check_timer.py",
        "tools/check_render.py", "tools/verdicts.py", "tools/notebook_check.py",
    ])  # fmt: skip  (no junk, no generator, no grader, no release test, no benchmarks)
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

    # A syntax error: every exercise of that file is wrong, and says where; the test module that
    # cannot import it is named instead of stopping the run.
    fake.write_text(fake.read_text().replace("return self.a * x", "return self.a *"))
    line = fake.read_text().splitlines().index("        return self.a *") + 1
    statuses, report, _ = run_checker(dest)
    syntax_error = ("wrong", f"helpers/fake.py:{line}: SyntaxError: invalid syntax")
    assert [statuses[n] for n in ("square", "Scale.forward", "Scale.backward")] == [syntax_error] * 3
    assert report["not_collected"] == [
        {"test": "tests/test_fake.py", "detail": f"helpers/fake.py:{line}: SyntaxError: invalid syntax"}
    ]


def test_checker_is_calm_stops_infinite_loops_and_explains_its_statuses(fake_repo, tmp_path):
    dest = tmp_path / "student"
    build_release(dest, fake_repo)
    # the first run: only the report (no progress rows, no "5 failed"), success as nothing is wrong
    statuses, report, text = run_checker(dest)
    assert report["returncode"] == 0, text
    assert text.lstrip().startswith("=") and "failed" not in text and "%]" not in text, text
    assert "what the statuses mean:" in text and "not yet implemented  its stub is still there" in text

    restore_release(dest, fake_repo)
    fake = dest / "helpers" / "fake.py"
    fake.write_text(fake.read_text().replace("    return x * x\n", "    while True:\n        x = x + 0\n"))
    statuses, report, text = run_checker(dest, "--exercise-timeout", "1")
    # the test it first looped in (its later tests stop it at once: "... in an earlier test")
    assert statuses["square"] == ("wrong", "tests/test_fake.py::test_square_values: square: still running after 1 s, infinite loop?")
    assert statuses["Scale.forward"][0] == "passed" and report["returncode"] == 1
    assert "wrong                one of its own tests fails" in text


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

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))
# What the students write (issue 8), by module: softmax, cross-entropy, the linear and MLP
# backward passes, the scalar graph nodes, the residual layer, convolution forward/backward, the
# L2 loss and the mini-batch generator.
SCALAR_NODES = ("Add", "Mul", "Div", "Square", "Cos", "Sin", "Tanh", "Sigmoid", "Log", "LogSigmoid")
REQUIRED = {
    "helpers/functional.py": ("softmax", "cross_entropy"),
    "helpers/layers.py": ("Linear.forward", "Linear.backward", "ReLU.backward", "Sigmoid.backward",
                          "Tanh.backward", "Residual.forward", "Residual.backward"),
    "helpers/losses.py": ("SoftmaxCrossEntropy.backward", "L2Loss.forward", "L2Loss.backward"),
    "helpers/scalar.py": tuple(f"{node}.{m}" for node in SCALAR_NODES for m in ("forward", "backward")),
    "helpers/conv.py": ("Conv2dNaive.forward", "Conv2dNaive.backward", "Conv2d.forward", "Conv2d.backward"),
    "helpers/prepare.py": ("minibatches",),
}  # fmt: skip


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
    hidden = {p for p in wanted if p.startswith("tests/") and hidden_module((ROOT / p).read_text())}
    assert hidden, "no hidden grading test module"
    assert shipped == (wanted - hidden) | {"tools/exercises.json"}
    # no grading test, no near-solution, no file the release does not ship named in its tests
    for path in (p for p in shipped if p.startswith("tests/")):
        text = (dest / path).read_text()
        for leak in ("mark.hidden", "corpus.py", "col2im_overwrites", "ForgetsDilation"):
            assert leak not in text, f"the release's {path} holds {leak!r}"
        for module in re.findall(r"\btools\.(\w+)", text):  # what it imports of tools/ ships too
            assert f"tools/{module}.py" in shipped, f"the release's {path} uses tools/{module}.py, not shipped"
    assert {"tools/student_release.py", "tests/test_student_release.py", "tests/release_fixtures.py"}.isdisjoint(shipped)
    found = {(e.file, e.name.removeprefix(Path(e.file).stem + ".")) for e in exercises}
    missing = [f"{file}: {name}" for file, names in REQUIRED.items() for name in names if (file, name) not in found]
    assert not missing, f"exercises without solution markers: {missing}"
    # its own README and Makefile: nothing that only works in the instructor's repository
    readme, makefile = (dest / "README.md").read_text(), (dest / "Makefile").read_text()
    for instructor_only in ("make bench", "make student", ".ci/run", "benchmarks/", "nbval", "For instructors"):
        assert instructor_only not in readme, f"the release README mentions {instructor_only!r}"
    assert "make lab" in readme and "autoreload" in readme and "in doubt" in readme and "%(" not in readme
    assert "lab:" in makefile and "bench:" not in makefile and "student:" not in makefile
    names = {e.name for e in exercises}
    assert all(f"`{name.split('.', 1)[-1] if name.startswith('01_') else name}`" in readme for name in names), (
        f"exercises missing from the README's table: {sorted(n for n in names if f'`{n}`' not in readme)}"
    )
    # Linear.backward is one exercise with one stub (no flag that splits it)
    assert (dest / "helpers/layers.py").read_text().count("Exercise Linear.backward:") == 1
    for path in shipped:
        if path.endswith(".py"):
            assert without_markers(text := (dest / path).read_text()) == text, f"{path} still has markers"
        if path.endswith(".ipynb"):
            cells = [c for c in nbformat.read(dest / path, as_version=4).cells if c.cell_type == "code"]
            assert all(without_markers(c.source) == c.source for c in cells), f"{path} still has markers"
            assert all(not c.outputs and c.execution_count is None for c in cells), f"{path} has outputs"
            # Colab: the badge opens the release's repository, the setup cell clones it editable
            text = (dest / path).read_text()
            assert "github/numpy-dl-notebooks/numpy-dl-notebooks/" not in text, f"{path}: a badge opens the instructor's repository"
            assert "git+https://github.com/numpy-dl-notebooks" not in text and "%autoreload 2" in cells[0].source, path
            # it ends with a cell that checks the exercises it needs, from the notebook (a companion
            # that needs none, such as 02b, has nothing to check)
            needed = needed_exercises(nbformat.read(ROOT / path, as_version=4), path, exercises)
            has_check = "from tools.notebook_check import check\ncheck(" in cells[-1].source
            assert has_check == bool(needed), f"{path}: needs {needed}, check cell: {has_check}"


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


def test_release_setup_cell_installs_the_students_own_copy_editable_in_colab(fake_repo, tmp_path):
    """The Colab branch of the release's setup cell, run here (forced by NPDL_FORCE_COLAB) against
    a local git URL: it clones the student's copy, installs it editable and imports from it."""
    import site
    import sysconfig

    setup = nbformat.v4.new_code_cell(
        'import sys\nif "google.colab" in sys.modules:  # on Colab, install the course\'s helpers package first\n'
        '    import subprocess\n    subprocess.run([sys.executable, "-m", "pip", "install", "-q",\n'
        '                    "git+https://github.com/numpy-dl-notebooks/numpy-dl-notebooks"], check=True)\n'
        "import numpy as np\nfrom helpers.fake import square\nSEED = 0"
    )
    nb = nbformat.read(fake_repo / "notebooks" / "01_fake.ipynb", as_version=4)
    nb.cells.insert(1, setup)
    nbformat.write(nb, fake_repo / "notebooks" / "01_fake.ipynb")
    (fake_repo / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "fake-course"\nversion = "0"\n[tool.setuptools]\npackages = ["helpers"]\n'
    )
    _git(fake_repo, "add", "-A")
    bare = tmp_path / "students-copy.git"  # the student's repository, here a local bare clone
    dest = tmp_path / "student"
    build_release(dest, fake_repo, colab_url=bare.as_uri())
    cell = [c for c in nbformat.read(dest / "notebooks" / "01_fake.ipynb", as_version=4).cells if c.cell_type == "code"][0]
    assert f'COURSE_REPO = "{bare.as_uri()}"' in cell.source and "git+https" not in cell.source
    assert "%load_ext autoreload\n%autoreload 2\n" in cell.source  # in every environment
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "-c", "user.name=s", "-c", "user.email=s@x", "commit", "-qm", "my copy")
    subprocess.run(["git", "clone", "-q", "--bare", str(dest), str(bare)], check=True)

    # A fresh environment for the install (this one's helpers must stay this one's), which sees
    # this environment's packages (numpy) through a .pth file.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
    Path(purelib, "outer.pth").write_text("\n".join(site.getsitepackages() + [sysconfig.get_paths()["purelib"]]) + "\n")
    course = tmp_path / "content" / "course"
    code = "\n".join(ln for ln in cell.source.split("\n") if not ln.startswith("%"))  # magics: IPython only
    code += "\nimport helpers.fake\nprint(helpers.fake.__file__)"
    env = dict(os.environ, NPDL_FORCE_COLAB="1", NPDL_COURSE_DIR=str(course), PIP_NO_DEPS="1")
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.run([python, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert Path(proc.stdout.split()[-1]).resolve() == (course / "helpers" / "fake.py").resolve()
    # editable: a new process imports the clone, where the student's edits go
    (course / "helpers" / "fake.py").write_text((course / "helpers" / "fake.py").read_text() + "\nEDITED = True\n")
    proc = subprocess.run([python, "-c", "import helpers.fake; print(helpers.fake.EDITED)"], cwd=tmp_path,
                          env=env, capture_output=True, text=True)  # fmt: skip
    assert proc.stdout.strip() == "True", proc.stderr[-2000:]
    # run again (a second notebook, or the cell re-run): the clone is reused, not cloned again
    proc = subprocess.run([python, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_autoreload_brings_a_written_exercise_into_a_running_session(release, tmp_path):
    """What the release's setup cell relies on (%autoreload 2): a stub replaced while objects of
    the old classes are alive is the code those classes run next (no kernel restart)."""
    dest, _ = release
    shutil.copytree(dest / "helpers", tmp_path / "helpers")
    code = textwrap.dedent(f"""
        import os, sys, pathlib
        sys.path.insert(0, {str(tmp_path)!r})
        from IPython.extensions.autoreload import ModuleReloader
        reloader = ModuleReloader()
        reloader.enabled = reloader.check_all = True
        from helpers.scalar import Add
        node = Add()
        try:
            node.forward(1.0, 2.0)
        except NotImplementedError:
            pass
        reloader.check()
        path = pathlib.Path({str(tmp_path)!r}, "helpers", "scalar.py")
        lines = path.read_text().split("\\n")
        for i, line in enumerate(lines):
            if "Exercise Add.forward:" in line:
                lines[i] = "        return a + b"
            if "Exercise Add.backward:" in line:
                lines[i] = "        return dout, dout"
        path.write_text("\\n".join(lines))
        st = path.stat()
        os.utime(path, (st.st_atime, st.st_mtime + 2))
        reloader.check()
        print(node.forward(1.0, 2.0), node.backward(1.0), Add().forward(2.0, 2.0))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["3.0", "(1.0,", "1.0)", "4.0"]


# A student in Colab or Jupyter checks from the notebook: the release's check cell, run as the
# notebook runs it (from notebooks/, the course folder one level up), for a missing, a correct and a
# wrong softmax.
SOFTMAX = {
    "correct": "e = np.exp(scores - scores.max(axis=1, keepdims=True))\nreturn e / e.sum(axis=1, keepdims=True)",
    "wrong": "e = np.exp(scores - scores.max(axis=1, keepdims=True))\nreturn e / e.sum(axis=0, keepdims=True)",
}


@pytest.mark.parametrize("variant, verdict", [("missing", "not yet implemented"), ("correct", "passed"),
                                              ("wrong", "wrong")])
def test_a_notebook_cell_check_softmax_gives_the_verdict(release, tmp_path, variant, verdict):
    dest, _ = release
    course = tmp_path / "student"
    shutil.copytree(dest, course, ignore=shutil.ignore_patterns("data"))
    os.symlink(dest / "data", course / "data")
    functional = course / "helpers" / "functional.py"
    if variant != "missing":
        functional.write_text(replace_stubs(functional.read_text(), lambda n: SOFTMAX[variant] if n == "softmax" else None))
    (cell,) = [c for c in nbformat.read(course / "notebooks" / "01_linear_classifier.ipynb", as_version=4).cells
               if "from tools.notebook_check import check" in c.source]
    cell_code = cell.source.rsplit("\ncheck(", 1)[0] + '\ncheck("softmax")'  # the cell, asking for softmax
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["NPDL_DATA_DIR"] = str(ROOT / "data")
    run = subprocess.run([sys.executable, "-c", cell_code], cwd=course / "notebooks", env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    plain = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout)  # the report's colours
    lines = [line for line in plain.splitlines() if re.search(r"\bsoftmax\s+line \d+", line)]  # its status line
    assert len(lines) == 1 and lines[0].split()[0:len(verdict.split())] == verdict.split(), (
        f"check('softmax') with a {variant} softmax printed:\n{plain[-3000:]}")
