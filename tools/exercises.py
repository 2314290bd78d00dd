"""Exercise regions: find the solution markers, name each exercise, write and read its stub.

A region is whole statements between a line `### BEGIN SOLUTION` and a line `### END SOLUTION`
at the same indentation. Its exercise is named after the innermost enclosing function
(`Linear.backward`, `softmax`), and the docstring supplies the hint, so the stub reads e.g.

    raise NotImplementedError("Exercise Linear.backward: implement dx = dout W^T, ... (see the class docstring)")

The student-release generator and the checker both use this module; it holds no solutions,
so it ships in the student release.
"""
import ast
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# Code the instructor's copy runs and the release drops entirely (a fast path that would show a
# solution); the code after the block is what the release runs instead.
BEGIN_ONLY, END_ONLY = "### BEGIN INSTRUCTOR ONLY", "### END INSTRUCTOR ONLY"
YOUR_CODE = "# YOUR CODE HERE"
MANIFEST = "tools/exercises.json"
# A comment that looks like a marker but is not exactly one (typo, wrong number of #) is an
# error: silently shipping a solution is worse than stopping the build.
_MARKER_LIKE = re.compile(r"^\s*#+\s*(BEGIN|END)\s+SOLUTION\b", re.IGNORECASE)
# The stub protocol: a stub line is `raise NotImplementedError("Exercise <name>: <hint>")`, and the
# error it raises starts with "Exercise <name>:". Rendered by stub_message, parsed by stub_name
# (a source line) and stub_name_in_error (an error message): nothing else reads it.
STUB_RE = re.compile(r"""^(?P<indent>[ \t]*)raise NotImplementedError\(["']Exercise (?P<name>[^:"']+):""")
_STUB_ERROR = re.compile(r"Exercise (?P<name>[^:'\"]+):")


class MarkerError(ValueError):
    """Unmatched, nested or malformed solution markers; the message names file and line."""


@dataclass
class Exercise:
    """One exercise as listed in the release's manifest (line numbers are 1-based)."""

    name: str
    file: str  # relative to the repository root, with forward slashes
    line: int  # line of the (first) stub in the student file, or of BEGIN in the source
    hint: str
    cell: int = -1  # notebook cell index, -1 for a Python file
    points: float = 1.0  # what the exercise is worth in grading (tools/grade.py)
    prelude: int = -1  # statements before the stub in its block, as released (-1: unknown)


@dataclass
class Region:
    begin: int  # 0-based index of the BEGIN line
    end: int  # 0-based index of the END line
    indent: str
    name: str
    hint: str


def marker_spans(lines, where):
    """(begin, end) index pairs of the marker lines; MarkerError names `where` and the line."""
    spans, open_at = [], None
    for i, line in enumerate(lines):
        text = line.strip()
        if text == BEGIN:
            if open_at is not None:
                raise MarkerError(
                    f"{where}:{i + 1}: nested {BEGIN!r}: the one at line {open_at + 1} is not "
                    f"closed by {END!r} yet"
                )
            open_at = i
        elif text == END:
            if open_at is None:
                raise MarkerError(f"{where}:{i + 1}: {END!r} without a {BEGIN!r} before it")
            _check_body(lines, open_at, i, where)
            spans.append((open_at, i))
            open_at = None
        elif _MARKER_LIKE.match(line):
            raise MarkerError(
                f"{where}:{i + 1}: malformed marker {text!r}; expected exactly {BEGIN!r} or "
                f"{END!r} on a line of its own"
            )
    if open_at is not None:
        raise MarkerError(f"{where}:{open_at + 1}: {BEGIN!r} is never closed by {END!r}")
    return spans


def _indent(line):
    return line[: len(line) - len(line.lstrip())]


