"""Generate the student release: the repository with every solution region replaced by a stub.

    python -m tools.student_release [DEST] [--untracked] [--colab-url URL]   # `make student`

Files come from `git ls-files` (untracked junk is never shipped); of those, the ones a student
needs (SHIPPED) are copied. In every .py file and notebook code cell, each region between
`### BEGIN SOLUTION` and `### END SOLUTION` becomes
`raise NotImplementedError("Exercise <name>: <hint>")`, and each block between
`### BEGIN INSTRUCTOR ONLY` and `### END INSTRUCTOR ONLY` is dropped; notebook outputs are
cleared and stub cells tagged `raises-exception`. The release gets its own README.md and
Makefile (tools/student/), and its notebooks' setup cell clones the student's copy (URL) in
Colab and turns on autoreload everywhere; the "Open in Colab" badges open URL's notebooks.
Everything else is copied byte for byte. The exercises found are listed in
tools/exercises.json, which `make check` (tools/check_exercises.py) reads.

This file is for instructors and is not shipped; `restore_release` (used by the round-trip
test) copies the solutions back into a release.
"""
import argparse
import ast
import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from tools.colab_cell import STUDENT_REPO, find_block, replace_block, student_block
from tools.exercises import (
    MANIFEST,
    Exercise,
    MarkerError,
    collect,
    read_manifest,
    restore_source,
    strip_instructor_only,
    stub_positions,
    strip_source,
    stub_prelude,
    write_manifest,
)

ROOT = Path(__file__).resolve().parent.parent
# What a student gets: the package, lessons, tests, the committed data and the build files.
SHIPPED = (
    "helpers/", "notebooks/", "tests/", "data/",
    "Makefile", "pyproject.toml", "environment.yml", "README.md", ".gitignore", "LICENSE",
    "tools/__init__.py", "tools/exercises.py", "tools/check_exercises.py", "tools/check_discovery.py",
    "tools/check_timer.py", "tools/check_render.py", "tools/verdicts.py", "tools/notebook_check.py",
)  # fmt: skip
# The tests of this tooling need the solutions and this generator.
NOT_SHIPPED = (
    "tests/test_student_release.py", "tests/test_exercise_markers.py", "tests/release_fixtures.py",
    "tests/corpus.py", "tests/test_corpus.py",  # the corpus holds solutions
    "tests/test_readme.py",  # checks the instructor README's results table, which the release has not
    "tests/test_benchmarks.py",  # benchmarks/ is not shipped
    "tests/test_parameters.py",  # runs the instructor Makefile's `make run P=...`, which the release has not
    "tests/test_verdicts.py", "tests/test_grade.py", "tests/test_colab.py",  # instructor tooling
    "tests/test_site.py",  # builds the instructor's website (tools/build_site.py is not shipped)
    # read the executed notebooks' outputs and the instructor README, which the release has not
    "tests/test_claims.py", "tests/test_lesson_budget.py",
)
# Grading tests: a test module with `pytestmark = pytest.mark.hidden`, or a test function or class
# decorated with `@pytest.mark.hidden`, is kept beside the public tests, run by `make check` and
# `make grade` in this repository, and never shipped (a near-solution or a grading test).
_HIDDEN = re.compile(r"\bpytest\.mark\.hidden\b")
# Points per exercise (tools/points.json: {"Linear.backward": 2, ...}); default 1 for an exercise
# in helpers/, 0 for one in a notebook (the checker does not grade notebook cells).
POINTS = "tools/points.json"
NB_TAG = "raises-exception"  # nbval and nbclient let a cell with this tag raise
# The release's own README and Makefile (no instructor-only targets or files), shipped in place of
# the instructor's.
REPLACED = {"README.md": "tools/student/README.md", "Makefile": "tools/student/Makefile"}
# Where the release's notebooks clone the course from in Colab: the published student release.
# `make student` takes another with COLAB_URL=... (and a tag or commit to clone with COLAB_REF=...);
# a student who works in a fork edits the one line COURSE_REPO = "..." in the first cell of a notebook.
COLAB_URL = STUDENT_REPO


def is_shipped(path):
    return path not in NOT_SHIPPED and any(
        path == s or (s.endswith("/") and path.startswith(s)) for s in SHIPPED
    )


