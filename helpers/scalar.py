"""Backpropagation on scalars: graph nodes with forward/backward, a Graph that runs them, and
`Func`, the graph of f(x, y, z) = log sigma((cos(pi x) + sin(pi y / 2)) / tanh(z^2)).

Each node computes one value from one or two others. `forward` saves in `self.cache` what
`backward` needs; `backward(dout)` receives dout = df/d(output) and returns df/d(input) for each
input by the local chain rule  df/da = dout * d(output)/da.  A Graph runs the forward passes in
order, then the backward passes in reverse, summing the gradients of a value used more than once.
"""
import copy
import numbers

import numpy as np

from .checks import check_forward_ran
from .functional import log_sigmoid, sigmoid


class Node:
    """One operation: forward(*inputs) -> output, backward(dout) -> tuple of d(inputs).

    The contract between a node's two methods: forward may save in `self.cache` whatever its
    backward needs (inputs, output, or both, in any layout: both methods are the node's own).
    Calling backward before forward raises RuntimeError: the first line of each method (above
    the part you write) records and checks that.
    """

    symbol = "?"  # what the graph drawing writes in the node's circle
    arity = 1  # number of inputs

    def __init__(self):
        self.cache = None
        self._forward_done = False

    def _forward_starts(self):
        self._forward_done = True

    def _check_forward(self):
        check_forward_ran(getattr(self, "_forward_done", False), type(self).__name__)

    def _cached(self):
        """What forward saved in self.cache, after the check that forward has run."""
        self._check_forward()
        return self.cache

    def __repr__(self):
        return f"{type(self).__name__}()"


class Add(Node):
    """y = a + b;   da = dout,   db = dout"""

    symbol, arity = "+", 2

    def forward(self, a, b):
        self._forward_starts()
        ### BEGIN SOLUTION
        return a + b
        ### END SOLUTION

    def backward(self, dout):
        self._check_forward()
        ### BEGIN SOLUTION
        return dout, dout
        ### END SOLUTION


class Mul(Node):
    """y = a b;   da = dout b,   db = dout a"""

    symbol, arity = "×", 2

    def forward(self, a, b):
        self._forward_starts()
        ### BEGIN SOLUTION
        self.cache = (a, b)
        return a * b
        ### END SOLUTION

    def backward(self, dout):
        self._check_forward()
        ### BEGIN SOLUTION
        a, b = self.cache
        return dout * b, dout * a
        ### END SOLUTION


class Div(Node):
    """y = a / b;   da = dout / b,   db = -dout a / b^2 = -da y"""

    symbol, arity = "÷", 2

    def forward(self, a, b):
        self._forward_starts()
        ### BEGIN SOLUTION
        y = a / b
        self.cache = (b, y)
        return y
        ### END SOLUTION

    def backward(self, dout):
        self._check_forward()
        ### BEGIN SOLUTION
        b, y = self.cache
        da = dout / b
        return da, -da * y  # -da * y, not -dout * a / b**2: b**2 can under- or overflow
        ### END SOLUTION


class Square(Node):
    """y = a^2;   da = 2 a dout"""

    symbol = "( )²"

    def forward(self, a):
        self._forward_starts()
        ### BEGIN SOLUTION
        self.cache = a
        return a * a
        ### END SOLUTION

    def backward(self, dout):
        self._check_forward()
        ### BEGIN SOLUTION
        a = self.cache
        return (2 * a * dout,)
        ### END SOLUTION


class Cos(Node):
    """y = cos(a);   da = -sin(a) dout"""

    symbol = "cos"

    def forward(self, a):
        self._forward_starts()
        ### BEGIN SOLUTION
        self.cache = a  # what backward needs: d cos(a) / da = -sin(a), from a
        return np.cos(a)
        ### END SOLUTION

    def backward(self, dout):
        self._check_forward()
        ### BEGIN SOLUTION
        a = self.cache
        return (-np.sin(a) * dout,)
        ### END SOLUTION


class Sin(Node):
    """y = sin(a);   da = cos(a) dout"""

    symbol = "sin"

    def forward(self, a):
        self._forward_starts()
        ### BEGIN SOLUTION
        self.cache = a
        return np.sin(a)
        ### END SOLUTION

    def backward(self, dout):
        self._check_forward()
        ### BEGIN SOLUTION
        a = self.cache
        return (np.cos(a) * dout,)
        ### END SOLUTION


