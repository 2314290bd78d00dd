"""Check your exercises: run the tests, then report per exercise "passed", "not yet implemented"
or "wrong" (with the failing comparison), instead of a wall of tracebacks.

    make check                         # or: python -m tools.check_exercises [-k linear ...]
    python -m pytest -p tools.check_exercises --exercises tests      # the same, as a pytest plugin

The exercises are the solution regions: listed in tools/exercises.json in a student release,
read from the `### BEGIN SOLUTION` markers in the instructor's repository. Which tests check
which exercise is found by watching which exercise functions each test calls:

- an exercise whose stub `raise NotImplementedError("Exercise ...")` is still in place, or whose
  stub a test hit, is "not yet implemented";
- its own tests are the tests that call it and carry its name (test_linear_backward_... for
  Linear.backward) or a `@pytest.mark.exercise("Linear.backward")` mark; if it has none, every
  test that calls it counts;
- an own test failing that calls no other exercise known to be wrong makes it "wrong" (the first
  failure is shown); one that also calls a wrong or unwritten exercise makes it "waiting";
- a failing test that calls it, is not its own and calls no wrong exercise makes it "in doubt":
  "passed" is printed only when every test that calls the exercise passes, or fails because of
  another exercise that its own tests show wrong;
- a test still running after --exercise-timeout seconds (30) is stopped, and the exercise it was
  in reads "wrong: still running after 30 s, infinite loop?".
"""
import ast
import json
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from tools.exercises import STUB_RE, code_cells, collect, read_manifest

PASSED, TODO, WRONG, WAITING = "passed", "not yet implemented", "wrong", "waiting"
UNTESTED, NOTEBOOK, DOUBT = "no test", "in notebook", "in doubt"
_COLOUR = {PASSED: "green", TODO: "yellow", WRONG: "red", WAITING: "yellow", UNTESTED: "purple", NOTEBOOK: "cyan",
           DOUBT: "red"}  # fmt: skip
LEGEND = {
    PASSED: "every test that calls it passes",
    TODO: "its stub is still there: replace the raise NotImplementedError line by your code",
    WRONG: "one of its own tests fails; the line below names the test and what differed",
    WAITING: "its tests also call an exercise that is not written yet or wrong: fix that one first",
    DOUBT: "its own tests pass, but a test that uses it with others fails; the line below says which",
    NOTEBOOK: "written in a notebook cell: run the notebook, whose assertions check it",
    UNTESTED: "no test calls it",
    "also failing": "a test that calls none of the exercises fails (your environment or data?)",
    "could not load": "a test file could not import your code (e.g. a syntax error): file and line",
}
DEFAULT_TIMEOUT = 30.0
ROOT = Path(__file__).resolve().parent.parent
_EXERCISE_NIE = re.compile(r"^Exercise (?P<name>[^:]+):")


def pytest_addoption(parser):
    group = parser.getgroup("exercises")
    group.addoption("--exercises", action="store_true", help="report tests per exercise instead of tracebacks")
    group.addoption("--exercises-json", metavar="PATH", help="also write the exercise report as JSON")
    group.addoption("--exercise-timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                    help=f"stop a test still running after this long (default {DEFAULT_TIMEOUT:g}; 0: never)")


def pytest_configure(config):
    config.addinivalue_line("markers", "exercise(*names): the exercises this test checks")
    if config.getoption("--exercises") or config.getoption("--exercises-json"):
        if config.getoption("--exercises"):  # only the report: no progress rows, no summary
            config.option.tbstyle, config.option.reportchars = "no", ""
            config.option.verbose = min(config.option.verbose, -2)
            config.option.console_output_style = "classic"
            config.option.disable_warnings = True  # a student's overflow warning is not the report
        # one module that does not import (a syntax error in helpers) must not hide the others
        config.option.continue_on_collection_errors = True
        # The repository is the one this file belongs to, whatever pytest picked as its rootdir.
        report = ExerciseReport(ROOT)
        report.timeout = config.getoption("--exercise-timeout")
        report.quiet = bool(config.getoption("--exercises"))
        config.pluginmanager.register(report, "exercise-report")


def _tokens(text):
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)  # SoftmaxCrossEntropy -> Softmax_Cross_Entropy
    return {t for t in re.split(r"[^a-z0-9]+", text.lower()) if t}


def instructor_exercises(root):
    """Exercises read from the markers (the instructor's repository has no manifest)."""
    paths = [p.relative_to(root).as_posix() for p in sorted(root.glob("helpers/**/*.py"))]
    paths += [p.relative_to(root).as_posix() for p in sorted(root.glob("notebooks/*.ipynb"))]
    return collect(root, paths)[0]