def _check_body(lines, begin, end, where):
    indent = _indent(lines[begin])
    if _indent(lines[end]) != indent:
        raise MarkerError(
            f"{where}:{end + 1}: {END!r} is indented {len(_indent(lines[end]))} columns but its "
            f"{BEGIN!r} at line {begin + 1} is indented {len(indent)}; they must match"
        )
    body = [(k, line) for k, line in enumerate(lines[begin + 1 : end], begin + 2) if line.strip()]
    if not body:
        raise MarkerError(f"{where}:{begin + 1}: empty solution region (nothing between the markers)")
    for k, line in body:
        if not line.startswith(indent):
            raise MarkerError(
                f"{where}:{k}: line is indented less than the {BEGIN!r} at line {begin + 1}; "
                "a region must be whole statements inside one block"
            )


def _parse(source, where, notebook):
    if notebook:  # IPython magics and shell escapes are not Python; blank them for the parser
        source = re.sub(r"(?m)^(\s*)[%!].*$", r"\1pass", source)
    try:
        return ast.parse(source)
    except SyntaxError as err:
        if notebook:
            return None
        raise MarkerError(f"{where}:{err.lineno}: does not parse as Python: {err.msg}") from None


def _enclosing(tree, lineno):
    """Def/class nodes containing line `lineno` (1-based), outermost first."""
    if tree is None:
        return []
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    nodes = [n for n in ast.walk(tree) if isinstance(n, kinds) and n.lineno <= lineno <= n.end_lineno]
    return sorted(nodes, key=lambda n: n.lineno)


def _one_line(text):
    """Docstring equations are laid out with wide gaps between terms: keep them apart with commas."""
    text = re.sub(r"[ \t]{3,}(?=\()", " ", text.strip())  # ... x   (a remark)
    return " ".join(re.sub(r",?[ \t]{3,}(?=\S)", ", ", text).split())


_GRAD = re.compile(r"^(d\w*(\[[^\]]*\]|\([^)]*\))?\s*\+?=|dL/)")  # dx = .., dW[f] += .., dL/dy = ..


def _equation_hint(doc, method):
    """What to implement, from a docstring. A function's own docstring: its first equation with
    the rest of that paragraph, else its summary. A class docstring, for `method`: the line
    labelled `method:`, else its equations: gradients (dx = ...) for backward, the others for
    forward."""
    lines = [ln.strip() for ln in doc.splitlines()]
    if method is not None:
        labelled = [ln.split(":", 1)[1] for ln in lines if ln.lower().startswith(f"{method.lower()}:")]
        parts = [p.strip().rstrip(",").strip() for ln in lines for p in ln.split(";")]
        parts = [p for p in parts if re.search(r"\s\+?=\s", p)] or [p for ln in lines for p in ln.split(";") if "=" in p]
        grads = [p for p in parts if _GRAD.match(p)]
        plain = [p for p in parts[: parts.index(grads[0])] if p not in grads] if grads else parts
        chosen = labelled or (grads if method == "backward" and grads else plain if method == "forward" else [])
        if chosen:
            return "implement " + _one_line("; ".join(p.strip() for p in chosen))
    eqs = [i for i, ln in enumerate(lines) if re.search(r"\s\+?=\s", ln)]
    if not eqs:
        summary = lines[0].rstrip(".")
        return _one_line(summary[:1].lower() + summary[1:] if summary[1:2].islower() else summary)
    end = next((j for j in range(eqs[0], len(lines)) if not lines[j]), len(lines))
    return "implement " + _one_line(" ".join(lines[eqs[0] : end]))


def _name_and_hint(tree, lineno):
    chain = _enclosing(tree, lineno)
    funcs = [n for n in chain if not isinstance(n, ast.ClassDef)]
    if not funcs:
        return None, ""
    func = funcs[-1]
    name = ".".join(n.name for n in chain[: chain.index(func) + 1])
    doc = ast.get_docstring(func)
    if doc:
        return name, _equation_hint(doc, None) + " (see its docstring)"
    owners = [n for n in chain[: chain.index(func)] if isinstance(n, ast.ClassDef)]
    if owners and ast.get_docstring(owners[-1]):
        return name, _equation_hint(ast.get_docstring(owners[-1]), func.name) + " (see the class docstring)"
    return name, ""


