"""Check your exercises: run the tests, then report per exercise "passed", "not yet implemented"
or "wrong" (with the failing comparison), instead of a wall of tracebacks.

    make check                         # or: python -m tools.check_exercises [-k linear ...]
    python -m tools.check_exercises -k col2im   # the tests named so (and, when one fails, the tests
                                                # of the exercises it calls): their exercises only
    python -m tools.check_exercises --only softmax --only Linear.backward   # show these only
    python -m pytest -p tools.check_exercises --exercises tests      # the same, as a pytest plugin

The exercises are the solution regions: listed in tools/exercises.json in a student release,
read from the `### BEGIN SOLUTION` markers in the instructor's repository. Which tests check
which exercise is found by watching which exercise functions each test calls
(tools/check_timer.py, which also stops a test still running after --exercise-timeout seconds);
the verdicts follow the rules of tools/verdicts.py; tools/check_render.py prints them.
The exit status is 1 whenever a test fails or a test file cannot load, 0 otherwise (exercises
not written yet are fine).
"""
import os
import re
import sys
from pathlib import Path

import pytest

from tools.check_discovery import code_keys, comparison, instructor_exercises, stub_in_place, todo_name
from tools.check_render import write_json, write_report
from tools.check_timer import ExerciseTimeout, Watch
from tools.exercises import read_manifest
from tools.verdicts import failed, tokens, verdicts

