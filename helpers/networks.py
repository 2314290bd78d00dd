"""Networks built from the layers, by one builder: the classifier with L weight layers (plain or
residual) and the course's two-layer MLP, which is its depth-2 ReLU case; and the count of their
parameters and weight layers."""
import numpy as np

from .checks import rng_or_default
from .layers import ACTIVATIONS, GAIN, Linear, Residual, Sequential, check_activation, init_std


def build_network(in_features, n_classes, depth, hidden, residual=True, activation="tanh", rng=None,
                  dtype=np.float64, output_gain=1.0):
    """A classifier with `depth` weight layers, returning scores (N, n_classes); pair it with SoftmaxCrossEntropy.

    depth counts weight matrices, the same way for both architectures: a plain and a residual
    network of one depth hold the same number of w x w matrices (and differ only in biases).

    depth 1:   Linear(in, K)                                   (softmax regression)
    depth L>1: Linear(in, hidden), sigma                       (1 matrix: lift to `hidden`)
               plain:    (L - 2)     x [Linear(hidden, hidden), sigma]         (1 matrix each)
               residual: (L - 2) / 2 x  Residual(hidden)                        (2 matrices each:
                                          y = x + phi(x W1 + b1) W2)
               Linear(hidden, K)                               (1 matrix: the output layer)
    So a residual network needs an even depth: depth 4 has one block, depth 32 fifteen.
    Weights are drawn with std init_std(fan_in, gain): gain GAIN[activation] before sigma (2 for
    ReLU, 1 for tanh) and output_gain (1, Xavier) for the output layer; depth 1 uses std 0.01.
    Residual blocks draw their own weights (W1 at init_std, W2 small: each block starts near the
    identity).
    """
    if depth < 1 or hidden < 1 or in_features < 1 or n_classes < 2:
        raise ValueError(
            f"build_network needs depth >= 1, hidden >= 1, in_features >= 1 and n_classes >= 2, got "
            f"depth={depth}, hidden={hidden}, in_features={in_features}, n_classes={n_classes}"
        )
    if residual and depth > 2 and depth % 2:
        raise ValueError(
            f"build_network(residual=True) counts weight matrices and a residual block holds two, so "
            f"depth - 2 must be even (the input and output layers hold one each); got depth={depth}. "
            f"Use depth={depth - 1} or {depth + 1} ({(depth - 3) // 2} or {(depth - 1) // 2} blocks), "
            f"or residual=False for {depth - 2} plain hidden layers"
        )
    check_activation(activation)
    rng = rng_or_default(rng, "build_network's rng")
    if depth == 1:
        return Sequential(Linear(in_features, n_classes, rng, weight_scale=0.01, dtype=dtype))
    act, gain = ACTIVATIONS[activation], GAIN[activation]
    layers = [Linear(in_features, hidden, rng, weight_scale=init_std(in_features, gain), dtype=dtype), act()]
    if residual:
        layers += [Residual(hidden, rng=rng, activation=activation, dtype=dtype) for _ in range((depth - 2) // 2)]
    else:
        for _ in range(depth - 2):
            layers += [Linear(hidden, hidden, rng, weight_scale=init_std(hidden, gain), dtype=dtype), act()]
    layers.append(Linear(hidden, n_classes, rng, weight_scale=init_std(hidden, output_gain), dtype=dtype))
    return Sequential(*layers)


def count_weight_layers(model):
    """Number of weight matrices of a network (a Linear layer has one, a Residual block two): the
    `depth` build_network was given."""
    return int(sum(1 for name, _, _ in model.named_parameters() if name.split(".")[-1] in ("W", "W1", "W2")))


def two_layer_net(in_features, hidden, n_classes, rng, dtype=np.float64):
    """The course's TwoLayerNet: x (N, D) -> Linear(D, H) -> ReLU -> Linear(H, K) -> scores (N, K).

    scores = max(0, x W1 + b1) W2 + b2, every layer He-initialised (std sqrt(2 / fan_in), the
    output layer too, as in the course): build_network at depth 2 with ReLU and output_gain 2.
    """
    return build_network(in_features, n_classes, depth=2, hidden=hidden, activation="relu", rng=rng,
                         dtype=dtype, output_gain=2.0)


def count_parameters(model):
    """Number of trainable scalars (every weight and bias)."""
    return int(sum(p.size for _, p, _ in model.named_parameters()))
