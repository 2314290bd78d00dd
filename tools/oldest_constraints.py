"""Print pip constraints that pin every runtime dependency to its declared lower bound.

    python tools/oldest_constraints.py > constraints.txt
    pip install -c constraints.txt -e ".[dev]"

The lower bounds live in one place, pyproject.toml; `make nbval-oldest` (and CI) install exactly
these versions and re-run every notebook against its stored outputs, so a bound that is not
really supported fails there instead of on a student's machine.
"""
import re
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_BOUND = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][A-Za-z0-9.]*)\s*$")


def oldest_pins(pyproject=PYPROJECT):
    """['numpy==2.0', ...] from the `dependencies` of pyproject.toml (each must be 'name>=version')."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        sys.exit("tools/oldest_constraints.py needs Python 3.11 or newer (tomllib); run it with python3.11+")
    deps = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = []
    for dep in deps:
        match = _BOUND.match(dep)
        if not match:
            raise ValueError(f"{pyproject}: dependency {dep!r} is not of the form 'name>=version'; "
                             "give every runtime dependency a tested lower bound")
        pins.append(f"{match[1]}=={match[2]}")
    return pins


if __name__ == "__main__":
    print("\n".join(oldest_pins()))