class Tanh(Node):
    """y = tanh(a);   da = (1 - y^2) dout   (exactly 0 once tanh has saturated to 1.0)"""

    symbol = "tanh"

    def forward(self, a):
        self._forward_starts()
        ### BEGIN SOLUTION
        y = np.tanh(a)
        self.cache = y
        return y
        ### END SOLUTION

    def backward(self, dout):
        self._check_forward()
        ### BEGIN SOLUTION
        y = self.cache
        return ((1 - y * y) * dout,)
        ### END SOLUTION


class Sigmoid(Node):
    """y = sigma(a) = 1 / (1 + exp(-a));   da = y (1 - y) dout

    forward must hold for any float a, however large |a| (math.exp(1000) overflows).
    """

    symbol = "σ"

    def forward(self, a):
        self._forward_starts()
        ### BEGIN SOLUTION
        y = float(sigmoid(a))
        self.cache = y
        return y
        ### END SOLUTION

    def backward(self, dout):
        self._check_forward()
        ### BEGIN SOLUTION
        y = self.cache
        return (y * (1 - y) * dout,)
        ### END SOLUTION


class Log(Node):
    """y = log(a), a >= 0 (log 0 = -inf);   da = dout / a"""

    symbol = "log"

    def forward(self, a):
        self._forward_starts()
        if a < 0:
            raise ValueError(f"Log expects a >= 0, got {a}")
        ### BEGIN SOLUTION
        self.cache = a
        return np.log(a)
        ### END SOLUTION

    def backward(self, dout):
        self._check_forward()
        ### BEGIN SOLUTION
        a = self.cache
        return (dout / a,)
        ### END SOLUTION


class LogSigmoid(Node):
    """y = log sigma(a) = min(a, 0) - log(1 + exp(-|a|));   da = (1 - sigma(a)) dout = sigma(-a) dout

    Fused, because log(sigma(a)) in two nodes breaks for a < -745: sigma(a) underflows to 0,
    log 0 = -inf, and the backward pass multiplies 1/0 = inf by sigma'(a) = 0 (nan).
    """

    symbol = "log σ"

    def forward(self, a):
        self._forward_starts()
        ### BEGIN SOLUTION
        self.cache = a
        return float(log_sigmoid(a))
        ### END SOLUTION

    def backward(self, dout):
        self._check_forward()
        ### BEGIN SOLUTION
        a = self.cache
        return (float(sigmoid(-a)) * dout,)
        ### END SOLUTION


def _real_scalar(value, name):
    """value as a finite float64 scalar, or a clear error saying what came instead."""
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a scalar, got an array of shape {np.shape(value)}")
    if isinstance(value, np.ndarray):
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number (float or int), got {type(value).__name__} {value!r}")
    try:
        value = np.float64(value)
    except OverflowError:
        raise ValueError(f"{name} must be finite, got an int too large for float64") from None
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


