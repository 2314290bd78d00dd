"""Networks built from the layers, by one builder: the L-layer classifier (plain or residual) and
the course's two-layer MLP, which is its depth-2 ReLU case; and the count of their parameters."""
import numpy as np

from .checks import rng_or_default
from .layers import ACTIVATIONS, GAIN, Linear, Residual, Sequential, check_activation, init_std


def build_network(in_features, n_classes, depth, hidden, residual=True, activation="tanh", rng=None,
                  dtype=np.float64, output_gain=1.0):
    """An L-layer classifier (L = depth) returning scores (N, n_classes); pair it with SoftmaxCrossEntropy.

    depth 1:   Linear(in, K)                                   (softmax regression)
    depth L>1: Linear(in, hidden), sigma                       (hidden layer: lift to `hidden`)
               (L - 2) x [Residual(hidden) or Linear(hidden, hidden), sigma]
               Linear(hidden, K)                               (output layer)
    Weights are drawn with std init_std(fan_in, gain): gain GAIN[activation] before sigma (2 for
    ReLU, 1 for tanh) and output_gain (1, Xavier) for the output layer; depth 1 uses std 0.01.
    """
    if depth < 1 or hidden < 1 or in_features < 1 or n_classes < 2:
        raise ValueError(
            f"build_network needs depth >= 1, hidden >= 1, in_features >= 1 and n_classes >= 2, got "
            f"depth={depth}, hidden={hidden}, in_features={in_features}, n_classes={n_classes}"
        )
    check_activation(activation)
    rng = rng_or_default(rng, "build_network's rng")
    if depth == 1:
        return Sequential(Linear(in_features, n_classes, rng, weight_scale=0.01, dtype=dtype))
    act, gain = ACTIVATIONS[activation], GAIN[activation]
    layers = [Linear(in_features, hidden, rng, weight_scale=init_std(in_features, gain), dtype=dtype), act()]
    for _ in range(depth - 2):
        if residual:
            layers.append(Residual(hidden, rng=rng, activation=activation, dtype=dtype))
        else:
            layers += [Linear(hidden, hidden, rng, weight_scale=init_std(hidden, gain), dtype=dtype), act()]
    layers.append(Linear(hidden, n_classes, rng, weight_scale=init_std(hidden, output_gain), dtype=dtype))
    return Sequential(*layers)


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
