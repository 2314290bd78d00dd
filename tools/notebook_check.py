"""`make check` from a notebook cell, for a student without a terminal (Colab, JupyterLab):

    from tools.notebook_check import check
    check("softmax")                     # one exercise; check("Linear.forward", "softmax"): several
    check()                              # every exercise

It runs the same checker as `make check` (tools/check_exercises.py: the same tests, verdicts,
messages and time limit per test) in a fresh Python process, so the code checked is what your
files hold now, whatever this notebook has imported, and prints its report here.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(*names, timeout=None, color=True, root=ROOT):
    """(report text, {exercise: (status, detail)}, exit code) of the checker, showing `names` only."""
    root = Path(root)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "tools.check_exercises", "--exercises-json", str(out)]
        cmd += [f"--only={name}" for name in names]
        if timeout is not None:
            cmd.append(f"--exercise-timeout={timeout}")
        if color:
            cmd.append("--color=yes")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        if (root / "helpers" / "data.py").is_file():  # as make check: the data first (downloaded once)
            data = subprocess.run([sys.executable, "-m", "helpers.data"], cwd=root, env=env, capture_output=True,
                                  text=True)  # fmt: skip
            if data.returncode != 0:
                return data.stdout + data.stderr, {}, data.returncode
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
        rows = {}
        if out.is_file():
            rows = {e["name"]: (e["status"], e["detail"]) for e in json.loads(out.read_text())["exercises"]}
        return proc.stdout + proc.stderr, rows, proc.returncode


def check(*names, timeout=None):
    """Check the exercises `names` (all of them when none is given) and print the report, as
    `make check` would. Returns nothing: the report is the output of the cell."""
    text, rows, _ = run_check(*names, timeout=timeout)
    unknown = [n for n in names if rows and n not in rows]
    if unknown:
        print(f"no exercise is called {', '.join(map(repr, unknown))}; the exercises are: {', '.join(rows)}")
        return
    print(text.rstrip("\n"))
