"""The checker's verdict rules (tools/verdicts.py), on made-up test results: no pytest run."""
from tools.exercises import Exercise
from tools.verdicts import failed, tokens, verdicts

NAMES = ("Linear.backward", "softmax", "im2col", "Conv.forward", "ReLU.backward")


def _exercises(names=NAMES):
    return [Exercise(n, "helpers/x.py", 1, f"hint {n}") for n in names]


def result(outcome, called, todo=None, detail=""):
    return {"outcome": outcome, "called": set(called), "todo": todo, "detail": detail, "marks": set()}


def _run(results, names=NAMES, stubbed=(), not_collected=()):
    for nodeid, r in results.items():
        r["tokens"] = tokens(nodeid)
    rows, others = verdicts(_exercises(names), results, set(stubbed), {}, list(not_collected))
    return {ex.name: (status, detail) for ex, status, detail, _ in rows}, others


def test_each_failure_goes_on_the_exercise_that_explains_it():
    statuses, others = _run({
        "test_linear_backward": result("failed", ["Linear.backward"], detail="assert 0.5 < 1e-07"),
        "test_softmax_values": result("passed", ["softmax"]),
        "test_linear_softmax_gradient": result("failed", ["Linear.backward", "softmax"], detail="x"),
        "test_windows": result("failed", ["im2col", "Linear.backward"], detail="y"),
        "test_windows_again": result("passed", ["im2col"]),
        "test_conv_layer": result("todo", ["Conv.forward", "ReLU.backward"], todo="Conv.forward"),
        "test_unrelated": result("failed", [], detail="assert 1 == 2"),
    })  # fmt: skip
    assert statuses == {
        "Linear.backward": ("wrong", "test_linear_backward: assert 0.5 < 1e-07"),
        # their failing tests also ran the wrong Linear.backward: not "wrong", and not "passed" either
        "softmax": ("waiting", "its tests need Linear.backward first"),
        "im2col": ("waiting", "its tests need Linear.backward first"),
        "Conv.forward": ("not yet implemented", "hint Conv.forward"),
        "ReLU.backward": ("waiting", "its tests need Conv.forward first"),
    }
    assert others == [("test_unrelated", "assert 1 == 2")]


def test_a_failing_test_of_exercises_whose_own_tests_pass_puts_them_in_doubt():
    statuses, others = _run({
        "test_softmax_values": result("passed", ["softmax"]),
        "test_im2col_values": result("passed", ["im2col"]),
        "test_pipeline": result("failed", ["softmax", "im2col"], detail="assert 0.5 < 1e-07"),
        "test_only_relu": result("failed", ["ReLU.backward"], detail="assert 2 == 3"),
    })  # fmt: skip
    assert statuses["softmax"] == ("in doubt", "test_pipeline (with im2col): assert 0.5 < 1e-07")
    assert statuses["im2col"] == ("in doubt", "test_pipeline (with softmax): assert 0.5 < 1e-07")
    # a failing test that calls one exercise alone is about that exercise, whatever its name
    assert statuses["ReLU.backward"] == ("wrong", "test_only_relu: assert 2 == 3")
    assert others == []


def test_two_exercises_waiting_for_each_other_are_a_failure_not_a_wait():
    """A wrong Conv2d.backward whose only failing test is also col2im's, with a correct col2im:
    each explained the other's failure, both read 'waiting' and the check passed."""
    names = ("Conv2d.backward", "col2im")
    results = {
        "test_conv2d_backward_col2im_gradient": result("failed", names, detail="dx is wrong: max error 0.3"),
        "test_conv2d_backward_shapes": result("passed", names),
    }
    statuses, _ = _run(results, names)
    assert {s for s, _ in statuses.values()} == {"wrong"}, statuses
    assert all("dx is wrong" in d for _, d in statuses.values())
    # a passing test that calls col2im alone clears it: the blame goes to Conv2d.backward
    results["test_col2im_adjoint"] = result("passed", ["col2im"])
    statuses, _ = _run(results, names)
    assert statuses["Conv2d.backward"][0] == "wrong" and "dx is wrong" in statuses["Conv2d.backward"][1]
    assert statuses["col2im"] == ("waiting", "its tests need Conv2d.backward first")


