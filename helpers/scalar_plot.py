"""Drawing of a scalar computational graph (helpers.scalar.Graph) with matplotlib only.

Inputs and constants are boxes on the left, operations are circles, and every edge is labelled
with the value flowing forward (black, above) and, after backward, the gradient d output / d value
flowing back (red, below). An edge carries the gradient that its consumer sent back; a value
used twice therefore shows two edge gradients, and its box their sum.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyBboxPatch

_DX, _DY, _R = 2.3, 1.25, 0.36  # column spacing, row spacing, circle radius (data units)


def _fmt(v, digits):
    return f"{float(v):.{digits}g}"


def _layout(graph):
    """Column = longest path from a leaf; row = mean row of the inputs, spread to avoid overlaps."""
    leaves = []
    for _, _, ins in graph.steps:  # leaves in order of first use keeps edges short
        leaves += [i for i in ins if i not in leaves and i not in [s[0] for s in graph.steps]]
    leaves += [i for i in graph.inputs if i not in leaves]  # inputs no step uses
    depth = {name: 0 for name in leaves}
    row = {name: float(len(leaves) - 1 - k) for k, name in enumerate(leaves)}
    for name, _, ins in graph.steps:
        depth[name] = 1 + max(depth[i] for i in ins)
        row[name] = float(np.mean([row[i] for i in ins]))
    for d in set(depth.values()) - {0}:
        column = sorted((n for n in depth if depth[n] == d), key=lambda n: -row[n])
        for upper, lower in zip(column, column[1:]):
            row[lower] = min(row[lower], row[upper] - 1)
    return {n: (_DX * depth[n], _DY * row[n]) for n in depth}


def _edge_label(ax, p, q, value, grad, digits, offset=0.0):
    """Arrow p -> q (shifted sideways by `offset`), with value above and gradient below its middle."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    u = (q - p) / np.linalg.norm(q - p)
    normal = np.array([-u[1], u[0]])
    a, b = p + _R * u + offset * normal, q - _R * u + offset * normal
    ax.annotate("", xy=b, xytext=a, arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.1))
    mid = (a + b) / 2
    box = dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85)
    if value is not None:
        ax.text(*mid, _fmt(value, digits), ha="center", va="bottom", fontsize=8, bbox=box)
    if grad is not None:
        ax.text(*mid, _fmt(grad, digits), ha="center", va="top", fontsize=8, color="tab:red", bbox=box)


def draw_graph(graph, ax=None, title="Computational graph", digits=4):
    """Draw `graph` (after forward, and after backward for the gradients). Returns the Figure."""
    pos = _layout(graph)
    xs, ys = zip(*pos.values())
    fig = None
    if ax is None:
        width = max(xs) - min(xs) + 2 * _DX
        fig, ax = plt.subplots(figsize=(min(16, 0.75 * width + 1), 0.75 * (max(ys) - min(ys)) + 2.6))
    values, grads = graph.values, graph.grads
    for name in (n for n in pos if n not in [s[0] for s in graph.steps]):
        constant = name in graph.constants
        face = "0.9" if constant else "lightsteelblue"
        ax.add_patch(FancyBboxPatch((pos[name][0] - 0.3, pos[name][1] - 0.22), 0.6, 0.44,
                                    boxstyle="round,pad=0.05", fc=face, ec="0.3"))
        ax.text(*pos[name], name, ha="center", va="center", fontsize=10, weight="bold")
        if grads and not constant:
            ax.text(pos[name][0], pos[name][1] - 0.32, f"∂{graph.output}/∂{name} = {_fmt(grads[name], digits)}",
                    ha="center", va="top", fontsize=8, color="tab:red")
    for k, (name, node, ins) in enumerate(graph.steps):
        ax.add_patch(Circle(pos[name], _R, fc="lemonchiffon", ec="0.3"))
        ax.text(*pos[name], node.symbol, ha="center", va="center", fontsize=9)
        ax.text(pos[name][0], pos[name][1] + _R + 0.04, name, ha="center", va="bottom", fontsize=9,
                style="italic", color="navy")
        for i, source in enumerate(ins):
            twins = [j for j, s in enumerate(ins) if s == source]
            offset = 0.18 * (twins.index(i) - (len(twins) - 1) / 2) * 2
            grad = graph.edge_grads.get((k, i)) if source not in graph.constants else None
            _edge_label(ax, pos[source], pos[name], values.get(source), grad, digits, offset)
    out = pos[graph.output]
    end = (out[0] + _DX, out[1])
    _edge_label(ax, out, end, values.get(graph.output), grads.get(graph.output), digits)
    ax.text(end[0] + 0.05, end[1], graph.output, ha="left", va="center", fontsize=11, weight="bold")
    ax.set_xlim(min(xs) - 0.8, end[0] + 0.8)
    ax.set_ylim(min(ys) - 0.9, max(ys) + 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    legend = "black: value (forward pass)"
    if grads:
        legend += f"      red: gradient ∂{graph.output}/∂value (backward pass)"
    ax.set_title(f"{title}\n{legend}", fontsize=10)
    if fig is not None:
        fig.tight_layout()
    return ax.figure
