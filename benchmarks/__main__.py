"""`python -m benchmarks [mlp] [conv] [--rounds N] [--cpu-time]`: run the benchmarks (all by default).

Every timing runs in a process of its own (so that PyTorch, the optional reference, never
shares the cores with the NumPy it is compared with), repeated in interleaved rounds; the
figures are medians. At the end, the lines for the README's speed section, ready to paste.
"""
import argparse
import os
import platform
import time

from benchmarks import _timing, conv, mlp

BENCHMARKS = {"mlp": mlp, "conv": conv}


def busy_warning(own_threads=0):
    """Say so when other processes compete for the cores: the timings are then unreliable.
    own_threads: the load the bench itself adds to the 1-minute average (at the end of a run, the
    threads of its measuring processes), not counted as competition."""
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if load > own_threads + 0.5 * cores:
        print(f"WARNING: the machine is busy (load average {load:.1f} on {cores} cores): other processes "
              f"share the cores, so the timings (those with several threads above all) are unreliable; "
              f"run again on a quiet machine")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="name",
                        help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every measurement (default 5)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time with each process's CPU clock instead of the wall clock: steadier on a "
                             "busy machine, meaningful with 1 thread only (OMP_NUM_THREADS=1 ...)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; available: {', '.join(BENCHMARKS)}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.cpu_time:
        if _timing.blas_threads() != 1:
            parser.error("--cpu-time adds up the CPU time of every thread (their waiting included): "
                         "use it with 1 thread, OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1")
        os.environ[_timing.CPU_TIME_VARIABLE] = "1"  # the measuring processes inherit it
    import numpy

    reference = "PyTorch not found" if not _timing.torch_found() else "PyTorch found"
    clock = "CPU time of each process" if args.cpu_time else "wall-clock time"
    print(f"NumPy {numpy.__version__}, {reference}; {_timing.blas_threads()} thread(s), {clock}; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; load average at start "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    busy_warning()
    start, lines = time.perf_counter(), []
    for name in args.names or BENCHMARKS:
        print(f"\n=== {name} ===")
        lines += BENCHMARKS[name].run(args.rounds)
    print(f"\nload average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"{time.perf_counter() - start:.0f} s (the measuring processes themselves add up to "
          f"{_timing.blas_threads()} to the load)")
    busy_warning(own_threads=_timing.blas_threads())
    print(f"\nFor the README's speed section (figures of this machine, this run: {_timing.blas_threads()} "
          f"thread(s), {clock}, NumPy {numpy.__version__}):")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