DEFAULT_TIMEOUT = 30.0
ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    group = parser.getgroup("exercises")
    group.addoption("--exercises", action="store_true", help="report tests per exercise instead of tracebacks")
    group.addoption("--exercises-json", metavar="PATH", help="also write the exercise report as JSON")
    group.addoption("--exercise-timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                    help=f"stop a test still running after this long (default {DEFAULT_TIMEOUT:g}; 0: never)")
    group.addoption("--only", action="append", default=[], metavar="EXERCISE",
                    help="show only this exercise in the report (repeatable); every test still runs")


def pytest_configure(config):
    config.addinivalue_line("markers", "exercise(*names): the exercises this test checks")
    config.addinivalue_line("markers", "hidden: a grading test that the student release does not ship")
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
        report.only = config.getoption("--only")
        config.pluginmanager.register(report, "exercise-report")


class ExerciseReport:
    timeout, quiet, touched, only = DEFAULT_TIMEOUT, False, frozenset(), ()
    selected, left_out = None, ()  # with -k or -m: the nodeids selected, the tests left out

    def __init__(self, root):
        self.root = Path(root)
        manifest = read_manifest(self.root)
        self.student_release = manifest is not None
        self.exercises = manifest if manifest is not None else instructor_exercises(self.root)
        self.by_key, self.unparsable, self.not_collected = {}, {}, []
        for ex in self.exercises:
            try:
                keys = code_keys(self.root, ex) if ex.cell < 0 else []
            except SyntaxError as err:  # the student's file: report it, per exercise, below
                self.unparsable[ex.file] = f"{ex.file}:{err.lineno}: SyntaxError: {err.msg}"
                keys = []
            for key in keys:
                self.by_key[key] = ex.name
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
    def pytest_collection_modifyitems(self, session, config, items):
        """Keep the tests that -k or -m leave out: they may be needed to tell which exercise a
        failing selected test is about (see pytest_runtestloop)."""
        every = list(items)
        yield
        chosen = {id(item) for item in items}
        self.selected = {item.nodeid for item in items} if len(items) < len(every) else None
        self.left_out = [item for item in every if id(item) not in chosen]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        """With -k or -m: run the selected tests, then, as long as some fail, the left-out tests
        of the exercises they call (named for them or marked with them), so that `make check
        K=col2im` with a wrong Conv2d.backward blames Conv2d.backward, not col2im."""
        if self.selected is None or session.config.option.collectonly:
            return None  # pytest's own loop
        batch, done, needed = list(session.items), set(), set()
        while batch:
            for k, item in enumerate(batch):
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=batch[k + 1] if k + 1 < len(batch) else None)
                done.add(item.nodeid)
                if session.shouldfail:
                    raise session.Failed(session.shouldfail)
                if session.shouldstop:
                    raise session.Interrupted(session.shouldstop)
            needed |= {n for r in self.results.values() if r["outcome"] == "failed" for n in r["called"]}
            batch = [item for item in self.left_out if item.nodeid not in done and self._about(item) & needed]
        return True

    def _about(self, item):
        """The exercises a test is named for or marked with (known before it runs)."""
        words = tokens(item.nodeid.split("::", 1)[-1]) | tokens(Path(item.nodeid.split("::")[0]).stem)
        marks = {n for m in item.iter_markers("exercise") for n in m.args}
        return {ex.name for ex in self.exercises
                if ex.name in marks or tokens(ex.name.split(".", 1)[-1] if ex.cell >= 0 else ex.name) <= words}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        watch = Watch(self.by_key, self.timeout, self.looping)
        try:
            with watch:
                yield
        finally:
            item.stash[_CALLED] = watch.called
            if watch.timed_out:
                item.stash[_TIMED_OUT] = watch.timed_out

    @pytest.hookimpl(hookwrapper=True)
    def pytest_report_teststatus(self, report, config):
        outcome = yield
        if self.quiet:  # count the outcome, print nothing per test
            category, _, _ = outcome.get_result()
            outcome.force_result((category, "", ""))

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
            "tokens": tokens(item.nodeid.split("::", 1)[-1]) | tokens(Path(item.nodeid.split("::")[0]).stem),
        })  # fmt: skip
        res["called"] |= item.stash.get(_CALLED, set())
        if item.stash.get(_TIMED_OUT, None):
            res["timeout"] = item.stash[_TIMED_OUT]
        if report.skipped:
            res["outcome"] = "skipped"
        elif report.failed and res["outcome"] == "passed":
            todo = todo_name(call.excinfo, self.names) if call.excinfo else None
            if todo:
                res["outcome"], res["todo"] = "todo", todo
            else:
                res["outcome"] = "failed"
                res["detail"] = (comparison(call.excinfo, self.root, ExerciseTimeout) if call.excinfo
                                 else report.longreprtext[-300:])  # fmt: skip

    def statuses(self):
        """[(exercise, status, detail, [nodeids])] and the failing tests put on no exercise."""
        stubbed = {ex.name for ex in self.exercises if stub_in_place(self.root, ex)}
        rows, others = verdicts(self.exercises, self.results, stubbed, self.unparsable, self.not_collected)
        ran = [r for i, r in self.results.items() if self.selected is None or i in self.selected]
        self.touched = {ex.name for ex in self.exercises if any(ex.name in r["called"] | r["marks"] for r in ran)}
        return rows, others

    def pytest_sessionfinish(self, session):
        rows, others = self.statuses()
        if self.quiet and session.exitstatus in (0, 1):  # nothing wrong: success, even if unwritten
            session.exitstatus = 1 if failed(rows, others, self.not_collected, self.results) else 0

    def pytest_terminal_summary(self, terminalreporter, config):
        rows, others = self.statuses()
        shown, why = rows, None
        if self.only:
            shown = [row for row in rows if row[0].name in self.only]
        elif config.option.keyword or config.option.markexpr:  # -k: only the exercises its tests check
            shown, why = [row for row in rows if row[0].name in self.touched], f"-k {config.option.keyword}"
            others = [(i, d) for i, d in others if self.selected is None or i in self.selected]
        write_report(terminalreporter, rows, others, self.not_collected, shown, why,
                     legend=bool(config.getoption("--exercises")))  # fmt: skip
        self._check_import(terminalreporter)
        path = config.getoption("--exercises-json")
        if path:
            write_json(path, rows, others, self.not_collected)

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
# The tests of the release tooling check no exercise; they exist for instructors only.
TOOL_TESTS = ("tests/test_student_release.py", "tests/test_exercise_markers.py", "tests/test_corpus.py",
              "tests/test_verdicts.py", "tests/test_grade.py", "tests/test_colab.py")  # fmt: skip


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    os.chdir(ROOT)
    default = ["tests", *(f"--ignore={t}" for t in TOOL_TESTS)]
    return pytest.main(["-p", "tools.check_exercises", "--exercises", "-qq", "-p", "no:cacheprovider", *default, *args])


if __name__ == "__main__":
    sys.exit(main())