def _code_key(root, ex):
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
    path = root / ex.file
    if not path.is_file():
        return False
    if ex.cell >= 0:
        sources = [source for _, source in code_cells(path)]
    else:
        sources = [path.read_text()]
    return any(
        (m := STUB_RE.match(line)) and m["name"].strip() == ex.name for s in sources for line in s.split("\n")
    )


def _comparison(excinfo, root):
    """The failing comparison on one line: 'assert 0.31 < 1e-07', 'ValueError: shapes ...'."""
    if excinfo.errisinstance(ExerciseTimeout):
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
        one += f"  (raised at {Path(str(mine[-1].path)).resolve().relative_to(root.resolve()).as_posix()}:{mine[-1].lineno + 1})"
    return one if len(one) <= 300 else one[:297] + "..."


def _in_student_code(path, root):
    try:
        rel = path.resolve().relative_to(root.resolve()).parts
    except ValueError:
        return False
    return bool(rel) and rel[0] not in ("tests", "tools", ".venv")


def _todo_name(excinfo, known):
    """The exercise whose stub raised, also when a test wrapped the stub's error in its own
    (pytest.raises(RuntimeError) catches NotImplementedError, a subclass, then fails to match)."""
    exc, seen = excinfo.value, set()
    while exc is not None and id(exc) not in seen:
        match = _EXERCISE_NIE.match(str(exc)) if isinstance(exc, NotImplementedError) else None
        if match:
            return match["name"].strip()
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    names = [n for n in re.findall(r"Exercise ([^:'\"]+):", excinfo.exconly()) if n.strip() in known]
    return names[0].strip() if names else None


class ExerciseTimeout(Exception):
    """A test ran longer than --exercise-timeout (an infinite loop, most likely)."""


