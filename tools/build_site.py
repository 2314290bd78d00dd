"""Build the course website from the stored notebooks (`make site`): build/site/index.html.

    python -m tools.build_site [--out build/site] [--notebooks notebooks] [--solutions]

Every notebook `notebooks/NN*_*.ipynb` becomes one page, in sorted order; a companion
(`01b_...`) is listed under its lesson (`01_...`). The pages show the stored outputs (nothing
is executed) and the code as the student release shows it: each solution region becomes its
stub (tools/student_release.py's `strip_notebook`, the same code that writes the release), and a
printed source of a `helpers` function (`print(inspect.getsource(...))`) shows that function
as the release has it, stub included. `--solutions` is the instructor's private build: the
notebooks as they are. The sources go to build/site-src/ (website/ plus the prepared
notebooks) and Sphinx builds them with -W: a warning fails the build.

MathJax 4 is served from the site: the npm package `mathjax` is installed into
build/site-deps/ (`npm install`, once) and copied into the site's _static/.
"""
import argparse
import copy
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from tools.exercises import BEGIN, BEGIN_ONLY, MarkerError, collect, find_regions, stub_lines, strip_instructor_only, strip_source
from tools.student_release import COLAB_URL, is_shipped, strip_notebook, tracked_files

ROOT = Path(__file__).resolve().parent.parent
WEBSITE = ROOT / "website"
NOTEBOOK_GLOB = "[0-9][0-9]*_*.ipynb"
# The instructor's repository: where the instructor build's Colab buttons point.
INSTRUCTOR_URL = "https://github.com/numpy-dl-notebooks/numpy-dl-notebooks"
MATHJAX = "mathjax@4"  # the npm package (and its font, @mathjax/mathjax-newcm-font, a dependency)
DEPS = ROOT / "build" / "site-deps"
_NAME = re.compile(r"^(?P<num>\d\d)(?P<sub>[a-z]*)_(?P<rest>.+)$")
# A linked image from another host (the Colab badge): a plain link on the site, so that no page
# loads anything from the network.
_REMOTE_BADGE = re.compile(r"\[!\[([^\]]*)\]\((https?://[^)\s]+)\)\]\(([^)\s]+)\)")


class SiteError(RuntimeError):
    """The site cannot be built; the message says why and what to do."""


# --- which notebooks, in which order ----------------------------------------------------------


def lessons(notebooks):
    """[(core path or None, [companion paths])] in sorted order, from the notebooks' names.

    `01_x.ipynb` is a lesson; `01b_y.ipynb`, `01c_z.ipynb` are its companions. A companion whose
    lesson is missing is listed on its own.
    """
    paths = sorted(Path(notebooks).glob(NOTEBOOK_GLOB))
    groups, by_num = [], {}
    for p in paths:
        m = _NAME.match(p.stem)
        if not m:
            continue
        if not m["sub"]:
            by_num[m["num"]] = (p, [])
            groups.append(by_num[m["num"]])
        elif m["num"] in by_num:
            by_num[m["num"]][1].append(p)
        else:
            groups.append((None, [p]))
    return groups


def title_and_summary(nb, where):
    """The first heading of a notebook (its title) and the first sentence of the text after it."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        for i, line in enumerate(lines):
            if line.startswith("# "):
                rest = " ".join(ln.strip() for ln in lines[i + 1 :] if ln.strip() and not ln.startswith(("[", "!", "#")))
                sentence = re.split(r"(?<=[.!?])\s", rest, maxsplit=1)[0] if rest else ""
                # the home page is not in notebooks/: a link of the sentence keeps its text only
                sentence = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", sentence)
                return line[2:].strip(), sentence
    raise SiteError(f"{where} has no title: a markdown cell starting with '# ' (the lesson's title) was expected")


# --- the student view of a notebook ------------------------------------------------------------


def _printed_region_stubs(source_root, renames):
    """{region text as printed by inspect.getsource: its stub} for every .py solution region."""
    pairs = {}
    for path, rename in renames.items():
        if not path.endswith(".py"):
            continue
        text = strip_instructor_only((Path(source_root) / path).read_text(encoding="utf-8"), path)
        lines = text.split("\n")
        for r in find_regions(text, path, rename=rename):
            pairs["\n".join(lines[r.begin : r.end + 1])] = "\n".join(stub_lines(r))
    return pairs


def _student_text(text, pairs, where):
    """A printed text as the student release would print it: instructor-only blocks dropped and
    each solution region of a helpers function replaced by its stub. A region that matches no
    file's region (the notebook was run on other code) is stubbed by the same parser, under the
    name of the cell."""
    if BEGIN not in text and BEGIN_ONLY not in text:
        return text
    text = strip_instructor_only(text, where)
    for block, stub in pairs.items():
        text = text.replace(block, stub)
    if BEGIN in text:
        try:
            text, _ = strip_source(text, where, notebook=True, default_name=where)
        except MarkerError as err:
            raise SiteError(f"{where}: printed source holds a solution region the site cannot stub ({err}); "
                            "re-run the notebook or drop that output") from None
    return text


def student_view(nb, path, rename, pairs, colab_url):
    """The notebook as the site shows it: the student release's code cells with the stored outputs."""
    student, _ = strip_notebook(nb, path, rename, colab_url)
    for k, (orig, cell) in enumerate(zip(nb.cells, student.cells)):
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = copy.deepcopy(orig.outputs), orig.execution_count
        for out in cell.outputs:
            where = f"{path} cell {k} output"
            if out.get("output_type") == "stream":
                out["text"] = _student_text(out["text"], pairs, where)
            for mime in ("text/plain", "text/markdown", "text/html"):
                if isinstance(out.get("data", {}).get(mime), str):
                    out["data"][mime] = _student_text(out["data"][mime], pairs, where)
    return student