def hidden_module(text):
    """True when a test module is hidden as a whole (`pytestmark = pytest.mark.hidden`, or a list
    holding it)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    return any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in n.targets)
               and _HIDDEN.search(ast.unparse(n.value)) for n in tree.body)  # fmt: skip


def strip_hidden_tests(text):
    """A test module without its top-level functions and classes decorated `@pytest.mark.hidden`."""
    if not _HIDDEN.search(text):
        return text
    lines, tree = text.split("\n"), ast.parse(text)
    for node in reversed(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and any(
            _HIDDEN.search(ast.unparse(d)) for d in node.decorator_list
        ):
            first = min(d.lineno for d in node.decorator_list)
            del lines[first - 1 : node.end_lineno]
    return "\n".join(lines)


def exercise_points(source, exercises):
    """Set each exercise's points from tools/points.json (an unknown name there is an error)."""
    path = Path(source) / POINTS
    table = json.loads(path.read_text()) if path.is_file() else {}
    unknown = set(table) - {e.name for e in exercises}
    if unknown:
        raise SystemExit(f"{POINTS} names no exercise {sorted(unknown)}; the exercises are {sorted(e.name for e in exercises)}")
    for e in exercises:
        e.points = float(table.get(e.name, 1.0 if e.cell < 0 else 0.0))
    return exercises


def needed_exercises(nb, path, catalogue):
    """The exercises a notebook needs, read from its code: its own, and each helpers exercise
    whose class or function it names (a module-qualified one, `layers.Tanh.backward`, needs the
    module named too)."""
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    found = []
    for ex in catalogue:
        parts = ex.name.split(".")
        if ex.cell >= 0:
            hit = ex.file == path
        else:
            qualified = len(parts) > 1 and parts[0] == Path(ex.file).stem
            owner = parts[1] if qualified else parts[0]
            hit = re.search(rf"\b{re.escape(owner)}\b", code) and (not qualified or re.search(rf"\b{parts[0]}\b", code))
        if hit:
            found.append(ex.name)
    return found


def check_cells(names):
    """The cells the release appends to a notebook: check its exercises from here."""
    listed = ", ".join(f'"{n}"' for n in names)
    text = ("## Check your exercises\n\nThe same verdicts, messages and time limit as `make check`, here "
            "(also in Colab). `check()` alone checks every exercise; `check(\"softmax\")` one.")
    code = ("import os, sys\nsys.path.insert(0, os.path.abspath(\"..\"))  # the course folder, which holds tools/\n"
            f"from tools.notebook_check import check\ncheck({listed})")
    return [nbformat.v4.new_markdown_cell(text), nbformat.v4.new_code_cell(code)]


def tracked_files(root, untracked=False):
    """Paths (relative, '/'-separated) that git tracks under `root`, plus untracked-but-not-
    ignored ones if asked (to try a release before committing)."""
    cmd = ["git", "-C", str(root), "ls-files", "-z", "--cached"]
    if untracked:
        cmd += ["--others", "--exclude-standard"]
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        raise SystemExit(f"the student release is built from a git checkout; `git ls-files` failed in {root}: {err}") from err
    return sorted({p for p in out.split("\0") if p and (Path(root) / p).is_file()})


def strip_python(text, path, rename):
    student, regions = strip_source(strip_instructor_only(text, path), path, rename=rename)
    stubs = stub_positions(student)
    return student, [Exercise(r.name, path, i + 1, r.hint, prelude=stub_prelude(student, i + 1))
                     for r, i in zip(regions, stubs)]  # fmt: skip


def colab_setup(source, url=COLAB_URL, ref=""):
    """The release's setup cell: in Colab, clone the student's copy and install it editable (the
    instructor's cell pip-installs a read-only package); everywhere, autoreload."""
    if find_block(source) is None:
        return source
    return replace_block(source, student_block(url, ref))


_BADGE = "colab.research.google.com/github/numpy-dl-notebooks/numpy-dl-notebooks/"


def colab_badge(text, url=COLAB_URL):
    """Point the "Open in Colab" links at the release's repository, when it is on GitHub."""
    m = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", url)
    return text.replace(_BADGE, f"colab.research.google.com/github/{m[1]}/{m[2]}/") if m else text


def strip_notebook(nb, path, rename=None, colab_url=COLAB_URL, colab_ref="", catalogue=()):
    """(student notebook, exercises): outputs cleared, regions stubbed, stub cells tagged, the
    setup cell (the first code cell) made to install the student's own editable copy in Colab,
    and, if it needs exercises of `catalogue`, a cell that checks them appended."""
    needed = needed_exercises(nb, path, catalogue)
    nb, stem, exercises = copy.deepcopy(nb), Path(path).stem, []
    first = True
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = colab_badge(cell.source, colab_url)
        if cell.cell_type != "code":
            continue
        if first:
            cell.source, first = colab_setup(cell.source, colab_url, colab_ref), False
        cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)  # run timings
        student, regions = strip_source(
            cell.source, f"{path} cell {k}", notebook=True,
            default_name=f"{stem} cell {k}", prefix=f"{stem}.", rename=rename,
        )  # fmt: skip
        if regions:
            cell.source = student
            tags = cell.metadata.setdefault("tags", [])
            if NB_TAG not in tags:
                tags.append(NB_TAG)
            stubs = stub_positions(student)
            exercises += [Exercise(r.name, path, i + 1, r.hint, k) for r, i in zip(regions, stubs)]
    if needed:
        nb.cells += check_cells(needed)
    return nb, exercises


