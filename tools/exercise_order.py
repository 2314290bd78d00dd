"""Which exercises each notebook of a student release needs, in the order it meets them (for the
table in tools/student/README.md). Instructors only; slow (it runs every notebook once).

    python -m tools.exercise_order [RELEASE_DIR]      # default: a fresh release in build/order

It builds a release, runs the notebooks in order in one kernel each, and at every stub it meets
plants the reference solution (as a student writes it; `%autoreload 2` brings it in) and re-runs
the cell. Solutions planted for one notebook stay for the next, so each notebook lists only the
exercises that are new to it.
"""
import os
import shutil
import sys
import textwrap
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.exercises import collect, file_regions, replace_stubs, stub_name_in_error
from tools.student_release import ROOT, build_release, is_shipped, tracked_files


def _solutions():
    paths = [p for p in tracked_files(ROOT, untracked=True) if is_shipped(p) and p.startswith("helpers/")]
    _, renames = collect(ROOT, paths)
    found = {}
    for path in paths:
        lines = (ROOT / path).read_text().split("\n")
        for region, _ in file_regions(ROOT, path, renames[path]):
            found[region.name] = (path, textwrap.dedent("\n".join(lines[region.begin + 1 : region.end])))
    return found


def _plant(dest, path, name, code):
    (dest / path).write_text(replace_stubs((dest / path).read_text(), lambda n: code if n == name else None))


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    dest = Path(args[0] if args else ROOT / "build" / "order").resolve()
    if dest.exists():
        shutil.rmtree(dest)
    build_release(dest, ROOT, untracked=True)
    solutions = _solutions()
    os.environ.update(PYTHONPATH=str(dest), JUPYTER_PREFER_ENV_PATH="1")
    os.environ.setdefault("NPDL_DATA_DIR", str(ROOT / "data"))
    for path in sorted((dest / "notebooks").glob("[0-9][0-9]*_*.ipynb")):
        nb, order = nbformat.read(path, as_version=4), []
        solution_nb = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
        client = NotebookClient(nb, kernel_name="python3", timeout=900, allow_errors=True,
                                resources={"metadata": {"path": str(path.parent)}})  # fmt: skip
        with client.setup_kernel():
            k = 0
            while k < len(nb.cells):
                cell = nb.cells[k]
                if cell.cell_type == "code":
                    client.execute_cell(cell, k)
                    errors = [o for o in cell.outputs if o.output_type == "error"]
                    if errors:
                        name = stub_name_in_error(errors[0].evalue) if errors[0].ename == "NotImplementedError" else None
                        if not name:
                            raise SystemExit(f"{path.name} cell {k}: {errors[0].ename}: {errors[0].evalue}")
                        order.append(name)
                        if name in solutions:
                            _plant(dest, *solutions[name][:1], name, solutions[name][1])
                        else:  # a notebook exercise: its cell with the solution, run again
                            j = next(j for j, c in enumerate(nb.cells) if name in stub_name_in_error(c.source, anywhere=True))
                            nb.cells[j].source = solution_nb.cells[j].source
                            client.execute_cell(nb.cells[j], j)
                        continue
                k += 1
        print(f"{path.name}: {', '.join(order) or 'none new'}", flush=True)


if __name__ == "__main__":
    main()
