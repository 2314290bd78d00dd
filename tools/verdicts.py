"""Verdicts: from what the tests did to one status per exercise. Pure: no pytest, no files.

Input, per test (nodeid -> dict): "outcome" ("passed", "failed", "todo": it hit a stub,
"skipped"), "called" (the exercises it called), "marks" (names given by
`@pytest.mark.exercise`), "tokens" (the words of its name), "detail" (the failing comparison),
"todo" (the exercise whose stub it hit), optionally "timeout" (the exercise it was stopped in).

The rules, in order:
- an exercise whose stub a test hit, or whose stub line is still in place (`stubbed`: with no
  code written above it, see check_discovery.stub_in_place), is "not yet implemented";
- its own tests are the tests that call it and carry its name (test_linear_backward_... for
  Linear.backward) or its mark; without any, every test that calls it;
- an own test failing that calls no other exercise known to be wrong makes it "wrong"; so does
  a failing test that calls it alone (whatever its name); one that also calls a wrong or
  unwritten exercise makes it "waiting" for that one;
- a failing test that calls several exercises is put on the wrong ones among them: the others
  (whose own tests pass) stay "passed";
- "waiting" must end at an exercise that is wrong or not written: exercises that would wait for
  each other (a cycle) are all "wrong", except those that a passing test of their own, calling
  no other exercise, clears (they wait for the others);
- a failing test that calls it, is not its own and that no wrong exercise explains puts it
  "in doubt";
- when a test module could not load, an exercise that no test ran reads "not checked" (its
  tests may be in that module), not "no test".
The run fails (`failed`) whenever any test failed or a module could not load.
"""

import re

PASSED, TODO, WRONG, WAITING = "passed", "not yet implemented", "wrong", "waiting"
UNTESTED, NOTEBOOK, DOUBT, NOT_CHECKED = "no test", "in notebook", "in doubt", "not checked"
LEGEND = {
    PASSED: "every test that calls it passes",
    TODO: "its stub is still there: replace the raise NotImplementedError line by your code",
    WRONG: "one of its own tests fails; the line below names the test and what differed",
    WAITING: "its tests also call an exercise that is not written yet or wrong: fix that one first",
    DOUBT: "its own tests pass, but a test that uses it with others fails; the line below says which",
    NOTEBOOK: "written in a notebook cell: run the notebook, whose assertions check it",
    UNTESTED: "no test calls it",
    NOT_CHECKED: "no test ran it because a test file could not load (see 'could not load')",
    "also failing": "a test that calls none of the exercises fails (your environment or data?)",
    "could not load": "a test file could not import your code (e.g. a syntax error): file and line",
}
FAILING = (WRONG, DOUBT, NOT_CHECKED)  # statuses that make the check fail


