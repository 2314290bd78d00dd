"""The course website (`make site`, tools/build_site.py) and its browser check (tools/check_site.py).

The site is built from the stored notebooks once for all the tests of this file, into a temporary
folder. The tests skip, saying why, without the `site` extra (Sphinx, myst-nb, the book theme,
playwright), without npm (MathJax comes from its registry) or, for the browser tests, without
Chromium (tools/install_browser.sh installs it). The browser test of the full site saves its
screenshots to build/site-shots/.
"""
import base64
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.exercises import BEGIN, marker_spans
from tools.student_release import is_shipped, strip_python, tracked_files

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))


def _missing_site_extra():
    missing = []
    for mod in ("sphinx", "myst_nb", "sphinx_book_theme"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod)
    return missing


MISSING = _missing_site_extra()
needs_site = pytest.mark.skipif(
    bool(MISSING), reason=f"the course website needs the `site` extra ({', '.join(MISSING)} missing): pip install -e '.[site]'"
)


def _needs_npm():
    from tools.build_site import DEPS

    if not (DEPS / "node_modules" / "mathjax" / "tex-chtml.js").is_file() and shutil.which("npm") is None:
        pytest.skip("the site serves MathJax from the npm package `mathjax`; npm is not installed and build/site-deps has no copy")


def _needs_browser():
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("the browser test needs playwright (the `site` extra): pip install -e '.[site]'")
    from tools.check_site import find_chromium

    if find_chromium() is None:
        pytest.skip("no Chromium to run the browser test: run tools/install_browser.sh (Debian's chromium package) "
                    "or set NPDL_CHROMIUM to a Chromium binary")


def _build(tmp, notebooks=ROOT / "notebooks", solutions=False, name="site"):
    from tools.build_site import build

    _needs_npm()
    out = Path(tmp) / name
    build(out, notebooks, solutions=solutions, src=Path(tmp) / f"{name}-src")
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if MISSING:
        pytest.skip(f"the course website needs the `site` extra ({', '.join(MISSING)} missing)")
    return _build(tmp_path_factory.mktemp("site"))


def _pre_lines(site_dir):
    """{stripped line of a <pre> block (code cells, printed outputs): page} over the whole site."""
    lines = {}
    for page in sorted(Path(site_dir).rglob("*.html")):
        for block in re.findall(r"<pre[^>]*>(.*?)</pre>", page.read_text(encoding="utf-8"), re.DOTALL):
            for line in html.unescape(re.sub(r"<[^>]+>", "", block)).split("\n"):
                lines.setdefault(line.strip(), page.relative_to(site_dir).as_posix())
    return lines