def test_code_written_above_a_stub_line_left_in_is_judged_as_code(tmp_path):
    """The release records how many statements precede each stub; more of them later means the
    student wrote code above the stub line, and that code is what runs (it read 'not yet
    implemented'). A guard above the stub, as released, is no code of the student's."""
    from tools.check_discovery import stub_in_place
    from tools.exercises import stub_prelude

    released = (
        "def softmax(scores):\n"
        "    check(scores)\n"
        '    raise NotImplementedError("Exercise softmax: implement p = ...")\n'
    )
    (tmp_path / "helpers").mkdir()
    path = tmp_path / "helpers" / "f.py"
    path.write_text(released)
    ex = Exercise("softmax", "helpers/f.py", 3, "hint", prelude=stub_prelude(released, 3))
    assert ex.prelude == 1 and stub_in_place(tmp_path, ex)
    path.write_text(released.replace("    raise", "    e = np.exp(scores)\n    return e / e.sum(1, keepdims=True)\n    raise"))
    assert not stub_in_place(tmp_path, ex)
    statuses, _ = _run({"test_softmax_values": result("passed", ["softmax"])}, stubbed=set())
    assert statuses["softmax"] == ("passed", "1 test passed")


def test_a_module_that_could_not_load_leaves_exercises_not_checked_and_fails_the_check():
    results = {"test_softmax_values": result("passed", ["softmax"])}
    statuses, others = _run(results, not_collected=[("tests/test_layers.py", "helpers/layers.py:3: SyntaxError")])
    assert statuses["im2col"][0] == "not checked" and "tests/test_layers.py" in statuses["im2col"][1]
    rows, _ = verdicts(_exercises(), results, set(), {}, [])
    assert {s for _, s, *_ in rows} == {"passed", "no test"}


def test_the_check_fails_whenever_a_test_fails():
    results = {"test_softmax_values": result("passed", ["softmax"]),
               "test_unrelated": result("failed", [], detail="boom")}  # fmt: skip
    for r in results.values():
        r["tokens"] = set()
    rows, others = verdicts(_exercises(), results, set(), {}, [])
    assert failed(rows, others, [], results)
    del results["test_unrelated"]
    rows, others = verdicts(_exercises(), results, set(), {}, [])
    assert not failed(rows, others, [], results)
    assert failed(rows, others, [("tests/test_x.py", "SyntaxError")], results)


def test_a_shared_failure_goes_on_the_exercise_a_test_of_its_own_alone_finds_wrong():
    """An overflowing scalar Sigmoid.forward: its saturation test (named for no exercise, calling
    it alone) fails, and so does a test of Log.forward and LogSigmoid.forward that also calls it.
    The two correct ones read 'in doubt'; the failure is Sigmoid.forward's."""
    names = ("scalar.Sigmoid.forward", "Log.forward", "LogSigmoid.forward")
    overflow = "OverflowError: math range error  (raised at helpers/scalar.py:173)"
    statuses, others = _run({
        "test_sigmoid_node_saturates_without_nan": result("failed", names[:1], detail=overflow),
        "test_naive_log_of_sigmoid_fails_where_log_sigmoid_does_not": result("failed", names, detail=overflow),
        "test_log_forward_values": result("passed", ["Log.forward"]),
        "test_log_sigmoid_forward_values": result("passed", ["LogSigmoid.forward"]),
    }, names)  # fmt: skip
    assert statuses == {
        "scalar.Sigmoid.forward": ("wrong", f"test_sigmoid_node_saturates_without_nan: {overflow}"),
        "Log.forward": ("passed", "1 test passed"),
        "LogSigmoid.forward": ("passed", "1 test passed"),
    }
    assert others == []


def test_a_dtype_broken_by_one_exercise_is_put_on_that_one_not_on_its_callers():
    """A col2im with a float64 buffer: its direct float32 test fails, and the layer's float32
    test that runs im2col, col2im and both Conv2d passes fails with it."""
    names = ("im2col", "col2im", "Conv2d.forward", "Conv2d.backward")
    message = "dx_pad has dtype float64 for float32 dcols, expected float32"
    results = {
        "test_col2im_keeps_float32": result("failed", ["col2im"], detail=message),
        "test_im2col_keeps_float32": result("passed", ["im2col"]),
        "test_col2im_dx_pad": result("passed", ["col2im"]),
        "test_float32_stays_float32": result("failed", names, detail="assert dtype('float32') == dtype('float64')"),
        "test_conv2d_forward_out": result("passed", ["Conv2d.forward", "im2col"]),
        "test_conv2d_backward_dx": result("passed", ["Conv2d.backward", "col2im"]),
    }
    statuses, others = _run(results, names)
    assert statuses["col2im"] == ("wrong", f"test_col2im_keeps_float32: {message}")
    assert {n: s for n, (s, _) in statuses.items() if n != "col2im"} == dict.fromkeys(names[:1] + names[2:], "passed")
    assert others == []
    # without the direct test nothing tells which one is wrong: all four are in doubt, none passed
    del results["test_col2im_keeps_float32"]
    statuses, _ = _run(results, names)
    assert {s for s, _ in statuses.values()} == {"in doubt"}
