import pytest

from helpers.timing import time_call


def test_time_call_counts_calls_and_rejects_bad_arguments():
    calls = []
    assert time_call(lambda: calls.append(1), repeat=3, number=2) >= 0
    assert len(calls) == 1 + 3 * 2  # one warm-up, then repeat x number
    with pytest.raises(ValueError, match="reduce"):
        time_call(lambda: None, reduce="mean")
    with pytest.raises(ValueError, match="positive integers"):
        time_call(lambda: None, repeat=0)


def test_time_call_reads_the_clock_it_is_given():
    ticks = iter(range(100))
    # warm-up, then 2 rounds of 1 call: each round reads the clock twice, 1 tick apart
    assert time_call(lambda: None, repeat=2, number=1, clock=lambda: next(ticks)) == 1.0