def _prepare(dest, source):
    dest, source = Path(dest).resolve(), Path(source).resolve()
    if dest == source or source.is_relative_to(dest):
        raise SystemExit(f"refusing to write the release over the source tree ({dest})")
    if dest.exists():
        if any(dest.iterdir()) and not (dest / MANIFEST).is_file():
            raise SystemExit(f"{dest} exists and is not a student release; remove it or pick another folder")
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    return dest


def build_release(dest, source=ROOT, untracked=False, colab_url=COLAB_URL, colab_ref="", hidden=False):
    """Write the student release of `source` into `dest`; return its exercises (one per name).
    With `hidden` (grading), the hidden tests are kept."""
    source = Path(source).resolve()
    paths = [p for p in tracked_files(source, untracked) if is_shipped(p)]
    if not hidden:
        paths = [p for p in paths if not (p.startswith("tests/") and p.endswith(".py")
                                          and hidden_module((source / p).read_text(encoding="utf-8")))]  # fmt: skip
    catalogue, renames = collect(source, paths)  # reads every marker first: a bad one stops before writing
    dest = _prepare(dest, source)
    exercises = []
    for path in paths:
        src, out = source / REPLACED.get(path, path), dest / path
        if path in REPLACED and not src.is_file():
            src = source / path  # a source without its own student files ships the instructor's
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.endswith(".py"):
            text = src.read_text(encoding="utf-8")
            student, found = strip_python(text if hidden else strip_hidden_tests(text), path, renames[path])
            out.write_text(student, encoding="utf-8")
        elif path.endswith(".ipynb"):
            nb, found = strip_notebook(nbformat.read(src, as_version=4), path, renames[path], colab_url, colab_ref,
                                       catalogue)  # fmt: skip
            nbformat.write(nb, out)
        else:
            shutil.copy2(src, out)
            continue
        shutil.copymode(src, out)
        exercises += found
    unique = {}
    for e in exercises:  # several regions in one function are one exercise
        unique.setdefault((e.file, e.name), e)
    exercise_points(source, list(unique.values()))
    write_manifest(dest, list(unique.values()))
    return list(unique.values())


def restore_release(dest, source=ROOT):
    """Copy the solution regions of `source` back into the release `dest` (by order of stubs).

    The round-trip test uses it: a release with every exercise solved must pass every check.
    """
    dest, source = Path(dest), Path(source)
    for path in sorted({e.file for e in read_manifest(dest)}):
        solution, student = source / path, dest / path
        if path.endswith(".py"):
            text = restore_source(student.read_text(encoding="utf-8"), solution.read_text(encoding="utf-8"), path)
            student.write_text(text, encoding="utf-8")
            continue
        sol_nb, nb = nbformat.read(solution, as_version=4), nbformat.read(student, as_version=4)
        for k, (sol, cell) in enumerate(zip(sol_nb.cells, nb.cells)):
            if cell.cell_type == "code":
                cell.source = restore_source(cell.source, sol.source, f"{path} cell {k}", notebook=True)
        nbformat.write(nb, student)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", nargs="?", default="build/student", help="output folder (default: build/student)")
    parser.add_argument("--source", default=str(ROOT), help="the instructor repository (default: this one)")
    parser.add_argument("--untracked", action="store_true", help="also ship untracked, not ignored files")
    parser.add_argument("--colab-url", default=COLAB_URL,
                        help=f"the repository the release's notebooks clone in Colab (default: {COLAB_URL})")
    parser.add_argument("--colab-ref", default="", help="the tag or commit of it they clone (default: its default branch)")
    args = parser.parse_args(argv)
    try:
        exercises = build_release(args.dest, args.source, args.untracked, args.colab_url or COLAB_URL, args.colab_ref)
    except MarkerError as err:
        raise SystemExit(f"student release not written: {err}") from err
    width = max((len(e.name) for e in exercises), default=0)
    for e in exercises:
        print(f"  {e.name:{width}s}  {e.file}:{e.line}" + (f" (cell {e.cell})" if e.cell >= 0 else ""))
    files = len({e.file for e in exercises})
    print(f"student release written to {args.dest}: {len(exercises)} exercises in {files} files")


if __name__ == "__main__":
    sys.exit(main())
