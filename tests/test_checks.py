"""helpers.checks: the argument checks the public entry points share."""
import re

import numpy as np
import pytest

from helpers.checks import (
    DEFAULT_SEED,
    check_dout,
    check_features,
    check_forward_ran,
    check_real,
    check_rng,
    is_int,
    is_real,
    pair,
    read_only,
    rng_or_default,
)
from helpers.layers import Linear

# --- the checks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 3, np.int64(7), np.uint8(2)])
def test_is_int_accepts_whole_numbers(value):
    assert is_int(value)


@pytest.mark.parametrize("value", [True, np.bool_(False), 2.0, np.float32(1), "3", None, [1]])
def test_is_int_refuses_bools_floats_and_the_rest(value):
    assert not is_int(value)


@pytest.mark.parametrize("value, ok", [(1, True), (0.5, True), (np.float32(2), True), (np.int8(-1), True),
                                       (True, False), (np.bool_(True), False), ("1", False), (1j, False),
                                       (None, False)])  # fmt: skip
def test_is_real(value, ok):
    assert is_real(value) is ok


def test_check_rng_returns_a_generator_and_refuses_the_rest():
    g = np.random.default_rng(3)
    assert check_rng(g) is g
    for bad in (None, 3, np.random.RandomState(0)):
        with pytest.raises(TypeError, match=r"fit: rng must be a numpy.random.Generator.*got"):
            check_rng(bad, "fit: rng")


def test_rng_or_default_says_what_none_means():
    g = np.random.default_rng(5)
    assert rng_or_default(g) is g
    a, b = rng_or_default(None).standard_normal(3), rng_or_default(None).standard_normal(3)
    np.testing.assert_array_equal(a, b)  # the same numbers on every call
    np.testing.assert_array_equal(a, np.random.default_rng(DEFAULT_SEED).standard_normal(3))
    with pytest.raises(TypeError, match="Linear's rng must be a numpy.random.Generator.*got 7"):
        rng_or_default(7, "Linear's rng")


def test_a_layer_built_with_a_seed_in_place_of_a_generator_says_so():
    with pytest.raises(TypeError, match=r"Linear's rng must be a numpy.random.Generator.*got 0"):
        Linear(3, 2, 0)


@pytest.mark.parametrize("value, want", [(3, (3, 3)), ((2, 5), (2, 5)), ([1, np.int64(4)], (1, 4))])
def test_pair(value, want):
    got = pair(value, "kernel_size", 1)
    assert got == want and all(type(v) is int for v in got)


@pytest.mark.parametrize("value, message", [((1, 2, 3), "an int or a pair"), (2.0, "an int or a pair"),
                                            ((True, 1), "an int or a pair"), (0, ">= 1"), ((3, -1), ">= 1")])
def test_pair_refuses_what_is_not_a_pair_of_ints(value, message):
    with pytest.raises(ValueError, match=f"stride must be .*{re.escape(message)}.*got"):
        pair(value, "stride", 1)


def test_check_dout_names_the_layer_and_both_shapes():
    assert check_dout([[1.0, 2.0]], (1, 2), "ReLU").shape == (1, 2)
    with pytest.raises(ValueError, match=r"ReLU.backward expects dout of the shape forward returned \(1, 2\), "
                                         r"got \(2,\)"):
        check_dout(np.ones(2), (1, 2), "ReLU")


def test_check_features_copies_a_writable_x_and_keeps_a_read_only_one():
    x = np.ones((2, 3))
    assert not np.shares_memory(check_features(x, 3, "Linear"), x)
    frozen = read_only(x)
    assert check_features(frozen, 3, "Linear") is frozen
    assert x.flags.writeable, "read_only makes a view read-only, not the caller's array"
    assert check_features(np.ones((2, 3), dtype=np.uint8), 3, "Linear", np.float32).dtype == np.float32
    with pytest.raises(ValueError, match=r"Linear expects x of shape \(N, 3\), got \(2, 4\)"):
        check_features(np.ones((2, 4)), 3, "Linear")
    with pytest.raises(TypeError, match="real numbers.*got dtype <U1"):
        check_features(np.full((2, 3), "a"), 3, "Linear")


def test_check_real_takes_bools_integers_floats_and_refuses_the_rest():
    for a in (np.ones(2, bool), np.arange(3, dtype=np.uint8), [1.5, 2.0]):
        assert isinstance(check_real(a, "f"), np.ndarray)
    for a in (np.ones(2, complex), np.array(["a"]), np.array([None])):
        with pytest.raises(TypeError, match=r"^f: expected real numbers .*got dtype"):
            check_real(a, "f")


def test_check_forward_ran_names_who_and_what_to_do():
    check_forward_ran(True, "Linear")
    with pytest.raises(RuntimeError, match=r"Linear.backward called before forward: expected a forward first"):
        check_forward_ran(False, "Linear")


def test_check_dout_says_a_loss_takes_a_scalar():
    assert check_dout(2.0, (), "L2Loss") == 2.0
    with pytest.raises(ValueError, match=r"L2Loss.backward expects dout of the shape forward returned "
                                         r"\(\) \(a scalar\), got \(3,\)"):
        check_dout(np.ones(3), (), "L2Loss")
