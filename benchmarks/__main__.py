"""`python -m benchmarks [name ...]`: run every benchmark module (or the named ones) in turn.

Speed is reported as ratios against a reference measured in the same run, so the numbers
mean something on any machine. PyTorch is an optional reference, never a requirement.
"""
import importlib
import pkgutil
import sys

import benchmarks


def main(names):
    found = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_"))
    for name in names or found:
        if name not in found:
            sys.exit(f"unknown benchmark {name!r}; available: {', '.join(found)}")
        print(f"\n=== {name} ===")
        importlib.import_module(f"benchmarks.{name}").run()
    if not found:
        print("no benchmarks yet")


if __name__ == "__main__":
    main(sys.argv[1:])