def solution_lines():
    """Lines of the solution regions (of the files the release ships) that occur nowhere else in
    those files: what only a solution shows."""
    inside, outside = set(), set()
    for path in tracked_files(ROOT):
        if not is_shipped(path) or not path.endswith((".py", ".ipynb")):
            continue
        full = ROOT / path
        sources = [full.read_text(encoding="utf-8")] if path.endswith(".py") else [
            "".join(c["source"]) for c in json.loads(full.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        for source in sources:
            lines = source.split("\n")
            body = {i for b, e in marker_spans(lines, path) for i in range(b + 1, e)}
            for i, line in enumerate(lines):
                (inside if i in body else outside).add(line.strip())
    return {line for line in inside - outside if len(line) >= 8}


# --- without a build -----------------------------------------------------------------------------


def test_lessons_are_the_notebooks_in_order_with_companions_under_their_lesson(tmp_path):
    from tools.build_site import lessons

    for name in ("02_b.ipynb", "01_a.ipynb", "01c_z.ipynb", "01b_y.ipynb", "03b_orphan.ipynb", "nbval_sanitize.cfg", "x.ipynb"):
        (tmp_path / name).write_text("{}")
    got = [(c.name if c else None, [p.name for p in comp]) for c, comp in lessons(tmp_path)]
    assert got == [("01_a.ipynb", ["01b_y.ipynb", "01c_z.ipynb"]), ("02_b.ipynb", []), (None, ["03b_orphan.ipynb"])]


def test_solution_lines_are_found():
    """The leak test below has something to look for: the regions of helpers and notebook 01."""
    lines = solution_lines()
    assert "e = np.exp(shifted)" in lines  # softmax, helpers/functional.py
    assert "dS = (np.exp(log_P) - T) / N" in lines  # notebook 01's exercise cell
    assert len(lines) > 40


# --- the built site --------------------------------------------------------------------------------


@needs_site
def test_every_notebook_has_a_page_listed_on_the_home_page(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    for nb in NOTEBOOKS:
        assert (site / "notebooks" / f"{nb.stem}.html").is_file(), f"no page for {nb.name}"
        assert f'href="notebooks/{nb.stem}.html"' in home, f"the home page does not link {nb.name}"
    assert (site / "search.html").is_file() and (site / "searchindex.js").is_file()


@needs_site
def test_each_lesson_has_a_colab_button_opening_the_student_release(site):
    from tools.student_release import COLAB_URL

    owner_repo = COLAB_URL.removeprefix("https://github.com/")
    for nb in NOTEBOOKS:
        page = (site / "notebooks" / f"{nb.stem}.html").read_text(encoding="utf-8")
        url = f"https://colab.research.google.com/github/{owner_repo}/blob/main/notebooks/{nb.name}"
        assert url in page, f"{nb.name}: no Colab button opening {url}"


@needs_site
def test_mathjax_is_served_by_the_site_and_no_page_loads_from_another_host(site):
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (site / "_static" / "mathjax-fonts" / "mathjax-newcm-font" / "chtml.js").is_file()
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r"""<(?:script|img|link)[^>]+(?:src|href)=["'](https?:)?//[^"']+""", text)
        assert not remote, f"{page.relative_to(site)} loads from another host: {remote}"


@needs_site
def test_no_line_of_a_solution_is_on_the_site(site):
    solutions = solution_lines()
    leaked = {line: page for line, page in _pre_lines(site).items() if line in solutions}
    assert not leaked, f"solution lines on the student site: {leaked}"


@needs_site
def test_the_leak_test_finds_the_solutions_in_the_instructor_build(tmp_path):
    """The instructor's build (--solutions) shows them: the test above can fail. Notebook 01 alone:
    its exercise cell and the printed sources of softmax and minibatches."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    shutil.copy2(ROOT / "notebooks" / "01_linear_classifier.ipynb", nbs)
    _companions(nbs, "01")
    _printing_notebook(nbs / "00_prints_softmax.ipynb")
    instructor = _build(tmp_path, nbs, solutions=True)
    on_site = _pre_lines(instructor)
    assert {"e = np.exp(shifted)", "dS = (np.exp(log_P) - T) / N", BEGIN} <= set(on_site)  # softmax's printed source, the cell


def _printing_notebook(path):
    """A lesson whose stored output is print(inspect.getsource(F.softmax)) as the instructor's run printed it."""
    import inspect

    import nbformat

    from helpers import functional as F

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# 00 · Printed source\n\nThe kernel, printed."),
                nbformat.v4.new_code_cell("print(inspect.getsource(F.softmax))",
                                          outputs=[nbformat.v4.new_output("stream", text=inspect.getsource(F.softmax))])]
    nbformat.write(nb, path)


@needs_site
def test_printed_sources_show_the_release_stub_and_the_rest_of_the_function(tmp_path):
    """print(inspect.getsource(F.softmax)) on the site: the student release's softmax, stub and all."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    _printing_notebook(nbs / "00_prints_softmax.ipynb")
    student_py, _ = strip_python((ROOT / "helpers" / "functional.py").read_text(encoding="utf-8"), "helpers/functional.py", {})
    stub = next(ln.strip() for ln in student_py.split("\n") if "Exercise softmax:" in ln)
    page = _pre_lines(_build(tmp_path, nbs))
    assert page.get(stub) == "notebooks/00_prints_softmax.html", f"{stub!r} not shown where the source is printed"
    assert "e = np.exp(shifted)" not in page
    assert 'scores = _check_2d(scores, "scores")' in page  # the code around the region stays


def _tiny_notebook(path, title, text="The loss is $L = -\\log p$."):
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\n{text}"),
                nbformat.v4.new_code_cell("print(1 + 1)", outputs=[nbformat.v4.new_output("stream", text="2\n")])]
    nbformat.write(nb, path)


@needs_site
def test_companions_are_listed_and_nested_under_their_lesson(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    for name, title in [("02_next", "02 · Next"), ("01_first", "01 · First"), ("01b_deep_dive", "01b · Deep dive"),
                        ("01c_protocol", "01c · Protocol")]:
        _tiny_notebook(nbs / f"{name}.ipynb", title)
    site = _build(tmp_path, nbs)
    home = (site / "index.html").read_text(encoding="utf-8")
    table = home[home.index("The lessons"):]
    order = [table.index(f'href="notebooks/{n}.html"') for n in ("01_first", "01b_deep_dive", "01c_protocol", "02_next")]
    assert order == sorted(order), "the home page lists the notebooks out of order"
    # the navigation: the companions in a list inside lesson 01's item, before lesson 02's
    nav = home[home.index('bd-docs-nav'):]
    nav = nav[: nav.index("</nav>")]
    first, deep, proto, nxt = (nav.index(f"notebooks/{n}.html") for n in ("01_first", "01b_deep_dive", "01c_protocol", "02_next"))
    assert first < deep < proto < nxt
    assert "<ul" in nav[first:deep], "the companions are not nested under their lesson in the navigation"
    lesson = (site / "notebooks" / "01_first.html").read_text(encoding="utf-8")
    assert 'href="01b_deep_dive.html"' in lesson and 'href="01c_protocol.html"' in lesson


@needs_site
def test_site_build_fails_on_a_sphinx_warning(tmp_path):
    from tools.build_site import SiteError

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / "03_vector_backprop.ipynb", as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("See [nowhere](no_such_page.ipynb)."))
    nbformat.write(nb, nbs / "03_vector_backprop.ipynb")
    _companions(nbs, "03")
    with pytest.raises(SiteError, match="warnings count as errors"):
        _build(tmp_path, nbs)


# --- in a real browser -----------------------------------------------------------------------------


@needs_site
def test_every_page_renders_in_chromium(site):
    """No console error, nothing from another host, every formula typeset, every image shown,
    every internal link resolves, search works; screenshots into build/site-shots/."""
    _needs_browser()
    from tools.check_site import check, pages

    shots = ROOT / "build" / "site-shots"
    problems = check(site, shots=shots, log=lambda _: None)
    assert not problems, "\n".join(problems)
    for page in pages(site):
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", page[:-5])
        for width in ("desktop", "mobile"):
            assert (shots / f"{stem}-{width}.png").stat().st_size > 1000


def _companions(nbs, number):
    """Copy lesson `number`'s companions into nbs: a lesson links them, and a link to a page the build
    lacks is a warning (an error)."""
    for path in sorted((ROOT / "notebooks").glob(f"{number}[b-z]_*.ipynb")):
        shutil.copy2(path, nbs)


def _mutate(tmp_path):
    """Two lessons copied and broken: in 02, a figure's PNG data damaged; in 03, one inline formula
    left unclosed and another calling an undefined macro."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    nb2 = json.loads((ROOT / "notebooks" / "02_scalar_backprop.ipynb").read_text(encoding="utf-8"))
    figure = next(o for c in nb2["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    figure["data"]["image/png"] = base64.b64encode(b"this is not a PNG image").decode()
    (nbs / "02_scalar_backprop.ipynb").write_text(json.dumps(nb2), encoding="utf-8")
    nb3 = json.loads((ROOT / "notebooks" / "03_vector_backprop.ipynb").read_text(encoding="utf-8"))
    texts = [c for c in nb3["cells"] if c["cell_type"] == "markdown" and re.search(r"(?<![$\\])\$[^$\n]+\$(?!\$)", "".join(c["source"]))]
    first, second = texts[0], texts[1]
    first["source"] = re.sub(r"(?<![$\\])\$([^$\n]+)\$(?!\$)", r"$\1", "".join(first["source"]), count=1)  # unclosed
    second["source"] = re.sub(r"(?<![$\\])\$([^$\n]+)\$(?!\$)", r"$\\notamacro{\1}$", "".join(second["source"]), count=1)
    (nbs / "03_vector_backprop.ipynb").write_text(json.dumps(nb3), encoding="utf-8")
    _companions(nbs, "02")
    _companions(nbs, "03")
    return nbs


@needs_site
def test_the_browser_test_fails_on_a_missing_figure_and_a_broken_formula(tmp_path):
    _needs_browser()
    from tools.check_site import check

    mutated = _build(tmp_path, _mutate(tmp_path))
    # and one figure of lesson 03 deleted from the built site
    page3 = (mutated / "notebooks" / "03_vector_backprop.html").read_text(encoding="utf-8")
    gone = re.findall(r'src="\.\./(_images/[^"]+\.png)"', page3)[0]
    (mutated / gone).unlink()
    problems = check(mutated, shots=None, widths={"desktop": (1280, 800)}, log=lambda _: None)
    text = "\n".join(problems)
    assert re.search(r"02_scalar_backprop\.html \(desktop\): image not shown \(natural size 0x0\)", text), text
    assert re.search(r"03_vector_backprop\.html \(desktop\): image not shown .*" + re.escape(gone.split("/")[-1]), text), text
    assert re.search(r"03_vector_backprop\.html \(desktop\): formula not typeset, raw TeX left in the text: .*\$", text), text
    assert re.search(r"03_vector_backprop\.html \(desktop\): formula MathJax could not typeset: .*notamacro", text), text
    assert all("02_scalar_backprop" in p or "03_vector_backprop" in p for p in problems), text


def test_site_tests_skip_with_a_reason_without_the_extra():
    """`make test` without the `site` extra: these tests skip and say what to install."""
    r = subprocess.run(
        [sys.executable, "-c", "import sys; sys.modules['sphinx'] = None; import tests.test_site as t; print(t.MISSING)"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stderr
    assert "sphinx" in r.stdout


def test_the_home_page_summary_keeps_a_link_s_text_only():
    """A companion's first sentence links its lesson relative to notebooks/; on the home page (one
    folder up) that link would not resolve, so the summary keeps the words and drops the link."""
    import nbformat

    from tools.build_site import title_and_summary

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# 01b · A companion\n\nThis follows [01_a.ipynb](01_a.ipynb) and adds a protocol. More.")])
    assert title_and_summary(nb, "01b_x.ipynb") == ("01b · A companion", "This follows 01_a.ipynb and adds a protocol.")