class ExerciseReport:
    timeout, quiet, touched = DEFAULT_TIMEOUT, False, frozenset()

    def __init__(self, root):
        self.root = Path(root)
        manifest = read_manifest(self.root)
        self.student_release = manifest is not None
        self.exercises = manifest if manifest is not None else instructor_exercises(self.root)
        self.by_key, self.unparsable, self.not_collected = {}, {}, []
        for ex in self.exercises:
            try:
                keys = _code_key(self.root, ex) if ex.cell < 0 else []
            except SyntaxError as err:  # the student's file: report it, per exercise, below
                self.unparsable[ex.file] = f"{ex.file}:{err.lineno}: SyntaxError: {err.msg}"
                keys = []
            for key in keys:
                self.by_key[key] = ex.name
        self.files = {k[0] for k in self.by_key}
        self.names = {ex.name for ex in self.exercises}
        self.results = {}  # nodeid -> dict(outcome, called, marks, tokens, detail, todo)
        self.looping = set()  # exercises stopped by the time limit: the next call stops at once

    def pytest_collectreport(self, report):
        if report.failed:  # e.g. a test module whose import of helpers fails
            lines = [ln[1:].strip() for ln in report.longreprtext.splitlines() if ln.startswith("E ")]
            where = [m for ln in lines if (m := re.match(r'File "(.+)", line (\d+)', ln))]
            detail = (f"{where[-1][1]}:{where[-1][2]}: " if where else "") + (lines[-1] if lines else "")
            self.not_collected.append((report.nodeid, detail.replace(f"{self.root}{os.sep}", "")[:300]))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        called, by_key, files, cut, finished = set(), self.by_key, self.files, [], []
        timed = self.timeout and self.timeout > 0 and hasattr(signal, "setitimer")

        def profile(frame, event, arg):
            if event == "call" and frame.f_code.co_filename in files:
                name = by_key.get((frame.f_code.co_filename, frame.f_code.co_firstlineno))
                if name:
                    called.add(name)
                    if timed and name in self.looping and not cut:  # it looped before: stop it now
                        cut.append(name)
                        signal.setitimer(signal.ITIMER_REAL, 1e-4)

        def alarm(signum, frame):
            if finished:  # the test ended just before the alarm: nothing to stop
                return
            if cut:
                item.stash[_TIMED_OUT] = cut[0]
                raise ExerciseTimeout(f"{cut[0]}: still running after {self.timeout:g} s in an earlier test, infinite loop?")
            where = []
            while frame is not None:  # the innermost exercise on the stack is the one looping
                name = by_key.get((frame.f_code.co_filename, frame.f_code.co_firstlineno))
                if name:
                    where.append(name)
                frame = frame.f_back
            item.stash[_TIMED_OUT] = where[0] if where else None
            self.looping.update(where[:1])
            who = f"{where[0]}: " if where else ""
            raise ExerciseTimeout(f"{who}still running after {self.timeout:g} s, infinite loop?")

        if timed:
            old_handler = signal.signal(signal.SIGALRM, alarm)
            signal.setitimer(signal.ITIMER_REAL, self.timeout)
        previous = sys.getprofile()
        sys.setprofile(profile)
        try:
            yield
        finally:
            finished.append(True)
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old_handler)
            sys.setprofile(previous)
            item.stash[_CALLED] = called

    @pytest.hookimpl(hookwrapper=True)
    def pytest_report_teststatus(self, report, config):
        outcome = yield
        if self.quiet:  # count the outcome, print nothing per test
            category, _, _ = outcome.get_result()
            outcome.force_result((category, "", ""))

    def pytest_sessionfinish(self, session):
        rows, others = self.statuses()
        bad = any(status in (WRONG, DOUBT) for _, status, *_ in rows) or others or self.not_collected
        if self.quiet and session.exitstatus in (0, 1):  # nothing wrong: success, even if unwritten
            session.exitstatus = 1 if bad else 0

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = (yield).get_result()
        if report.when == "setup" and report.passed:
            return
        if report.when == "teardown" and not report.failed:
            return
        res = self.results.setdefault(item.nodeid, {
            "outcome": "passed", "called": set(), "todo": None, "detail": "",
            "marks": {n for m in item.iter_markers("exercise") for n in m.args},
            "tokens": _tokens(item.nodeid.split("::", 1)[-1]) | _tokens(Path(item.nodeid.split("::")[0]).stem),
        })  # fmt: skip
        res["called"] |= item.stash.get(_CALLED, set())
        if item.stash.get(_TIMED_OUT, None):
            res["timeout"] = item.stash[_TIMED_OUT]
        if report.skipped:
            res["outcome"] = "skipped"
        elif report.failed and res["outcome"] == "passed":
            todo = _todo_name(call.excinfo, self.names) if call.excinfo else None
            if todo:
                res["outcome"], res["todo"] = "todo", todo
            else:
                res["outcome"] = "failed"
                res["detail"] = _comparison(call.excinfo, self.root) if call.excinfo else report.longreprtext[-300:]

    def statuses(self):
        """[(exercise, status, detail, [nodeids])] and the failing tests put on no exercise.

        An exercise's own tests decide (without any, every test that calls it). A failing test
        that also calls another exercise, wrong by its own tests or not written yet, is put on
        that one: one wrong backward pass must not make everything tested with it look wrong.
        A failing test that no wrong exercise explains puts every exercise it calls "in doubt".
        """
        res = self.results
        todo = {ex.name for ex in self.exercises if stub_in_place(self.root, ex)}
        todo |= {r["todo"] for r in res.values() if r["todo"]}
        calls, own = {}, {}
        for ex in self.exercises:
            tokens = _tokens(ex.name.split(".", 1)[-1] if ex.cell >= 0 else ex.name)
            calls[ex.name] = {i for i, r in res.items() if ex.name in r["called"] | r["marks"]}
            own[ex.name] = {i for i in calls[ex.name] if ex.name in res[i]["marks"] or tokens <= res[i]["tokens"]}
            # a test stopped while inside an exercise is that exercise's own, whatever its name
            own[ex.name] |= {i for i, r in res.items() if r.get("timeout") == ex.name}
        failing = {i for i, r in res.items() if r["outcome"] == "failed"}
        self.touched = {name for name, tests in calls.items() if tests}

        def unexplained(name, tests, bad):
            return sorted(i for i in tests if i in failing and not (res[i]["called"] & bad) - {name})

        suspects = todo | {n for n in own if own[n] & failing}
        bad = todo | {n for n in suspects - todo if unexplained(n, own[n], suspects)}
        # a second pass: an exercise whose failures were explained only by suspects that turned
        # out innocent is wrong after all
        bad |= {n for n in suspects - todo if unexplained(n, own[n], bad)}
        rows, blamed = [], set()
        for ex in self.exercises:
            name = ex.name
            tests = sorted(i for i in own[name] or calls[name] if res[i]["outcome"] in ("passed", "failed"))
            passed = [i for i in tests if i not in failing]
            failed = unexplained(name, tests, bad)
            # a failing test that calls this exercise alone can only be about this exercise
            failed += sorted(i for i in calls[name] - set(tests) if i in failing and res[i]["called"] <= {name})
            waiting = sorted({t for i in calls[name] if res[i]["outcome"] == "todo" for t in [res[i]["todo"]]} - {name})
            held_by = sorted({n for i in tests if i in failing for n in res[i]["called"] & bad} - {name})
            doubt = sorted(i for i in calls[name] if i in failing and not (res[i]["called"] & bad))
            if name in todo:
                status, detail = TODO, ex.hint
            elif ex.file in self.unparsable:
                status, detail = WRONG, self.unparsable[ex.file]
            elif failed:  # the direct tests (marked with its name) say best what is wrong
                failed.sort(key=lambda i: ("in an earlier test" in res[i]["detail"], name not in res[i]["marks"], i))
                status, detail = WRONG, f"{failed[0]}: {res[failed[0]]['detail']}"
            elif held_by:
                status, detail = WAITING, f"its tests need {', '.join(held_by)} first"
            elif doubt:
                others = sorted(res[doubt[0]]["called"] - {name})
                with_ = f" (with {', '.join(others)})" if others else ""
                status, detail = DOUBT, f"{doubt[0]}{with_}: {res[doubt[0]]['detail']}"
            elif passed:
                status, detail = PASSED, f"{len(passed)} test{'s' * (len(passed) > 1)} passed"
            elif waiting:
                status, detail = WAITING, f"its tests need {', '.join(waiting)} first"
            elif ex.cell >= 0:
                status, detail = NOTEBOOK, "written; run its notebook, whose checks test it"
            else:
                status, detail = UNTESTED, "no test calls it"
            blamed.update(failed)
            blamed.update(doubt)
            rows.append((ex, status, detail, tests))
        explained = {i for i in failing if res[i]["called"] & bad}
        others = [(i, res[i]["detail"]) for i in sorted(failing - blamed - explained)]
        return rows, others

    def pytest_terminal_summary(self, terminalreporter, config):
        rows, others = self.statuses()
        tr = terminalreporter
        tr.write_sep("=", f"exercises ({len(rows)})")
        shown = rows
        if config.option.keyword or config.option.markexpr:  # -k: only the exercises its tests check
            shown = [row for row in rows if row[0].name in self.touched]
        files = list(dict.fromkeys(ex.file for ex, *_ in shown))
        for file in files:
            mine = [row for row in shown if row[0].file == file]
            tr.write_line(file, bold=True)
            width = max(len(ex.name) for ex, *_ in mine)
            for ex, status, detail, _ in mine:
                tr.write(f"  {status:20s}", **{_COLOUR[status]: True, "bold": True})
                where = f"line {ex.line}" + (f" of cell {ex.cell}" if ex.cell >= 0 else "")
                tr.write_line(f" {ex.name:{width}s}  {where}")
                if status != PASSED:
                    tr.write_line(f"  {'':20s}   {detail}")
        for nodeid, detail in others:
            tr.write_line(f"{'also failing':20s} {nodeid}: {detail}", red=True)
        for nodeid, detail in self.not_collected:
            tr.write_line(f"{'could not load':20s} {nodeid}: {detail}", red=True)
        counts = {}
        for _, status, *_ in rows:
            counts[status] = counts.get(status, 0) + 1
        if len(shown) < len(rows):
            counts = {}
            for _, status, *_ in shown:
                counts[status] = counts.get(status, 0) + 1
            counts[f"not checked (-k {config.option.keyword})"] = len(rows) - len(shown)
        tr.write_line(", ".join(f"{n} {s}" for s, n in counts.items()) + f" (of {len(rows)} exercises)", bold=True)
        if config.getoption("--exercises"):
            shown = set(counts) | ({"also failing"} if others else set()) | ({"could not load"} if self.not_collected else set())
            tr.write_line("what the statuses mean:")
            for status, meaning in LEGEND.items():
                if status in shown:
                    tr.write_line(f"  {status:20s} {meaning}")
        self._check_import(tr)
        path = config.getoption("--exercises-json")
        if path:
            data = {
                "exercises": [
                    {"name": ex.name, "file": ex.file, "status": s, "detail": d, "tests": t} for ex, s, d, t in rows
                ],
                "also_failing": [{"test": i, "detail": d} for i, d in others],
                "not_collected": [{"test": i, "detail": d} for i, d in self.not_collected],
            }
            Path(path).write_text(json.dumps(data, indent=1) + "\n")

    def _check_import(self, tr):
        mod = sys.modules.get("helpers")
        here = self.root / "helpers"
        if mod is not None and getattr(mod, "__file__", None) and Path(mod.__file__).resolve().parent != here.resolve():
            tr.write_line(
                f"warning: the tests imported helpers from {Path(mod.__file__).parent}, not from this folder; "
                "run `pip install -e .` here (or `make setup`) so your code is the one tested",
                red=True,
            )


_CALLED = pytest.StashKey[set]()
_TIMED_OUT = pytest.StashKey[str]()


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    os.chdir(ROOT)
    # The tests of the release tooling check no exercise; they exist for instructors only.
    default = ["tests", "--ignore=tests/test_student_release.py", "--ignore=tests/test_exercise_markers.py",
               "--ignore=tests/test_corpus.py"]
    return pytest.main(["-p", "tools.check_exercises", "--exercises", "-qq", "-p", "no:cacheprovider", *default, *args])


if __name__ == "__main__":
    sys.exit(main())
