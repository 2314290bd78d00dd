"""Apply the rename map of RENAMES.md to the notebooks (the lead runs it once when merging branch
h13, then deletes this file and RENAMES.md).

    python rename_notebooks.py notebooks/*.ipynb        # rewrites the code cells in place

It rewrites every `from helpers.<module> import ...` statement of a code cell so that each name
comes from its new module (one statement per module, in the cell's place), renames the keyword
`width=` of build_network calls to `hidden=`, and prints the markdown lines that still mention an
old location (edit those by hand). Outputs and everything else are left as they are.
"""
import json
import re
import sys

# name -> its module now (only names that moved)
MOVED = {
    "SoftmaxCrossEntropy": "losses", "CourseSoftmaxCrossEntropy": "losses", "L2Loss": "losses",
    "l2_penalty": "losses",
    "Residual": "layers",
    "build_network": "networks", "two_layer_net": "networks", "count_parameters": "networks",
    "layer_jacobian_tests": "gradcheck", "network_gradient_test": "gradcheck",
    "zca_filter": "data", "load_c0_weights": "data",
}  # fmt: skip
IMPORT = re.compile(r"^(?P<indent>[ \t]*)from helpers\.(?P<module>\w+) import (?P<names>\([^)]*\)|[^\n]*)$", re.M)
OLD_PLACES = re.compile(r"helpers[./](resnet|conv\.L2Loss|layers\.SoftmaxCrossEntropy|train\.two_layer_net|"
                        r"train\.l2_penalty)|`helpers\.layers`, `SoftmaxCrossEntropy|helpers/resnet\.py")  # fmt: skip


def _wrapped(head, names, width=100):
    """`head` + names, wrapped as the notebooks do: in parentheses, continuation lines aligned."""
    line = head + ", ".join(names)
    if len(line) <= width:
        return line
    lines, current = [], head + "("
    for k, name in enumerate(names):
        piece = name + ("," if k < len(names) - 1 else ")")
        if len(current) + len(piece) > width:
            lines.append(current.rstrip())
            current = " " * len(head + "(")
        current += piece + " "
    return "\n".join(lines + [current.rstrip()])


def rewrite_imports(source):
    """One cell: if any helpers import names a moved name, regroup the cell's helpers imports by
    their new modules, at the place of the first one (sorted by module, names as isort sorts them)."""
    matches = list(IMPORT.finditer(source))
    names = [(m["indent"], m["module"], n.strip()) for m in matches
             for n in m["names"].strip("()").replace("\n", " ").split(",") if n.strip()]  # fmt: skip
    if not any(module == "resnet" or n.split(" as ")[0] in MOVED for _, module, n in names):
        source_out = source
    else:
        by_module = {}
        for indent, module, n in names:
            by_module.setdefault((indent, MOVED.get(n.split(" as ")[0], module)), []).append(n)
        block = "\n".join(_wrapped(f"{indent}from helpers.{module} import ", sorted(set(ns)))
                          for (indent, module), ns in sorted(by_module.items(), key=lambda kv: kv[0][1]))
        pieces, last = [], 0
        for k, m in enumerate(matches):
            pieces.append(source[last : m.start()])
            if k == 0:
                pieces.append(block)
            last = m.end() + (1 if k > 0 and source[m.end() : m.end() + 1] == "\n" else 0)
        pieces.append(source[last:])
        source_out = "".join(pieces)
    return re.sub(r"(build_network\([^()]*?)\bwidth=", r"\1hidden=", source_out)


def main(paths):
    for path in paths:
        nb = json.load(open(path, encoding="utf-8"))
        changed = False
        for k, cell in enumerate(nb["cells"]):
            text = "".join(cell["source"])
            if cell["cell_type"] == "code":
                new = rewrite_imports(text)
                if new != text:
                    cell["source"] = new.splitlines(keepends=True)
                    changed, text = True, new
            for line in text.split("\n"):
                if OLD_PLACES.search(line):
                    print(f"{path} cell {k}: edit by hand: {line.strip()[:120]}")
        if changed:
            with open(path, "w", encoding="utf-8") as f:
                json.dump(nb, f, indent=1, ensure_ascii=False)
                f.write("\n")
            print(f"{path}: imports rewritten")


if __name__ == "__main__":
    main(sys.argv[1:])
