"""The Colab block of every notebook's set-up cell, written in one place.

    python -m tools.colab_cell --write notebooks/*.ipynb      # rewrite the block of each notebook
    python -m tools.colab_cell --check notebooks/*.ipynb      # exit 1 if one differs (CI, tests)

Two versions of the block, both rendered here:

- the instructor's notebooks (`instructor_block`): in Colab, pip-install the course's `helpers`
  package from a pinned version (a tag or commit: `--ref`, by default `v` + the version in
  pyproject.toml), with pip's output visible (Colab reads it to offer a restart when an
  already-imported package such as numpy is upgraded);
- the student release (`student_block`, used by tools/student_release.py): in Colab, clone the
  student's own copy once (it may live on Google Drive and survive the session) and install it
  editable, then turn on autoreload.

In both, whether to install is decided by what is installed in this Python (a new Colab
session has forgotten every pip install), never by whether a clone exists.
The block is the start of the cell: `import sys` (or `import os, subprocess, sys`), then the
`if "google.colab" in sys.modules:` statement with its indented lines; the rest of the cell
(the notebook's own imports) is left as it is.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "numpy-dl-notebooks"
INSTRUCTOR_REPO = "https://github.com/numpy-dl-notebooks/numpy-dl-notebooks"
# Where the release's notebooks clone the course from in Colab: the published student release.
STUDENT_REPO = "https://github.com/numpy-dl-notebooks/numpy-dl-notebooks-student"


def default_ref(root=ROOT):
    """The tag of this version of the course: 'v' + the version in pyproject.toml."""
    text = (Path(root) / "pyproject.toml").read_text(encoding="utf-8")
    m = re.search(r'(?m)^version\s*=\s*"([^"]+)"', text)
    return f"v{m[1]}" if m else "main"


def instructor_block(ref=None, repo=INSTRUCTOR_REPO):
    """The Colab block of the instructor's notebooks: install helpers pinned to `ref`, visibly."""
    ref = ref or default_ref()
    return f'''\
import sys
if "google.colab" in sys.modules:  # on Colab: install the course's helpers package ({ref})
    import importlib.metadata, subprocess
    try:  # this version installed in this session already? (a new Colab session has forgotten it)
        installed = importlib.metadata.distribution("{PACKAGE}").read_text("direct_url.json") or ""
    except importlib.metadata.PackageNotFoundError:
        installed = ""
    if '"{ref}"' not in installed:  # pip's output is shown: Colab offers a restart when it upgrades numpy
        subprocess.run([sys.executable, "-m", "pip", "install",
                        "git+{repo}@{ref}"], check=True)
'''


def student_block(url=STUDENT_REPO, ref=""):
    """The Colab block of the student release: clone the student's copy once (on Drive, it
    survives the session), install it editable in every new session, then autoreload."""
    branch = '"--branch", COURSE_REF, ' if ref else ""
    ref_line = f'COURSE_REF = "{ref}"  # the version of the course these notebooks were written for\n' if ref else ""
    return f'''\
import os, subprocess, sys
COURSE_REPO = "{url}"  # <- your copy of the course (your fork of the student release)
{ref_line}# Where your clone lives: on Google Drive it survives the session (see README: Colab).
COURSE_DIR = os.environ.get("NPDL_COURSE_DIR", "/content/course")
if "google.colab" in sys.modules or os.environ.get("NPDL_FORCE_COLAB"):  # (NPDL_FORCE_COLAB: tests)
    import importlib.metadata, pathlib
    if not os.path.isdir(os.path.join(COURSE_DIR, "helpers")):  # the first time: clone your copy
        subprocess.run(["git", "clone", {branch}COURSE_REPO, COURSE_DIR], check=True)
    try:  # this clone installed in this Python? (a new Colab session has forgotten every install)
        url = importlib.metadata.distribution("{PACKAGE}").read_text("direct_url.json") or ""
    except importlib.metadata.PackageNotFoundError:
        url = ""
    if pathlib.Path(COURSE_DIR).resolve().as_uri() not in url:  # install it editable, visibly
        subprocess.run([sys.executable, "-m", "pip", "install", "-e", COURSE_DIR], check=True)
    sys.path.insert(0, COURSE_DIR)  # this kernel started before the install
    os.chdir(os.path.join(COURSE_DIR, "notebooks"))
# Re-import edited helpers/*.py before every cell, so your changes reach this running notebook.
%load_ext autoreload
%autoreload 2
'''


_START = re.compile(r'\A(import [\w, ]+\n)(?:[^\n]*\n)*?if "google\.colab" in sys\.modules[^\n]*\n')


def find_block(source):
    """(start, end) of the Colab block at the start of a set-up cell's source, or None.

    The block runs from the first line (an `import` of sys) through the `if "google.colab" ...`
    statement and every indented or blank line after it, plus the autoreload lines that follow
    (student release)."""
    m = _START.match(source)
    if not m:
        return None
    lines = source[m.end():].split("\n")
    end = m.end()
    for line in lines:
        if line.strip() and not line.startswith((" ", "\t")):
            if not (line.startswith("# Re-import edited") or line.startswith("%load_ext autoreload")
                    or line.startswith("%autoreload")):  # fmt: skip
                break
        end += len(line) + 1
    end = min(end, len(source))
    while end > m.end() and source[end - 1 : end + 1] == "\n\n":  # leave blank lines to the rest
        end -= 1
    return 0, end


def replace_block(source, block):
    """The cell's source with its Colab block replaced by `block`; ValueError if it has none."""
    span = find_block(source)
    if span is None:
        raise ValueError('the set-up cell does not start with a Colab block (import sys, then if "google.colab" ...)')
    return block + source[span[1]:]


def first_code_cell(nb):
    return next(k for k, c in enumerate(nb.cells) if c.cell_type == "code")


def _source(cell):
    return cell.source


def write(paths, block, check_only=False):
    """Rewrite (or with check_only, compare) the Colab block of each notebook; the ones that differ."""
    differ = []
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)
        cell = nb.cells[first_code_cell(nb)]
        try:
            new = replace_block(_source(cell), block)
        except ValueError as err:
            raise SystemExit(f"{path}: {err}") from None
        if new != _source(cell):
            differ.append(path)
            if not check_only:
                cell.source = new
                nbformat.write(nb, path)
    return differ


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite the Colab block of each notebook's set-up cell")
    mode.add_argument("--check", action="store_true", help="exit 1 if a notebook's block is not the rendered one")
    parser.add_argument("--ref", help=f"the tag or commit Colab installs (default: {default_ref()})")
    args = parser.parse_args(argv)
    differ = write(args.notebooks, instructor_block(args.ref), check_only=args.check)
    for path in differ:
        print(f"{path}: Colab block {'differs' if args.check else 'rewritten'}")
    return 1 if args.check and differ else 0


if __name__ == "__main__":
    sys.exit(main())