def find_regions(source, where, notebook=False, default_name=None, prefix="", rename=None):
    """Regions of `source` (a .py file or one notebook cell), each named and with its hint.

    A region outside any function is named `default_name`; a function's name gets `prefix`
    (a notebook's stem) and then goes through `rename` (to tell apart equal names in two files).
    """
    lines = source.split("\n")
    spans = marker_spans(lines, where)
    if not spans:
        return []
    tree = _parse(source, where, notebook)
    regions = []
    for begin, end in spans:
        name, hint = _name_and_hint(tree, begin + 1)
        name = (default_name or f"line {begin + 1}") if name is None else prefix + name
        name = (rename or {}).get(name, name)
        if not hint and notebook:  # the comment just above the region says what it does
            above = [ln.strip() for ln in lines[:begin] if ln.strip().startswith("#")]
            hint = above[-1].lstrip("#").strip() if above else "complete this cell (see the text above it)"
        regions.append(Region(begin, end, _indent(lines[begin]), name, hint))
    return regions


def stub_message(name, hint):
    """The stub's string literal: 'Exercise <name>: <hint>'."""
    text = f"Exercise {name}: {hint or 'write this part'}"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stub_name(line):
    """The exercise named by a stub line (`raise NotImplementedError("Exercise NAME: ...")`), or None."""
    m = STUB_RE.match(line)
    return m["name"].strip() if m else None


def stub_name_in_error(message, anywhere=False):
    """The exercise named by a stub's error message ("Exercise NAME: ..."), or None; with
    `anywhere`, every name found anywhere in a longer text (a list)."""
    if anywhere:
        return [m["name"].strip() for m in _STUB_ERROR.finditer(message)]
    m = _STUB_ERROR.match(message)
    return m["name"].strip() if m else None


def stub_prelude(source, lineno):
    """How many statements precede the statement at line `lineno` (1-based) in its block, or -1.

    The release records it per stub: more statements there later means the student wrote code
    above a stub line they left in, and that code is what runs."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return -1
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(node, field, None)
            if isinstance(block, list):
                for k, stmt in enumerate(block):
                    if isinstance(stmt, ast.stmt) and stmt.lineno == lineno:
                        return k
    return -1


def replace_stubs(source, code_for):
    """`source` with each stub line whose exercise `code_for(name)` gives code (unindented, or
    None to keep the stub) replaced by that code, indented as the stub was."""
    out = []
    for line in source.split("\n"):
        m = STUB_RE.match(line)
        code = code_for(m["name"].strip()) if m else None
        out += [m["indent"] + ln if ln.strip() else "" for ln in code.split("\n")] if code is not None else [line]
    return "\n".join(out)


def stub_lines(region, notebook=False):
    raise_line = f"{region.indent}raise NotImplementedError({stub_message(region.name, region.hint)})"
    return [f"{region.indent}{YOUR_CODE}", raise_line] if notebook else [raise_line]


def strip_source(source, where, notebook=False, **naming):
    """(student source, regions): every region replaced by its stub, all else unchanged.

    `naming`: default_name, prefix, rename, as for find_regions.
    """
    lines = source.split("\n")
    regions = find_regions(source, where, notebook, **naming)
    for r in reversed(regions):
        lines[r.begin : r.end + 1] = stub_lines(r, notebook)
    student = "\n".join(lines)
    if regions and not notebook and not _parses(student):
        for r in regions:  # find the culprit, to name the line of its BEGIN marker
            alone = source.split("\n")
            alone[r.begin : r.end + 1] = stub_lines(r)
            if not _parses("\n".join(alone)):
                raise MarkerError(
                    f"{where}:{r.begin + 1}: replacing this solution region by its stub breaks the "
                    "file; a region must hold whole statements"
                )
    return student, regions


def _parses(source):
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def stub_positions(source):
    """0-based line indices of the stub `raise` lines in a student source, in order."""
    return [i for i, line in enumerate(source.split("\n")) if STUB_RE.match(line)]


def restore_source(student, solution, where, notebook=False):
    """Put the solution regions back into a student source, by order of the stubs.

    The markers themselves are not restored: the result is what a student who solved every
    exercise exactly as the instructor did would have written.
    """
    sol_lines = solution.split("\n")
    regions = find_regions(solution, where, notebook)
    lines = student.split("\n")
    stubs = stub_positions(student)
    if len(stubs) != len(regions):
        raise MarkerError(f"{where}: {len(stubs)} stubs in the student file but {len(regions)} solution regions")
    for r, i in reversed(list(zip(regions, stubs))):
        start = i - 1 if notebook and i > 0 and lines[i - 1].strip() == YOUR_CODE else i
        lines[start : i + 1] = sol_lines[r.begin + 1 : r.end]
    return "\n".join(lines)


def strip_instructor_only(source, where):
    """The source without its instructor-only blocks (marker lines included)."""
    out, open_at = [], None
    for i, line in enumerate(source.split("\n")):
        text = line.strip()
        if text == BEGIN_ONLY:
            if open_at is not None:
                raise MarkerError(f"{where}:{i + 1}: nested {BEGIN_ONLY!r}")
            open_at = i
        elif text == END_ONLY:
            if open_at is None:
                raise MarkerError(f"{where}:{i + 1}: {END_ONLY!r} without a {BEGIN_ONLY!r} before it")
            open_at = None
        elif open_at is None:
            out.append(line)
    if open_at is not None:
        raise MarkerError(f"{where}:{open_at + 1}: {BEGIN_ONLY!r} is never closed by {END_ONLY!r}")
    return "\n".join(out)


def without_markers(source):
    """The source with the marker lines dropped (what restore_source gives back)."""
    return "\n".join(ln for ln in source.split("\n") if ln.strip() not in (BEGIN, END, BEGIN_ONLY, END_ONLY))


def file_regions(root, path, rename=None):
    """(region, cell index or -1) for every region of one .py file or notebook under `root`."""
    full = Path(root) / path
    if path.endswith(".py"):
        return [(r, -1) for r in find_regions(full.read_text(encoding="utf-8"), path, rename=rename)]
    stem, found = Path(path).stem, []
    for k, source in code_cells(full):
        regions = find_regions(source, f"{path} cell {k}", True, f"{stem} cell {k}", f"{stem}.", rename)
        found += [(r, k) for r in regions]
    return found


def code_cells(path):
    """(index, source) of a notebook's code cells, read as plain JSON (nbformat is slow to import)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return [(k, "".join(c["source"])) for k, c in enumerate(cells) if c["cell_type"] == "code"]


