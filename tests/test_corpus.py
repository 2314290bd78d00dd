"""Proof by corpus: plant the alternative solutions and the classic mistakes of tests/corpus.py in
a student release, run the checker as a student would, and assert its verdicts.

- every alternative, all planted at once (alternative k of every exercise), reads "passed", and
  the report has no other line (nothing "also failing", nothing that "could not load");
- every mistake reads "wrong" on its own exercise, with a message naming the quantity, and no
  correct exercise reads "wrong" or "in doubt". Mistakes are planted in batches: mistake k of
  every exercise at once, except that an exercise and the one its direct tests call (a scalar
  node's forward for its backward, im2col for Conv2d.forward, col2im for Conv2d.backward) are
  planted in two separate runs; every exercise not planted holds the reference solution;
- every case of CASES (several exercises at once, a leftover print, a subset run with -k) reads
  as it states, one run per case (test_case[<name>]).

The release is built once; each run plants into its own copy, and two runs go at a time.
The notebook exercise (linear_softmax_loss, notebook 01) is judged by its notebook's checking
cell, not by `make check`: its corpus runs that cell directly.
"""
import shutil
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest
from corpus import CASES, CORPUS, NOTEBOOK, alternatives, mistakes
from test_student_release import ROOT, run_checker

from tools.exercises import collect, file_regions, read_manifest, replace_stubs
from tools.student_release import build_release, is_shipped, tracked_files

# An exercise whose direct tests call another exercise: planted apart from that one.
_PARTNER = {f"{n}.backward": f"{n}.forward" for n in ("Add", "Mul", "Div", "Square", "Cos", "Sin", "Log", "LogSigmoid")}
_PARTNER.update({"scalar.Tanh.backward": "scalar.Tanh.forward", "scalar.Sigmoid.backward": "scalar.Sigmoid.forward",
                 "Conv2d.forward": "im2col", "Conv2d.backward": "col2im",
                 "Residual.backward": "ReLU.backward and layers.Tanh.backward (its phi's)"})  # fmt: skip
