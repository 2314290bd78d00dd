"""Grade a folder of student submissions with the instructor's tests (hidden ones included).

    make grade SUBMISSIONS=path/to/folder [TIMEOUT=30]
    python -m tools.grade SUBMISSIONS [--out build/grades] [--timeout 30] [--submission-timeout 1200]

Each entry of SUBMISSIONS is one student: a folder (their copy of the student release) or an
archive of it (.zip, .tar, .tar.gz, .tgz), named after the student. Each is graded in a folder
of its own: a fresh release of this repository with its hidden tests, into which only the
student's helpers/*.py are copied (their tests, tools and manifest are never used). The checker
of `make check` runs there in its own process, with its time limit per test, and the whole run
with a limit of its own; a submission that does not parse, crashes, hangs or deletes files is
graded as such (the exercises it did not pass earn 0) and the next one is graded as usual.

An exercise earns its points (tools/exercises.json, from tools/points.json) when it reads
"passed". Written to --out: grades.csv (one row per student, one column per exercise, the total
and how the run ended) and <student>/results.json in Gradescope's format.

Not a sandbox: a submission's code runs with your permissions. Grade untrusted code in a
container or a throwaway account.
"""
import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from tools.exercises import read_manifest
from tools.student_release import ROOT, build_release

ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz")
DEFAULT_TIMEOUT = 30.0  # per test, as make check
DEFAULT_RUN_LIMIT = 1200.0  # per submission


def student_id(path):
    name = Path(path).name
    for ext in ARCHIVES:
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def submissions(folder):
    """The submissions in `folder`: sub-folders and archives, sorted by name."""
    found = [p for p in sorted(Path(folder).iterdir())
             if p.is_dir() or (p.is_file() and p.name.endswith(ARCHIVES))]  # fmt: skip
    if not found:
        raise SystemExit(f"no submission in {folder}: expected one folder or archive (.zip, .tar.gz) per student")
    return found


def _safe_extract(archive, dest):
    """Unpack an archive into dest, refusing members that would land outside it."""
    dest = Path(dest).resolve()
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                if not (dest / name).resolve().is_relative_to(dest):
                    raise ValueError(f"{archive.name}: member {name!r} would land outside the folder")
            z.extractall(dest)
        return
    with tarfile.open(archive) as t:
        for m in t.getmembers():
            if not (dest / m.name).resolve().is_relative_to(dest) or m.issym() or m.islnk():
                raise ValueError(f"{archive.name}: member {m.name!r} is a link or would land outside the folder")
        t.extractall(dest)


def _helpers_root(folder):
    """The folder of a submission that holds helpers/ (itself, or one level down in an archive)."""
    for cand in [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]:
        if (cand / "helpers").is_dir():
            return cand
    return None


def prepare(submission, base, work):
    """A grading folder: a copy of `base` (the release with the hidden tests) with the
    submission's helpers/*.py copied in. Returns a note when the submission is unusable."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(base, work, ignore=shutil.ignore_patterns("__pycache__"))
    src = submission
    if submission.is_file():
        src = work.parent / f"{work.name}.unpacked"
        if src.exists():
            shutil.rmtree(src)
        src.mkdir()
        try:
            _safe_extract(submission, src)
        except (ValueError, OSError, zipfile.BadZipFile, tarfile.TarError) as err:
            return f"could not unpack: {err}"
    root = _helpers_root(src)
    if root is None:
        return "no helpers/ folder in the submission"
    for path in sorted((root / "helpers").rglob("*.py")):
        out = work / "helpers" / path.relative_to(root / "helpers")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)
    return None


def run_checker(work, timeout, run_limit, data_dir):
    """Run the checker in `work`; (report or None, how the run ended)."""
    report = work / "grading-report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(PYTHONPATH=str(work), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", NPDL_DATA_DIR=str(data_dir))
    cmd = [sys.executable, "-m", "pytest", "-p", "tools.check_exercises", "--exercises", "--exercises-json",
           str(report), f"--exercise-timeout={timeout}", "-p", "no:cacheprovider", "-q", "tests"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=run_limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole run, with anything it started
        proc.communicate()
        return None, f"stopped: the run took longer than {run_limit:g} s"
    if not report.is_file():
        return None, f"crashed (exit {proc.returncode}): {out.strip()[-300:]}"
    return json.loads(report.read_text()), "ok" if proc.returncode == 0 else "ok (some tests fail)"


def grade_one(exercises, report, ended):
    """Gradescope's results: one test per exercise, its points if it passed."""
    statuses = {e["name"]: (e["status"], e["detail"]) for e in (report or {}).get("exercises", [])}
    tests = []
    for ex in exercises:
        status, detail = statuses.get(ex.name, ("not graded", ended))
        score = ex.points if status == "passed" else 0.0
        tests.append({"name": ex.name, "score": score, "max_score": ex.points,
                      "status": "passed" if status == "passed" else "failed",
                      "output": f"{status}: {detail}", "visibility": "visible"})  # fmt: skip
    extra = [f"also failing: {a['test']}: {a['detail']}" for a in (report or {}).get("also_failing", [])]
    extra += [f"could not load: {a['test']}: {a['detail']}" for a in (report or {}).get("not_collected", [])]
    return {"score": sum(t["score"] for t in tests), "output": "\n".join([f"run: {ended}", *extra]), "tests": tests}


def grade(folder, out, source=ROOT, timeout=DEFAULT_TIMEOUT, run_limit=DEFAULT_RUN_LIMIT, untracked=False,
          data_dir=None):  # fmt: skip
    """Grade every submission in `folder`; write grades.csv and <student>/results.json to `out`.
    Returns {student: results}."""
    out, source = Path(out).resolve(), Path(source).resolve()
    subs = submissions(folder)  # before anything is written
    base = out / "base"
    if base.exists():
        shutil.rmtree(base)
    build_release(base, source, untracked=untracked, hidden=True)
    exercises = read_manifest(base)
    data_dir = data_dir or os.environ.get("NPDL_DATA_DIR") or source / "data"
    results = {}
    for sub in subs:
        who = student_id(sub)
        work = out / "work" / who
        note = prepare(sub, base, work)
        report, ended = (None, note) if note else run_checker(work, timeout, run_limit, data_dir)
        results[who] = grade_one(exercises, report, ended)
        (out / who).mkdir(parents=True, exist_ok=True)
        (out / who / "results.json").write_text(json.dumps(results[who], indent=1) + "\n")
        print(f"{who}: {results[who]['score']:g} / {sum(e.points for e in exercises):g} ({ended})", flush=True)
    with open(out / "grades.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", *(f"{e.name} ({e.points:g})" for e in exercises), "total", "run"])
        for who, r in results.items():
            w.writerow([who, *(f"{t['score']:g}" for t in r["tests"]), f"{r['score']:g}", r["output"].split("\n")[0][5:]])
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", help="a folder with one folder or archive per student")
    parser.add_argument("--out", default="build/grades", help="where grades.csv and the results go")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per test (default 30)")
    parser.add_argument("--submission-timeout", type=float, default=DEFAULT_RUN_LIMIT,
                        help="seconds per submission (default 1200)")
    parser.add_argument("--source", default=str(ROOT), help="the instructor repository (default: this one)")
    parser.add_argument("--untracked", action="store_true", help="also use untracked, not ignored files")
    args = parser.parse_args(argv)
    grade(args.submissions, args.out, args.source, args.timeout, args.submission_timeout, args.untracked)
    print(f"grades written to {Path(args.out) / 'grades.csv'}")


if __name__ == "__main__":
    sys.exit(main())