def collect(root, paths):
    """(exercises, renames) of the marked files among `paths`.

    A class or function with exercises in two files has every one of its exercises qualified
    with its module: `scalar.Tanh.forward` and `scalar.Tanh.backward` in scalar.py,
    `layers.Tanh.backward` in layers.py (one name per class in the report, never `Tanh.forward`
    next to `scalar.Tanh.backward`); renames maps each path to its {name: qualified name}.
    Several regions in one function make one exercise; its line is the first BEGIN (1-based).
    """
    paths = [p for p in paths if p.endswith((".py", ".ipynb"))]
    found = {p: file_regions(root, p) for p in paths}

    def owner(name):  # the class of a method, or the function itself
        return name.split(".", 1)[0]

    per_file = Counter(o for p in paths for o in {owner(r.name) for r, _ in found[p]})
    renames = {p: {r.name: f"{Path(p).stem}.{r.name}" for r, _ in found[p] if per_file[owner(r.name)] > 1}
               for p in paths}  # fmt: skip
    exercises = {}
    for p in paths:
        for r, cell in found[p]:
            name = renames[p].get(r.name, r.name)
            exercises.setdefault((p, name), Exercise(name, p, r.begin + 1, r.hint, cell))
    return list(exercises.values()), renames


def write_manifest(root, exercises):
    path = Path(root) / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"exercises": [asdict(e) for e in exercises]}, indent=1) + "\n")
    return path


def read_manifest(root):
    """The exercises listed in a student release, or None in the instructor repository."""
    path = Path(root) / MANIFEST
    if not path.is_file():
        return None
    return [Exercise(**e) for e in json.loads(path.read_text())["exercises"]]