LATER = set(_PARTNER)  # planted in the second run of each mistake index


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """(the stubbed student release, the reference solution of every .py exercise)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the release is built from a git checkout")
    dest = tmp_path_factory.mktemp("corpus") / "student"
    build_release(dest, ROOT, untracked=True)
    paths = [p for p in tracked_files(ROOT, untracked=True) if is_shipped(p) and p.startswith("helpers/")]
    _, renames = collect(ROOT, paths)
    solutions = {}
    for path in paths:
        lines = (ROOT / path).read_text().split("\n")
        for region, _ in file_regions(ROOT, path, renames[path]):
            solutions[region.name] = textwrap.dedent("\n".join(lines[region.begin + 1 : region.end]))
    return dest, solutions


def plant(base_release, solutions, chosen, dest):
    """A copy of the release with `chosen` {exercise: code} and the reference everywhere else."""
    shutil.copytree(base_release, dest, ignore=shutil.ignore_patterns("__pycache__"))
    by_file = {}
    for ex in read_manifest(dest):
        if ex.cell < 0:
            by_file.setdefault(ex.file, []).append(ex.name)
    for file, names in by_file.items():
        def code_for(name, names=names):
            return chosen.get(name, solutions[name]) if name in names else None

        (dest / file).write_text(replace_stubs((dest / file).read_text(), code_for))
    return dest


def _runs(plans, base, tmp_path):
    dest, solutions = base
    releases = [plant(dest, solutions, chosen, tmp_path / f"run{k}") for k, chosen in enumerate(plans)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda r: run_checker(r), releases))


def test_corpus_has_two_alternatives_and_two_mistakes_per_exercise(base):
    _, solutions = base
    assert set(CORPUS) == set(solutions), f"exercises without a corpus: {set(solutions) - set(CORPUS)}"
    thin = {n: (len(alternatives(n)), len(mistakes(n))) for n in CORPUS if min(len(alternatives(n)), len(mistakes(n))) < 2}
    assert not thin, f"fewer than 2 alternatives or mistakes: {thin}"
    for name in CORPUS:
        assert all(code.strip() != solutions[name].strip() for code in alternatives(name)), f"{name}: an alternative is the reference"


def test_every_alternative_reads_passed_and_nothing_else(base, tmp_path):
    plans = [{n: alternatives(n)[k] for n in CORPUS if len(alternatives(n)) > k}
             for k in range(max(len(alternatives(n)) for n in CORPUS))]  # fmt: skip
    for _chosen, (statuses, report, text) in zip(plans, _runs(plans, base, tmp_path)):
        not_passed = {n: s for n, s in statuses.items() if n in CORPUS and s[0] != "passed"}
        assert not not_passed, f"correct alternatives not reported 'passed': {not_passed}"
        assert report["also_failing"] == [] and report["not_collected"] == [], text[-3000:]


def test_every_mistake_reads_wrong_on_its_own_exercise_only(base, tmp_path):
    plans, expected = [], []
    for k in range(max(len(mistakes(n)) for n in CORPUS)):
        for later in (False, True):
            bugs = {n: mistakes(n)[k] for n in CORPUS if len(mistakes(n)) > k and (n in LATER) == later}
            if bugs:
                plans.append({n: code for n, (_, code, _) in bugs.items()})
                expected.append(bugs)
    problems = []
    for bugs, (statuses, report, _) in zip(expected, _runs(plans, base, tmp_path)):
        for name, (key, _, quantity) in bugs.items():
            status, detail = statuses[name]
            if status != "wrong" or quantity not in detail:
                problems.append(f"{name} {key}: {status}: {detail} (expected 'wrong' naming {quantity!r})")
        for name, (status, detail) in statuses.items():
            if name in CORPUS and name not in bugs and status not in ("passed", "waiting"):
                problems.append(f"{name} (correct) reads {status}: {detail}")
        problems += [f"also failing: {a['test']}: {a['detail']}" for a in report["also_failing"]]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", list(CASES))
def test_case(case, base, tmp_path):
    """One case of tests/corpus.py's CASES: its exercises read as expected, every other corpus
    exercise passed (with -k: none reads wrong or in doubt), and the exit status says whether
    anything is wrong."""
    spec = CASES[case]
    dest, solutions = base
    release = plant(dest, solutions, spec["plant"], tmp_path / "run")
    for path, source in spec.get("tests", {}).items():  # a test the case needs (a hidden one's kind)
        (release / path).write_text(source + "\n")
    statuses, report, text = run_checker(release, *spec.get("args", ()))
    problems = []
    for name, want in spec["expect"].items():
        status, quantity = (want, "") if isinstance(want, str) else want
        if statuses[name][0] != status or quantity not in statuses[name][1]:
            problems.append(f"{name}: {statuses[name]} (expected {status!r} naming {quantity!r})")
    for name, (status, detail) in statuses.items():
        if name in CORPUS and name not in spec["expect"]:
            if status in ("wrong", "in doubt") or (status != "passed" and not spec.get("args")):
                problems.append(f"{name} (correct) reads {status}: {detail}")
    problems += [f"also failing: {a['test']}: {a['detail']}" for a in report["also_failing"]]
    problems += [f"could not load: {a['test']}: {a['detail']}" for a in report["not_collected"]]
    wrong = any((w if isinstance(w, str) else w[0]) == "wrong" for w in spec["expect"].values())
    if report["returncode"] != int(wrong):
        problems.append(f"exit status {report['returncode']}, expected {int(wrong)}")
    assert not problems, "\n".join(problems) + "\n" + text[-2000:]


NB01 = ROOT / "notebooks" / "01_linear_classifier.ipynb"


def _run_notebook_exercise(body):
    """Cells 1 (set-up), 4 (the exercise, with `body` in its region) and 6 (its check) of notebook
    01, in one namespace; the exception the check raises, or None."""
    import json

    from tools.exercises import find_regions

    cells = {k: "".join(c["source"]) for k, c in enumerate(json.loads(NB01.read_text())["cells"]) if c["cell_type"] == "code"}
    lines = cells[4].split("\n")
    (region,) = find_regions(cells[4], "cell 4", notebook=True)
    lines[region.begin : region.end + 1] = [region.indent + ln for ln in body.split("\n")]
    namespace = {}
    for source in (cells[1], "\n".join(lines), cells[6]):
        source = "\n".join(ln for ln in source.split("\n") if not ln.lstrip().startswith("%"))
        try:
            exec(compile(source, str(NB01), "exec"), namespace)
        except Exception as err:  # the verdict is the error itself
            return err
    return None


def test_the_notebook_exercise_accepts_every_alternative():
    for name, entries in NOTEBOOK.items():
        for key, code in entries.items():
            if key.startswith("alt_"):
                assert _run_notebook_exercise(code) is None, f"{name} {key} is refused by its notebook's check"


def test_the_notebook_exercise_names_what_is_wrong():
    for name, entries in NOTEBOOK.items():
        for key, value in entries.items():
            if key.startswith("bug_"):
                code, quantity = value
                err = _run_notebook_exercise(code)
                assert isinstance(err, AssertionError), f"{name} {key}: the check raised {err!r}"
                assert quantity in str(err) and "linear_softmax_loss" in str(err), f"{name} {key}: {err}"
