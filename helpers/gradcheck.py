"""Gradient checking: finite differences, relative error, Taylor and Jacobian tests, and the
drivers that check a whole module (its input and every parameter) or a whole network.

Every function here only calls the functions it is handed; all checks run in float64.
"""
import numpy as np

from .checks import rng_or_default
from .losses import l2_penalty


def _as_float64(x, name="x"):
    x = np.asarray(x)
    if x.dtype != np.float64:
        raise TypeError(
            f"gradient checks need float64 {name} (finite differences in float32 "
            f"lose ~8 digits), got {x.dtype}; pass {name}.astype(np.float64)"
        )
    return x


def _scalar(value, what):
    value = np.asarray(value)
    if value.size != 1:
        raise ValueError(f"{what} must return a scalar, got an array of shape {value.shape}")
    return float(value)


def numerical_gradient(f, x, h=1e-5):
    """Central differences of a scalar function. x: any shape (float64) -> grad: same shape.

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)          error O(h^2)

    x is perturbed in place and restored, so f may close over it (e.g. a layer's W).
    """
    x = _as_float64(x)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = _scalar(f(x), "f")
        x[i] = old - h
        f_minus = _scalar(f(x), "f")
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, b):
    """Largest elementwise relative error  |a - b| / max(1e-8, |a| + |b|).

    inf when a or b holds a NaN or an infinity: such a gradient is never "close".
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error expects two arrays of one shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def taylor_slope(eps, errors):
    """Slope of log(error) against log(eps), fitted by least squares (1 for O(eps), 2 for O(eps^2))."""
    eps, errors = np.asarray(eps, dtype=np.float64), np.asarray(errors, dtype=np.float64)
    keep = errors > 0
    if keep.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(eps[keep]), np.log(errors[keep]), 1)[0])


def _default_eps():
    # 1/16 ... 2e-6: small enough for the leading term to dominate, large enough that the
    # O(eps^2) error (~1e-12) stays above float64 round-off in f (~1e-16 |f|).
    return 0.5 ** np.arange(4, 20)


def gradient_test(f, grad, x, d=None, eps=None, rng=None):
    """Taylor test of a gradient. Returns (eps, zero_order, first_order), each of shape (n,).

    zero_order[k]  = |f(x + eps_k d) - f(x)|                      must shrink like O(eps)
    first_order[k] = |f(x + eps_k d) - f(x) - eps_k d . grad(x)|  must shrink like O(eps^2)

    A wrong gradient leaves first_order at O(eps): compare `taylor_slope` of each with 1 and 2.
    A NaN or infinite f(x), grad(x) or f(x + eps d) is kept (not hidden): it makes the arrays
    non-finite, and `taylor_verdict` then says 'WRONG (non-finite)'.
    """
    x = _as_float64(x)
    g = np.asarray(grad(x), dtype=np.float64)
    if g.shape != x.shape:
        raise ValueError(f"grad(x) must have the shape of x {x.shape}, got {g.shape}")
    if d is None:
        d = rng_or_default(rng, "gradient_test's rng").standard_normal(x.shape)
        d /= np.linalg.norm(d)
    d = _as_float64(d, "d")
    if d.shape != x.shape:
        raise ValueError(f"direction d must have the shape of x {x.shape}, got {d.shape}")
    eps = _default_eps() if eps is None else np.asarray(eps, dtype=np.float64)
    if eps.ndim != 1 or eps.size < 2 or not (np.all(np.isfinite(eps)) and np.all(eps > 0)):
        raise ValueError(f"eps must be a 1-D array of at least 2 finite steps > 0, got {eps!r}")
    f0 = _scalar(f(x), "f")
    zero, first = np.empty(len(eps)), np.empty(len(eps))
    with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf are reported, not warned about
        slope = float(np.sum(d * g))
        for k, e in enumerate(eps):
            fk = _scalar(f(x + e * d), "f")
            zero[k] = abs(fk - f0)
            first[k] = abs(fk - f0 - e * slope)
    return eps, zero, first


def jacobian_test(forward, backward, x, eps=None, rng=None):
    """Taylor test of a layer's backward pass (Jacobian-transpose product).

    forward(x) -> y of any shape; backward(u) -> J^T u, of the shape of x.
    With a fixed random u, g(x) = <forward(x), u> has gradient J(x)^T u, so the
    Taylor test of g checks the whole Jacobian in one direction at a time.
    Returns (eps, zero_order, first_order) as `gradient_test` does.
    """
    x = _as_float64(x)
    rng = rng_or_default(rng, "jacobian_test's rng")
    y = np.asarray(forward(x))
    u = rng.standard_normal(y.shape)

    def g(z):
        return float(np.sum(np.asarray(forward(z)) * u))

    def grad_g(z):
        forward(z)  # backward uses the cache of the last forward, so refresh it at z
        return backward(u)

    return gradient_test(g, grad_g, x, eps=eps, rng=rng)


def layer_param_jacobian_test(layer, x, name, eps=None, rng=None):
    """Taylor test of a layer's gradient w.r.t. one parameter, e.g. name='W' (or '0.W' in a
    Sequential). Returns (eps, zero_order, first_order) as `jacobian_test` does.

    With x fixed and a random u, g(P) = <layer.forward(x; P), u> has gradient grads[name]
    after layer.backward(u). The parameter is perturbed in place and restored afterwards.
    """
    params = {key: p for key, p, _ in layer.named_parameters()}
    if name not in params:
        raise KeyError(f"{layer!r} has no parameter {name!r}; expected one of {sorted(params)}")
    p = params[name]
    saved = _as_float64(p, name).copy()

    def forward(value):
        p[...] = value
        return layer.forward(x)

    def backward(u):
        layer.backward(u)
        # read the gradient after backward: layers may store a new array in grads
        return {key: g for key, _, g in layer.named_parameters()}[name]

    try:
        return jacobian_test(forward, backward, saved.copy(), eps=eps, rng=rng)
    finally:
        p[...] = saved


def layer_jacobian_tests(layer, x, rng=None):
    """Jacobian (Taylor) tests of a layer w.r.t. its input and each parameter. x: (N, D) float64.

    Returns {'x': (eps, zero, first), 'W1': (...), ...} in the order of named_parameters().
    """
    rng = rng_or_default(rng, "layer_jacobian_tests' rng")
    results = {"x": jacobian_test(layer.forward, layer.backward, x, rng=rng)}
    for name, _, _ in list(layer.named_parameters()):
        results[name] = layer_param_jacobian_test(layer, x, name, rng=rng)
    return results


def network_gradient_test(model, loss_fn, X, targets, rng=None):
    """Taylor test of the loss w.r.t. ALL parameters at once, along one random direction.

    f(theta) = loss_fn(model(X; theta), targets), theta = every parameter flattened into one vector.
    Returns (eps, zero_order, first_order) as gradient_test does.
    """
    params = [p for _, p, _ in model.named_parameters()]
    saved = [p.copy() for p in params]

    def assign(theta):
        start = 0
        for p in params:
            p[...] = theta[start : start + p.size].reshape(p.shape)
            start += p.size

    def f(theta):
        assign(theta)
        return loss_fn.forward(model.forward(X), targets)

    def grad(theta):
        f(theta)
        model.backward(loss_fn.backward())
        return np.concatenate([g.ravel() for _, _, g in model.named_parameters()])

    try:
        return gradient_test(f, grad, np.concatenate([p.ravel() for p in saved]), rng=rng)
    finally:
        for p, s in zip(params, saved):
            p[...] = s


NON_FINITE = "WRONG (non-finite)"


def taylor_verdict(eps, zero_order, first_order, roundoff=1e-7):
    """Read a Taylor test (from `gradient_test` or `jacobian_test`). Returns one of

    'WRONG (non-finite)'  a loss, a gradient or a difference is NaN or infinite (every NaN
                 comparison is False, so no other verdict could see it): the gradient is wrong,
                 or the function is not finite at x; nothing else is read from the test;

    'O(eps^2)'   the first-order remainder falls with slope >= 1.8: the gradient is right;
    'exact'      the remainder is round-off (first <= roundoff * zero at every eps, i.e. the
                 linear prediction matches the change to 7 digits): the function is linear in the
                 tested variable (Linear in x, W or b; ReLU away from its kink) and the gradient
                 is right;
    'WRONG'      the remainder falls like O(eps), as the change itself does: the gradient is wrong;
    'no signal'  the function does not change like O(eps) along d, so the test says nothing.
    """
    eps, zero, first = (np.asarray(a, dtype=np.float64) for a in (eps, zero_order, first_order))
    if eps.shape != zero.shape or eps.shape != first.shape or eps.ndim != 1:
        raise ValueError(
            f"taylor_verdict expects eps, zero_order and first_order of one shape (n,), got "
            f"{eps.shape}, {zero.shape} and {first.shape}; pass the three arrays gradient_test returns"
        )
    if not (np.all(np.isfinite(zero)) and np.all(np.isfinite(first))):
        return NON_FINITE
    if not (np.all(np.isfinite(eps)) and np.all(eps > 0)):
        raise ValueError(f"taylor_verdict needs finite step sizes eps > 0, got {eps}")
    if not abs(taylor_slope(eps, zero) - 1) < 0.3:
        return "no signal"
    # Points at the round-off floor carry no slope information, so fit only the others.
    # float64 round-off in f is ~1e-16 |f|, i.e. ~1e-10 of the change at eps ~ 1e-6.
    above = first > roundoff * zero
    if not above.any():
        return "exact"
    if above.sum() < 3 and eps[above].min() > eps[~above].max():
        return "O(eps^2)"  # only the largest steps rise above round-off: nearly linear
    return "O(eps^2)" if taylor_slope(eps[above], first[above]) >= 1.8 else "WRONG"


def param_gradient_errors(model, loss_fn, X, targets, reg=0.0, h=1e-5):
    """Backprop against central differences for every parameter of a model (float64).

    The objective is J = loss_fn(model(X), targets) + reg * sum of W**2 over the weights (the
    l2_penalty of training). Returns {parameter name: max relative error}: below ~1e-7 is right,
    above ~1e-3 is a bug in that parameter's gradient or in a layer above it.
    """
    def objective():
        return loss_fn.forward(model.forward(X), targets) + l2_penalty(model, reg, add_grad=False)

    objective()
    model.backward(loss_fn.backward())
    l2_penalty(model, reg)
    analytic = {name: g.copy() for name, _, g in model.named_parameters()}
    return {name: rel_error(analytic[name], numerical_gradient(lambda _: objective(), p, h))
            for name, p, _ in model.named_parameters()}