def prepare_notebook(nb, companions):
    """Badges from other hosts become plain links; a lesson lists its companions (a hidden toctree
    nests them under it in the navigation)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _REMOTE_BADGE.sub(r"[\1](\3)", cell.source)
    if companions:
        items = "\n".join(f"- [{title}]({p.name})" for p, title in companions)
        names = "\n".join(p.stem for p, _ in companions)
        nb.cells.append(nbformat.v4.new_markdown_cell(
            f"## Companion notebooks\n\n{items}\n\n```{{toctree}}\n:hidden:\n\n{names}\n```"))
    return nb


def _renames(source_root, notebooks):
    """The exercise names the student release uses (qualified where two files share a class),
    keyed by notebooks/NAME.ipynb and by the package's paths."""
    try:
        py = [p for p in tracked_files(source_root) if is_shipped(p) and p.endswith(".py")]
    except SystemExit:  # not a git checkout (a copy): the package's files
        py = [f"helpers/{p.name}" for p in sorted((Path(source_root) / "helpers").glob("*.py"))]
    nbs = [str(p.resolve()) for p in sorted(Path(notebooks).glob(NOTEBOOK_GLOB))]
    _, renames = collect(source_root, py + nbs)  # (an absolute path is read where it is)
    return {(f"notebooks/{Path(k).name}" if k in nbs else k): v for k, v in renames.items()}


# --- the sources Sphinx builds -----------------------------------------------------------------


HOME = """\
# NumPy Deep Learning Notebooks

A course that builds neural networks from the equations up, in plain NumPy: softmax classifiers,
backpropagation by hand (scalar graphs, then modular layers), a two-layer MLP, residual networks and
convolution. Every backward pass is checked against finite differences; every result comes from real
data (MNIST, CIFAR-10 and small 2-D/5-D sets). Each lesson is a Jupyter notebook; the code it has
explained lives in the small `helpers` package (NumPy only).

{notice}

## The lessons

Read them in order: each one uses what the ones before it built.

{table}

## Get the code

```bash
git clone {repo}
cd {repo_name}
make lab     # set up a virtual environment, fetch the data, open the notebooks in JupyterLab
make check   # which exercises pass, which are not written yet, which are wrong
```

The parts you write are stubs such as `raise NotImplementedError("Exercise ...")`, in `helpers/*.py`
or in a notebook cell; the equation to implement is in the docstring above each one. The pages of
this site show the notebooks with those stubs and with the outputs of the instructor's run, so you
can see what your code should produce.

## Run it in Colab

Every lesson has a **Colab** button (the rocket at the top of its page, and a link under its title):
it opens the notebook in Google Colab, whose first cell clones the course and installs it. Nothing
to install on your computer.

```{{toctree}}
:hidden:
:caption: Lessons

{toctree}
```
"""