def tokens(text):
    """The words of a name: 'SoftmaxCrossEntropy.backward' -> {'softmax', 'cross', 'entropy', 'backward'}."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return {t for t in re.split(r"[^a-z0-9]+", text.lower()) if t}


def verdicts(exercises, results, stubbed, unparsable=None, not_collected=()):
    """[(exercise, status, detail, [nodeids])] and [(nodeid, detail)] of failing tests put on no
    exercise. `exercises`: objects with .name, .file, .cell (-1 outside a notebook) and .hint;
    `stubbed`: the exercises whose stub is still in place; `unparsable`:
    {file: message} of exercise files that do not parse."""
    res, unparsable = results, unparsable or {}
    calls, own = {}, {}
    for ex in exercises:
        words = tokens(ex.name.split(".", 1)[-1] if ex.cell >= 0 else ex.name)
        calls[ex.name] = {i for i, r in res.items() if ex.name in r["called"] | r["marks"]}
        own[ex.name] = {i for i in calls[ex.name] if ex.name in res[i]["marks"] or words <= res[i]["tokens"]}
        # a test stopped while inside an exercise is that exercise's own, whatever its name
        own[ex.name] |= {i for i, r in res.items() if r.get("timeout") == ex.name}
    todo = {r["todo"] for r in res.values() if r["todo"]} | set(stubbed)
    failing = {i for i, r in res.items() if r["outcome"] == "failed"}

    def unexplained(name, tests, bad):
        return sorted(i for i in tests if i in failing and not (res[i]["called"] & bad) - {name})

    # a failing test that calls one exercise alone is about that one: it is wrong, and explains
    # the failures of the tests that call it with others
    alone = {n for n in calls if any(i in failing and res[i]["called"] <= {n} for i in calls[n])}
    suspects = todo | alone | {n for n in own if own[n] & failing}
    bad = todo | alone | {n for n in suspects - todo if unexplained(n, own[n], suspects)}
    # a second pass: an exercise whose failures were explained only by suspects that turned
    # out innocent is wrong after all
    bad |= {n for n in suspects - todo if unexplained(n, own[n], bad)}
    rows = {}
    for ex in exercises:
        name = ex.name
        tests = sorted(i for i in own[name] or calls[name] if res[i]["outcome"] in ("passed", "failed"))
        passed = [i for i in tests if i not in failing]
        failed = unexplained(name, tests, bad)
        # a failing test that calls this exercise alone can only be about this exercise
        failed += sorted(i for i in calls[name] - set(tests) if i in failing and res[i]["called"] <= {name})
        waiting = sorted({res[i]["todo"] for i in calls[name] if res[i]["outcome"] == "todo"} - {name})
        held_by = sorted({n for i in tests if i in failing for n in res[i]["called"] & bad} - {name})
        doubt = sorted(i for i in calls[name] if i in failing and not (res[i]["called"] & bad))
        if name in todo:
            row = TODO, ex.hint, held_by
        elif ex.file in unparsable:
            row = WRONG, unparsable[ex.file], []
        elif failed:  # the direct tests (marked with its name) say best what is wrong
            failed.sort(key=lambda i: ("in an earlier test" in res[i]["detail"], name not in res[i]["marks"],
                                       not res[i]["called"] <= {name}, i))
            row = WRONG, f"{failed[0]}: {res[failed[0]]['detail']}", []
        elif held_by:
            row = WAITING, f"its tests need {', '.join(held_by)} first", held_by
        elif doubt:
            others = sorted(res[doubt[0]]["called"] - {name})
            with_ = f" (with {', '.join(others)})" if others else ""
            row = DOUBT, f"{doubt[0]}{with_}: {res[doubt[0]]['detail']}", []
        elif passed:
            row = PASSED, f"{len(passed)} test{'s' * (len(passed) > 1)} passed", []
        elif waiting:
            row = WAITING, f"its tests need {', '.join(waiting)} first", waiting
        elif ex.cell >= 0:
            row = NOTEBOOK, "written; run its notebook, whose checks test it", []
        elif not_collected:
            row = NOT_CHECKED, f"no test ran it; {not_collected[0][0]} could not load: {not_collected[0][1]}", []
        else:
            row = UNTESTED, "no test calls it", []
        rows[name] = [row[0], row[1], tests, row[2], failed or doubt]
    _resolve_waiting(exercises, rows, res, failing)
    blamed = {i for r in rows.values() for i in r[4]}
    explained = {i for i in failing if res[i]["called"] & bad}
    others = [(i, res[i]["detail"]) for i in sorted(failing - blamed - explained)]
    return [(ex, *rows[ex.name][:3]) for ex in exercises], others


def _resolve_waiting(exercises, rows, res, failing):
    """Waiting must end at an exercise that is wrong or not written. Exercises waiting only for
    each other are wrong, except those cleared by a passing test that calls them alone."""
    while True:
        stuck = [n for n, r in rows.items() if r[0] == WAITING and not any(rows[h][0] in (WRONG, TODO) for h in r[3])]
        if not stuck:
            return
        cleared = {n for n in stuck if any(res[i]["outcome"] == "passed" and res[i]["called"] <= {n} for i in rows[n][2])}
        for name in [n for n in stuck if n not in cleared] or stuck:
            tests = [i for i in rows[name][2] if i in failing] or sorted(
                i for i in failing if name in res[i]["called"])
            tests.sort(key=lambda i: (name not in res[i]["marks"], i))  # its direct tests say best
            others = ", ".join(rows[name][3])
            detail = f"{tests[0]}: {res[tests[0]]['detail']}" if tests else f"its tests need {others} first"
            rows[name][:2] = WRONG, f"{detail} (its tests fail together with {others}, which waits for it)"
            rows[name][4] = tests[:1]


def failed(rows, others, not_collected, results):
    """True when the check must fail: any test failed, any module could not load, any exercise
    reads wrong, in doubt or not checked."""
    return bool(
        others or not_collected or any(r[1] in FAILING for r in rows)
        or any(r["outcome"] == "failed" for r in results.values())
    )  # fmt: skip