class Graph:
    """A computational graph of scalar nodes, run forward in order and backward in reverse.

    inputs:    names of the arguments of forward, e.g. ("x", "y", "z")
    steps:     (name, node, input_names) triples in evaluation order; each step computes
               value[name] = node.forward(*value[input_names]); the last step is the output
    constants: {name: value} for fixed leaves such as pi (they get gradients too, unused)
    After forward, `values` holds every value; after backward, `grads` holds d(output)/d(value)
    for every value and `edge_grads[(k, i)]` what step k sent back to its i-th input.
    """

    def __init__(self, inputs, steps, constants=None):
        self.inputs, self.steps = tuple(inputs), list(steps)
        self.constants = {k: _real_scalar(v, k) for k, v in (constants or {}).items()}
        defined = set(self.constants)
        for name in self.inputs:
            if name in defined:
                raise ValueError(f"Graph: value name {name!r} is defined twice")
            defined.add(name)
        if not self.steps:
            raise ValueError("Graph needs at least one step")
        nodes = [node for _, node, _ in self.steps]
        if len({id(node) for node in nodes}) != len(nodes):
            raise ValueError("Graph: each step needs its own node instance (a node caches one forward)")
        for name, node, ins in self.steps:
            if len(ins) != node.arity:
                raise ValueError(f"Graph: {node!r} takes {node.arity} input(s), step {name!r} gives {list(ins)}")
            missing = [i for i in ins if i not in defined]
            if missing:
                raise ValueError(f"Graph: step {name!r} uses {missing} before they are defined")
            if name in defined:
                raise ValueError(f"Graph: value name {name!r} is defined twice")
            defined.add(name)
        self.output = self.steps[-1][0]
        self.values, self.grads, self.edge_grads = {}, {}, {}

    def forward(self, *args):
        """Evaluate every step; returns the output value (a float)."""
        if len(args) != len(self.inputs):
            raise TypeError(f"forward expects {len(self.inputs)} inputs {self.inputs}, got {len(args)}")
        values = dict(self.constants)
        values.update({name: _real_scalar(v, name) for name, v in zip(self.inputs, args)})
        self.values, self.grads, self.edge_grads = {}, {}, {}
        for name, node, ins in self.steps:
            with np.errstate(all="ignore"):  # a non-finite value is reported below, with context
                value = node.forward(*(values[i] for i in ins))
            if value is None:
                raise TypeError(f"forward of step {name} = {node.symbol}({', '.join(ins)}) returned None; "
                                f"expected its value, a number (does {type(node).__name__}.forward end with `return`?)")
            value = np.float64(value)
            if not np.isfinite(value):
                given = ", ".join(f"{i} = {values[i]:.6g}" for i in ins)
                raise FloatingPointError(f"step {name} = {node.symbol}({', '.join(ins)}) gave {value} at {given}")
            values[name] = value
        self.values = values
        return float(values[self.output])

    def backward(self, dout=1.0):
        """Chain rule from the output back to every value; returns [d output / d input] per input."""
        check_forward_ran(bool(self.values), "Graph")
        self.grads = {name: np.float64(0.0) for name in self.values}
        self.grads[self.output] = _real_scalar(dout, "dout")
        for k in reversed(range(len(self.steps))):
            name, node, ins = self.steps[k]
            with np.errstate(all="ignore"):
                d_ins = node.backward(self.grads[name])
            if not isinstance(d_ins, (tuple, list)) or len(d_ins) != len(ins):
                raise TypeError(
                    f"backward of step {name} = {node.symbol}({', '.join(ins)}) returned {d_ins!r}; expected a "
                    f"tuple of {len(ins)} gradient(s), one per input ({', '.join('d' + i for i in ins)}), "
                    f"e.g. `return (da,)` for one input"
                )
            for i, (source, d) in enumerate(zip(ins, d_ins)):
                if not np.isfinite(d):
                    raise FloatingPointError(f"backward of step {name} = {node.symbol}({', '.join(ins)}) "
                                             f"gave d{source} = {d}")
                self.edge_grads[(k, i)] = np.float64(d)
                self.grads[source] += d  # a value feeding several steps sums their gradients
        return [float(self.grads[name]) for name in self.inputs]

    def with_node(self, name, node):
        """A copy of this graph in which `node` computes the value `name` (e.g. to test a node)."""
        if name not in [s[0] for s in self.steps]:
            raise KeyError(f"no step computes {name!r}; steps: {[s[0] for s in self.steps]}")
        steps = [(n, node if n == name else copy.copy(old), ins) for n, old, ins in self.steps]
        return Graph(self.inputs, steps, self.constants)


class Func(Graph):
    """f(x, y, z) = log sigma(u),   u = (cos(pi x) + sin(pi y / 2)) / tanh(z^2).

    Func().forward(x, y, z) -> f;   .backward() -> [df/dx, df/dy, df/dz]
    """

    def __init__(self):
        super().__init__(
            inputs=("x", "y", "z"),
            constants={"π": np.pi, "π/2": np.pi / 2},
            steps=[
                ("πx", Mul(), ("π", "x")),
                ("c", Cos(), ("πx",)),  # c = cos(pi x)
                ("πy/2", Mul(), ("π/2", "y")),
                ("s", Sin(), ("πy/2",)),  # s = sin(pi y / 2)
                ("a", Add(), ("c", "s")),  # a = c + s
                ("z²", Square(), ("z",)),
                ("t", Tanh(), ("z²",)),  # t = tanh(z^2)
                ("u", Div(), ("a", "t")),  # u = a / t
                ("f", LogSigmoid(), ("u",)),  # f = log sigma(u)
            ],
        )
