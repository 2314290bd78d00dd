"""Discovery for the checker: which exercises there are, where their code starts (as the
profiler sees it), whether their stub is still in place, and what a failure says."""
import ast
import os
import re
from pathlib import Path

from tools.exercises import code_cells, collect, stub_name, stub_name_in_error, stub_prelude


def instructor_exercises(root):
    """Exercises read from the markers (the instructor's repository has no manifest)."""
    paths = [p.relative_to(root).as_posix() for p in sorted(root.glob("helpers/**/*.py"))]
    paths += [p.relative_to(root).as_posix() for p in sorted(root.glob("notebooks/*.ipynb"))]
    return collect(root, paths)[0]


def code_keys(root, ex):
    """(filename, first line) of the exercise function's code object, as the profiler sees it."""
    path = root / ex.file
    want = ex.name.split(".")
    if want[0] == path.stem:  # a name found in two files was qualified with its module
        want = want[1:]
    for qual, node in _qualnames(ast.parse(path.read_text())):
        if qual == want:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            return [(name, first) for name in {str(path), os.path.realpath(path)}]
    return []


def _qualnames(tree, prefix=()):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            qual = [*prefix, node.name]
            if not isinstance(node, ast.ClassDef):
                yield qual, node
            yield from _qualnames(node, tuple(qual))


def stub_in_place(root, ex):
    """True when the exercise's stub line is still in its file (or notebook cell) with no code
    written above it (code above a stub line left in is judged as code)."""
    path = root / ex.file
    if not path.is_file():
        return False
    sources = [source for _, source in code_cells(path)] if ex.cell >= 0 else [path.read_text()]
    for source in sources:
        for k, line in enumerate(source.split("\n"), 1):
            if stub_name(line) == ex.name:
                if ex.cell >= 0 or getattr(ex, "prelude", -1) < 0:
                    return True
                return stub_prelude(source, k) in (-1, ex.prelude)
    return False


def comparison(excinfo, root, timeout_type):
    """The failing comparison on one line: 'assert 0.31 < 1e-07', 'ValueError: shapes ...'."""
    if excinfo.errisinstance(timeout_type):
        return str(excinfo.value)
    text = excinfo.exconly()
    if excinfo.errisinstance(AssertionError):
        text = re.sub(r"^AssertionError:\s*", "", text)
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)  # object addresses change from run to run
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if lines and lines[0].startswith("assert "):  # pytest's rewritten assert: the comparison, and
        lines = lines[:1] + [ln for ln in lines[1:2] if ln.startswith("+") and len(ln) < 90]  # the call
    one = " | ".join(lines[:4])
    mine = [e for e in excinfo.traceback if _in_student_code(Path(str(e.path)), root)]
    if mine:  # raised inside the student's code (not in the test): say where
        where = Path(str(mine[-1].path)).resolve().relative_to(root.resolve()).as_posix()
        one += f"  (raised at {where}:{mine[-1].lineno + 1})"
    return one if len(one) <= 300 else one[:297] + "..."


def _in_student_code(path, root):
    try:
        rel = path.resolve().relative_to(root.resolve()).parts
    except ValueError:
        return False
    return bool(rel) and rel[0] not in ("tests", "tools", ".venv")


def todo_name(excinfo, known):
    """The exercise whose stub raised, also when a test wrapped the stub's error in its own
    (pytest.raises(RuntimeError) catches NotImplementedError, a subclass, then fails to match)."""
    exc, seen = excinfo.value, set()
    while exc is not None and id(exc) not in seen:
        name = stub_name_in_error(str(exc)) if isinstance(exc, NotImplementedError) else None
        if name:
            return name
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    names = [n for n in stub_name_in_error(excinfo.exconly(), anywhere=True) if n in known]
    return names[0] if names else None
