"""How the benchmarks measure: every timing in a fresh process of its own, repeated, medians.

Two implementations timed in one process disturb each other on a small machine (PyTorch's
OpenMP threads keep spinning after each of its steps and take the cores from OpenBLAS), so
`measure` runs one function in a new Python process, with the same thread count for every
library, and returns its result. `interleaved` repeats a set of measurements in rounds, each
round running every one of them once, in a rotating order, so a burst of load elsewhere on the
machine hits all of them alike; the figures are medians over the rounds.

`python -m benchmarks._timing MODULE FUNCTION JSON` is the worker: it prints
`benchmarks.MODULE.FUNCTION(**json)` as JSON on its last line.
"""
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from helpers.timing import time_call

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
CPU_TIME_VARIABLE = "BENCH_CPU_TIME"  # "1": every process times with its CPU clock (--cpu-time)


def blas_threads():
    """The thread count BLAS was told to use (the Makefile exports 2), else the core count."""
    for var in THREAD_VARIABLES:
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


def torch_found():
    """True if PyTorch can be imported here (without importing it into this process)."""
    return importlib.util.find_spec("torch") is not None


def cpu_time():
    """True when the run measures CPU time (`--cpu-time`) instead of wall-clock time."""
    return os.environ.get(CPU_TIME_VARIABLE) == "1"


def median_seconds(fn, repeat, number):
    """Median seconds per call of fn() over `repeat` rounds of `number` calls, after a warm-up:
    wall-clock seconds (helpers.timing.time_call), or with --cpu-time the CPU seconds of this
    process, which other processes on a busy machine hardly change (meaningful with 1 thread)."""
    return time_call(fn, repeat, number, reduce="median", clock=time.process_time if cpu_time() else time.perf_counter)


def measure(module, function, **kwargs):
    """benchmarks.<module>.<function>(**kwargs), computed in a fresh Python process."""
    threads = str(blas_threads())
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.update({var: threads for var in THREAD_VARIABLES})
    cmd = [sys.executable, "-m", "benchmarks._timing", module, function, json.dumps(kwargs)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{module}.{function}({kwargs}) failed in its process:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def interleaved(module, function, configs, rounds):
    """{name: [result of each round]}: configs maps a name to the kwargs of one measurement.

    Each round measures every config once, each in its own process; the order rotates from
    round to round so that no config always runs first, when the machine is freshest or busiest.
    """
    names = list(configs)
    results = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(measure(module, function, **configs[name]))
            print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return results


def median(values):
    return float(np.median(values))


def paired_ratio(numerators, denominators):
    """Median over rounds of numerator / denominator measured in the same round."""
    return median([a / b for a, b in zip(numerators, denominators)])


def verdict(ok):
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    module_name, function_name, kwargs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    result = getattr(importlib.import_module(f"benchmarks.{module_name}"), function_name)(**kwargs)
    print(json.dumps(result))