def write_sources(src, notebooks, solutions, colab_url, source_root=ROOT):
    """Write website/ and the prepared notebooks into `src`; return the pages' (path, title)."""
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(WEBSITE, src, ignore=shutil.ignore_patterns("__pycache__"))
    (src / "notebooks").mkdir()
    groups = lessons(notebooks)
    if not groups:
        raise SiteError(f"no notebooks {NOTEBOOK_GLOB} in {notebooks}: nothing to build")
    renames = {} if solutions else _renames(source_root, notebooks)
    pairs = {} if solutions else _printed_region_stubs(source_root, renames)
    repo = INSTRUCTOR_URL if solutions else colab_url
    m = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", repo)
    if not m:
        raise SiteError(f"the Colab buttons need a GitHub repository URL (https://github.com/OWNER/NAME), got {repo!r}")
    (src / "site_settings.json").write_text(json.dumps({"repository_url": repo, "solutions": solutions}))

    def load(path):
        nb = nbformat.read(path, as_version=4)
        title, summary = title_and_summary(nb, path)
        rel = f"notebooks/{path.name}"
        if not solutions:
            nb = student_view(nb, rel, renames.get(rel, {}), pairs, colab_url)
        return nb, title, summary

    rows, toc = ["| lesson | in one sentence |", "|---|---|"], []
    for core, companions in groups:
        loaded = [(p, *load(p)) for p in companions]
        if core is not None:
            nb, title, summary = load(core)
            nbformat.write(prepare_notebook(nb, [(p, t) for p, _, t, _ in loaded]), src / "notebooks" / core.name)
            rows.append(f"| [{title}](notebooks/{core.name}) | {summary} |")
            toc.append(f"notebooks/{core.stem}")
        for p, nb, title, summary in loaded:
            nbformat.write(prepare_notebook(nb, []), src / "notebooks" / p.name)
            rows.append(f"| ↳ [{title}](notebooks/{p.name}) | {summary} |")
            if core is None:
                toc.append(f"notebooks/{p.stem}")
    notice = ("**Instructor build: this site shows the solutions. Do not publish it.**" if solutions else
              "The pages show the notebooks as students get them: the exercises are stubs, the outputs "
              "are those of the instructor's run.")
    (src / "index.md").write_text(HOME.format(
        notice=notice, table="\n".join(rows), toctree="\n".join(toc), repo=repo + ".git",
        repo_name=m[2]), encoding="utf-8")


def ensure_mathjax(deps=DEPS):
    """The npm package `mathjax` (v4) in `deps`/node_modules, installed by npm if missing."""
    mj = deps / "node_modules" / "mathjax"
    font = deps / "node_modules" / "@mathjax" / "mathjax-newcm-font"
    if not (mj / "tex-chtml.js").is_file() or not (font / "chtml.js").is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise SiteError("the site serves MathJax itself and installs it with npm, which is not on PATH; "
                            "install Node.js (e.g. apt-get install npm) and run `make site` again")
        deps.mkdir(parents=True, exist_ok=True)
        r = subprocess.run([npm, "install", "--prefix", str(deps), "--no-audit", "--no-fund", "--loglevel=error", MATHJAX],
                           capture_output=True, text=True)
        if r.returncode != 0 or not (mj / "tex-chtml.js").is_file():
            raise SiteError(f"`npm install {MATHJAX}` into {deps} failed:\n{r.stdout}{r.stderr}")
    return mj, font


def copy_mathjax(static, deps=DEPS):
    """The parts of MathJax a page loads: the TeX-to-HTML bundle, its components and the font."""
    mj, font = ensure_mathjax(deps)
    out = static / "mathjax"
    out.mkdir(parents=True)
    shutil.copy2(mj / "tex-chtml.js", out)
    for d in ("input", "output", "ui", "a11y", "adaptors"):
        if (mj / d).is_dir():
            shutil.copytree(mj / d, out / d)
    fout = static / "mathjax-fonts" / "mathjax-newcm-font"
    fout.mkdir(parents=True)
    shutil.copy2(font / "chtml.js", fout)
    shutil.copytree(font / "chtml", fout / "chtml")


def build(out=ROOT / "build" / "site", notebooks=ROOT / "notebooks", solutions=False, colab_url=COLAB_URL,
          src=None, quiet=True):
    """Write the sources and run Sphinx (warnings are errors); return the seconds it took."""
    t0 = time.perf_counter()
    out = Path(out)
    src = Path(src) if src else out.parent / (out.name + "-src")
    write_sources(src, Path(notebooks), solutions, colab_url)
    copy_mathjax(src / "_static")
    if out.exists():
        shutil.rmtree(out)
    doctrees = out.parent / (out.name + "-doctrees")
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-E", "-b", "html", "-d", str(doctrees), str(src), str(out)]
    if quiet:
        cmd.insert(3, "-q")
    r = subprocess.run(cmd)
    if r.returncode != 0:
        raise SiteError(f"Sphinx failed (exit {r.returncode}; warnings count as errors): see the messages above")
    (out / ".nojekyll").touch()  # GitHub Pages: serve _static/ as it is
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "site"), help="output folder (default: build/site)")
    parser.add_argument("--notebooks", default=str(ROOT / "notebooks"), help="the notebooks (default: notebooks/)")
    parser.add_argument("--solutions", action="store_true",
                        help="instructors only: show the solutions (a private build; never publish it)")
    parser.add_argument("--colab-url", default=COLAB_URL,
                        help=f"the repository the Colab buttons open (default, the student release: {COLAB_URL})")
    args = parser.parse_args(argv)
    try:
        seconds = build(args.out, args.notebooks, args.solutions, args.colab_url)
    except (SiteError, MarkerError) as err:
        raise SystemExit(f"site not built: {err}") from None
    kind = "instructor build WITH SOLUTIONS (do not publish)" if args.solutions else "student view"
    print(f"site written to {args.out}/index.html ({kind}) in {seconds:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
