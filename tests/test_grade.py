"""make grade on planted submissions of a fake course (tests/release_fixtures.py): complete,
partial, a syntax error, an infinite loop, one that edits its tests, and an archive whose code
deletes the tests. Each is graded with the instructor's tests (hidden ones included), and the
points land in grades.csv and in a Gradescope results.json per student."""
import csv
import json
import os
import shutil
import zipfile

import pytest
from test_student_release import _git, fake_repo  # noqa: F401  (a fixture)

from tools.grade import grade
from tools.student_release import build_release, restore_release

HIDDEN = '''\
import pytest

from helpers.fake import square

pytestmark = pytest.mark.hidden


@pytest.mark.exercise("square")
def test_square_of_a_half():
    assert square([0.5])[0] == 0.25
'''


def _edit(release, old, new):
    path = release / "helpers" / "fake.py"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def _stub(name):
    return f'raise NotImplementedError("Exercise {name}:'


@pytest.fixture
def course(fake_repo, tmp_path):  # noqa: F811
    (fake_repo / "tests" / "test_fake_hidden.py").write_text(HIDDEN)
    (fake_repo / "tools" / "points.json").write_text(json.dumps({"square": 2}))
    _git(fake_repo, "add", "-A")
    release = tmp_path / "release"
    build_release(release, fake_repo)
    return fake_repo, release


def test_the_release_ships_no_hidden_test_and_the_grading_copy_has_them(course, tmp_path):
    repo, release = course
    assert not (release / "tests" / "test_fake_hidden.py").exists()
    assert not any("mark.hidden" in p.read_text() for p in (release / "tests").rglob("*.py"))
    build_release(tmp_path / "graded", repo, hidden=True)
    assert (tmp_path / "graded" / "tests" / "test_fake_hidden.py").is_file()
    points = {e["name"]: e["points"] for e in json.loads((release / "tools" / "exercises.json").read_text())["exercises"]}
    assert points == {"square": 2.0, "Scale.forward": 1.0, "Scale.backward": 1.0, "01_fake.cube": 0.0,
                      "01_fake cell 3": 0.0}  # fmt: skip


def test_grade_planted_submissions(course, tmp_path):
    repo, release = course
    subs = tmp_path / "submissions"
    subs.mkdir()

    def student(name):
        dest = subs / name
        shutil.copytree(release, dest)
        return dest

    restore_release(student("complete"), repo)
    restore_release(student("partial"), repo)  # square and Scale.forward only
    _edit(subs / "partial", "return self.a * dout", _stub("Scale.backward") + ' me")')
    restore_release(student("syntax_error"), repo)
    _edit(subs / "syntax_error", "return x * x", "return x * x +")
    restore_release(student("infinite_loop"), repo)
    _edit(subs / "infinite_loop", "return self.a * x", "while True:\n                pass")
    edits = student("edits_its_tests")  # writes nothing, makes its copy of the tests pass
    (edits / "tests" / "test_fake.py").write_text("def test_square_values():\n    pass\n")
    deletes = student("deletes_files")  # an archive whose code removes the tests folder
    restore_release(deletes, repo)
    _edit(deletes, "import numpy as np", "import numpy as np\nimport pathlib, shutil\n"
          "shutil.rmtree(pathlib.Path(__file__).resolve().parents[1] / 'tests', ignore_errors=True)")
    with zipfile.ZipFile(subs / "deletes_files.zip", "w") as z:
        for path in deletes.rglob("*"):
            z.write(path, path.relative_to(subs))
    shutil.rmtree(deletes)

    out = tmp_path / "grades"
    results = grade(subs, out, repo, timeout=2, run_limit=120, untracked=True)
    scores = {who: {t["name"]: t["score"] for t in r["tests"] if not t["name"].startswith("01_fake")}
              for who, r in results.items()}  # fmt: skip
    assert scores["complete"] == {"square": 2, "Scale.forward": 1, "Scale.backward": 1}
    assert scores["partial"] == {"square": 2, "Scale.forward": 1, "Scale.backward": 0}
    assert scores["syntax_error"] == {"square": 0, "Scale.forward": 0, "Scale.backward": 0}
    assert scores["infinite_loop"] == {"square": 2, "Scale.forward": 0, "Scale.backward": 1}
    assert scores["edits_its_tests"] == {"square": 0, "Scale.forward": 0, "Scale.backward": 0}
    assert sum(scores["deletes_files"].values()) < 4  # its own copy of the tests is gone, nobody else's
    loop = next(t for t in results["infinite_loop"]["tests"] if t["name"] == "Scale.forward")
    assert "still running after 2 s" in loop["output"]
    assert (out / "work" / "complete" / "tests" / "test_fake_hidden.py").is_file()  # graded with hidden tests

    with open(out / "grades.csv") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "student" and rows[0][-2:] == ["total", "run"] and "square (2)" in rows[0]
    totals = {r[0]: float(r[-2]) for r in rows[1:]}
    assert totals == {"complete": 4, "deletes_files": sum(scores["deletes_files"].values()), "edits_its_tests": 0,
                      "infinite_loop": 3, "partial": 3, "syntax_error": 0}  # fmt: skip
    for who in totals:
        gradescope = json.loads((out / who / "results.json").read_text())
        assert gradescope["score"] == totals[who]
        assert {"name", "score", "max_score", "status", "output"} <= set(gradescope["tests"][0])


def test_the_check_cell_of_a_release_notebook_prints_the_verdict(course):
    """The cell the release appends to a notebook, run from notebooks/ as Jupyter runs it, with
    check("square") for a missing, a correct and a wrong square."""
    import subprocess
    import sys

    import nbformat

    repo, release = course
    cells = nbformat.read(release / "notebooks" / "01_fake.ipynb", as_version=4).cells
    assert cells[-1].source.endswith('check("square", "01_fake.cube", "01_fake cell 3")'), cells[-1].source
    assert "make check" in cells[-2].source
    code = cells[-1].source.replace('check("square", "01_fake.cube", "01_fake cell 3")', 'check("square")')

    def run():
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("PYTEST_")}
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        proc = subprocess.run([sys.executable, "-c", code], cwd=release / "notebooks", env=env, capture_output=True,
                              text=True, timeout=300)  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    out = run()
    assert "not yet implemented" in out and "square" in out and "Scale" not in out
    restore_release(release, repo)
    out = run()
    assert "passed" in out and "square" in out and "wrong" not in out.split("what the statuses mean")[0]
    _edit(release, "return x * x", "return x + x")
    out = run()
    report = out.split("what the statuses mean")[0]
    assert "wrong" in report and "tests/test_fake" in report and "assert" in report, out


def test_the_checker_exits_1_when_a_test_fails_and_make_check_fails(course):
    """The exit statuses the READMEs state: 0 with exercises unwritten, 1 when a test fails (the
    checker), and `make check` fails then too (make's own status is 2)."""
    import subprocess
    import sys

    repo, release = course
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("PYTEST_")}
    env.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(release))

    def status(*cmd):
        return subprocess.run(cmd, cwd=release, env=env, capture_output=True, text=True, timeout=300).returncode

    assert status(sys.executable, "-m", "tools.check_exercises") == 0  # nothing written yet: fine
    restore_release(release, repo)
    _edit(release, "return self.a * dout", "return self.a + dout")
    assert status(sys.executable, "-m", "tools.check_exercises") == 1
    if shutil.which("make"):
        (release / "Makefile").write_text(f"check:\n\t@{sys.executable} -m tools.check_exercises\n")
        assert status("make", "-s", "check") == 2
