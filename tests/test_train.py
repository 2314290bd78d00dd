"""The shared training code: L2 penalty, SGD, train_step / fit, the two-layer net and metrics."""
import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient, rel_error
from helpers.layers import Linear, ReLU, Sequential
from helpers.losses import CourseSoftmaxCrossEntropy, SoftmaxCrossEntropy, l2_penalty
from helpers.networks import two_layer_net
from helpers.train import SGD, accuracy, confusion_matrix, evaluate, fit, per_class_accuracy, predict, train_step


def blobs(rng, n_per_class=60, spread=0.3):
    """Three well separated 2-D Gaussian blobs (linearly separable); labels 0, 1, 2."""
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    X = np.concatenate([c + spread * rng.standard_normal((n_per_class, 2)) for c in centres])
    y = np.repeat(np.arange(3), n_per_class)
    return X, y


def train_blobs(seed, epochs=15, **kwargs):
    rng = np.random.default_rng(seed)
    X, y = blobs(np.random.default_rng(0))  # same data for every seed: only training randomness varies
    net = two_layer_net(2, 16, 3, rng)
    history = fit(net, SoftmaxCrossEntropy(), X, y, epochs=epochs, batch_size=16,
                  optimizer=SGD(0.05, momentum=0.9), rng=rng, reg=1e-4, verbose=False, **kwargs)
    return net, history, X, y


def objective(net, X, T, reg):
    """Data loss + reg * sum of squared weight matrices, written out independently of l2_penalty."""
    data = SoftmaxCrossEntropy(guard=0).forward(net.forward(X), T)
    return data + reg * sum(np.sum(layer.params["W"] ** 2) for layer in net.layers if isinstance(layer, Linear))


def analytic_grads(net, X, T, reg):
    loss_fn = SoftmaxCrossEntropy(guard=0)
    loss_fn.forward(net.forward(X), T)
    net.backward(loss_fn.backward())
    l2_penalty(net, reg)
    return {name: g.copy() for name, _, g in net.named_parameters()}


def max_param_rel_error(net, X, T, reg, grads):
    errors = {}
    for name, p, _ in net.named_parameters():
        numeric = numerical_gradient(lambda _: objective(net, X, T, reg), p)
        errors[name] = rel_error(grads[name], numeric)
    return errors


# --- the two-layer network's gradient, end to end --------------------------------------------

def test_two_layer_net_shapes_and_dtype(rng):
    net = two_layer_net(5, 7, 3, rng, dtype=np.float32)
    assert [type(layer) for layer in net.layers] == [Linear, ReLU, Linear]
    assert net[0].params["W"].shape == (5, 7) and net[2].params["W"].shape == (7, 3)
    scores = net.forward(rng.standard_normal((4, 5)).astype(np.float32))
    assert scores.shape == (4, 3) and scores.dtype == np.float32


def test_whole_network_gradient_matches_finite_differences(rng):
    net = two_layer_net(6, 5, 4, rng)
    X = rng.standard_normal((8, 6))
    T = np.eye(4)[rng.integers(0, 4, 8)]
    reg = 0.1  # large enough that a wrong L2 gradient would show
    errors = max_param_rel_error(net, X, T, reg, analytic_grads(net, X, T, reg))
    assert set(errors) == {"0.W", "0.b", "2.W", "2.b"}
    assert max(errors.values()) < 1e-6, errors


def test_gradient_check_catches_a_broken_relu_backward(rng):
    class LeakyMaskReLU(ReLU):
        def backward(self, dout):
            return dout  # forgot the mask [x > 0]

    net = two_layer_net(6, 5, 4, rng)
    net.layers[1] = LeakyMaskReLU()
    X = rng.standard_normal((8, 6))
    T = np.eye(4)[rng.integers(0, 4, 8)]
    errors = max_param_rel_error(net, X, T, 0.0, analytic_grads(net, X, T, 0.0))
    assert errors["0.W"] > 1e-2 and errors["0.b"] > 1e-2
    assert errors["2.W"] < 1e-6  # the layer above the bug still gets its gradient right


# --- L2 penalty -------------------------------------------------------------------------------

def test_l2_penalty_value_counts_weights_not_biases(rng):
    net = two_layer_net(3, 4, 2, rng)
    for _, p, _ in net.named_parameters():
        p[...] = rng.standard_normal(p.shape)
    W1, b1, W2 = net[0].params["W"], net[0].params["b"], net[2].params["W"]
    expected = 0.3 * (np.sum(W1**2) + np.sum(W2**2))
    assert l2_penalty(net, 0.3) == pytest.approx(expected, rel=1e-12)
    assert np.any(b1 != 0)  # the biases are non-zero, yet they must not count


def test_l2_penalty_gradient_by_finite_differences(rng):
    net = two_layer_net(3, 4, 2, rng)
    for _, _, g in net.named_parameters():
        g[...] = 0.0
    reg = 0.7
    l2_penalty(net, reg)
    for name, p, g in net.named_parameters():
        numeric = numerical_gradient(
            lambda _: reg * sum(np.sum(q**2) for n, q, _ in net.named_parameters() if n.endswith("W")), p
        )
        assert rel_error(g, numeric) < 1e-8, name
    assert np.all(net[0].grads["b"] == 0)


def test_l2_penalty_zero_reg_leaves_grads_alone(rng):
    net = two_layer_net(3, 4, 2, rng)
    before = {n: g.copy() for n, _, g in net.named_parameters()}
    assert l2_penalty(net, 0.0) == 0.0
    for n, _, g in net.named_parameters():
        np.testing.assert_array_equal(g, before[n])


# --- SGD --------------------------------------------------------------------------------------

def test_sgd_plain_step():
    layer = Linear(2, 2)
    W0 = layer.params["W"].copy()
    layer.grads["W"] = np.array([[1.0, -2.0], [0.5, 0.0]])
    layer.grads["b"] = np.array([3.0, -1.0])
    SGD(0.1).step(layer)
    np.testing.assert_allclose(layer.params["W"], W0 - 0.1 * layer.grads["W"])
    np.testing.assert_allclose(layer.params["b"], [-0.3, 0.1])


def test_sgd_momentum_matches_formula_over_steps(rng):
    layer = Linear(3, 2, rng)
    lr, mu = 0.05, 0.9
    opt = SGD(lr, momentum=mu)
    p = {k: v.copy() for k, v in layer.params.items()}
    v = {k: np.zeros_like(x) for k, x in p.items()}
    for _ in range(4):
        for k in layer.grads:
            layer.grads[k] = rng.standard_normal(layer.params[k].shape)
            v[k] = mu * v[k] - lr * layer.grads[k]  # v <- mu v - lr g
            p[k] = p[k] + v[k]  # p <- p + v
        opt.step(layer)
        for k in p:
            np.testing.assert_allclose(layer.params[k], p[k], rtol=1e-12, atol=1e-15)


def _reference_steps(params, grads, lr, momentum, reg, steps):
    """The update written the plain way, whole arrays and l2_penalty's in-place gradient:
    g <- g + 2 reg W (weights only); v <- momentum v - lr g; p <- p + v (or p <- p - lr g)."""
    params = {k: p.copy() for k, p in params.items()}
    velocity = {k: np.zeros_like(p) for k, p in params.items()}
    for t in range(steps):
        for k, p in params.items():
            g = grads[t][k].copy()
            if k.rpartition(".")[2].startswith("W"):
                g += (2 * reg) * p
            if momentum:
                velocity[k] *= momentum
                velocity[k] -= lr * g
                p += velocity[k]
            else:
                p -= lr * g
    return params


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("how", ["l2_penalty", "weight_decay"])
def test_sgd_step_is_the_plain_update_to_the_last_bit(rng, dtype, momentum, how):
    # fit's reg (l2_penalty adds 2 reg W to the grads, then step) and SGD's weight_decay = 2 reg
    # both make exactly the update of the loop written out by hand
    net = two_layer_net(7, 5, 3, rng, dtype)
    start = {k: p.copy() for k, p, _ in net.named_parameters()}
    grads = [{k: rng.standard_normal(p.shape).astype(dtype) for k, p in start.items()} for _ in range(3)]
    reg = 0.1
    opt = SGD(0.05, momentum, weight_decay=2 * reg if how == "weight_decay" else 0.0)
    for g in grads:
        for k, _, _ in net.named_parameters():
            net[int(k[0])].grads[k[2:]] = g[k].copy()
        if how == "l2_penalty":
            l2_penalty(net, reg)
        opt.step(net)
    want = _reference_steps(start, grads, 0.05, momentum, reg, 3)
    for k, p, _ in net.named_parameters():
        assert p.dtype == dtype
        np.testing.assert_array_equal(p, want[k], err_msg=k)


def test_sgd_weight_decay_leaves_the_grads_and_the_biases_alone(rng):
    layer = Linear(4, 3, rng)
    layer.grads = {k: rng.standard_normal(p.shape) for k, p in layer.params.items()}
    before = {k: g.copy() for k, g in layer.grads.items()}
    b0 = layer.params["b"].copy()
    SGD(0.1, weight_decay=0.5).step(layer)
    for k in before:
        np.testing.assert_array_equal(layer.grads[k], before[k])
    np.testing.assert_array_equal(layer.params["b"], b0 - 0.1 * before["b"])


def test_sgd_updates_non_contiguous_parameters_in_place(rng):
    layer = Linear(4, 3, rng)
    layer.params["W"] = np.asfortranarray(layer.params["W"])  # a transposed view's layout
    W = layer.params["W"]
    start = W.copy()
    layer.grads["W"] = np.asfortranarray(rng.standard_normal((4, 3)))
    opt = SGD(0.1, momentum=0.5, weight_decay=2 * 0.2)
    opt.step(layer)
    opt.step(layer)
    assert layer.params["W"] is W
    grads = [{"W": layer.grads["W"], "b": layer.grads["b"]}] * 2
    want = _reference_steps({"W": start, "b": np.zeros(3)}, grads, 0.1, 0.5, 0.2, 2)["W"]
    np.testing.assert_array_equal(W, want)


def test_sgd_refuses_a_gradient_of_the_wrong_shape(rng):
    layer = Linear(4, 3, rng)
    layer.grads["W"] = np.ones((3, 4))
    with pytest.raises(ValueError, match=r"gradient of W has shape \(3, 4\).*\(4, 3\)"):
        SGD(0.1).step(layer)


def test_sgd_rejects_bad_hyperparameters():
    with pytest.raises(ValueError, match="lr > 0"):
        SGD(0.0)
    with pytest.raises(ValueError, match="momentum"):
        SGD(0.1, momentum=1.0)
    with pytest.raises(ValueError, match="weight_decay"):
        SGD(0.1, weight_decay=-1e-4)


def test_train_step_returns_loss_with_l2_and_updates(rng):
    net = two_layer_net(4, 3, 2, rng)
    X = rng.standard_normal((5, 4))
    T = np.eye(2)[[0, 1, 1, 0, 1]]
    reg, lr = 0.01, 0.1
    expected_loss = objective(net, X, T, reg)
    grads = analytic_grads(net, X, T, reg)
    before = {n: p.copy() for n, p, _ in net.named_parameters()}
    loss = train_step(net, SoftmaxCrossEntropy(guard=0), SGD(lr), X, T, reg)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for n, p, _ in net.named_parameters():
        np.testing.assert_allclose(p, before[n] - lr * grads[n], rtol=1e-12, atol=1e-15)


def test_train_step_tells_only_the_first_layer_that_its_input_needs_no_gradient(rng):
    net = two_layer_net(4, 3, 2, rng)
    seen = []
    for i in (0, 2):
        inner = net[i].backward
        net[i].backward = lambda dout, inner=inner, i=i: seen.append((i, net[i].needs_input_grad)) or inner(dout)
    X, T = rng.standard_normal((5, 4)), np.eye(2)[[0, 1, 1, 0, 1]]
    train_step(net, SoftmaxCrossEntropy(), SGD(0.1), X, T)
    assert seen == [(2, True), (0, False)]  # the hidden layer still passes dx down
    assert net[0].needs_input_grad  # and the flag is back: a gradient check afterwards gets dx


def test_train_step_skipping_dx_changes_no_update(rng):
    nets = [two_layer_net(4, 3, 2, np.random.default_rng(5)) for _ in range(2)]
    X, T = rng.standard_normal((5, 4)), np.eye(2)[[0, 1, 1, 0, 1]]
    train_step(nets[0], SoftmaxCrossEntropy(), SGD(0.1, 0.9), X, T, reg=0.01)
    loss_fn, opt = SoftmaxCrossEntropy(), SGD(0.1, 0.9)  # the same step, written out with the full backward
    loss_fn.forward(nets[1].forward(X), T)
    nets[1].backward(loss_fn.backward())
    l2_penalty(nets[1], 0.01)
    opt.step(nets[1])
    for (_, p, _), (_, q, _) in zip(nets[0].named_parameters(), nets[1].named_parameters()):
        np.testing.assert_array_equal(p, q)


# --- fit --------------------------------------------------------------------------------------

def test_fit_loss_decreases_on_separable_data():
    net, history, X, y = train_blobs(seed=0)
    assert set(history) == {"loss", "train_loss", "train_cost", "train_acc", "time"}
    assert len(history["loss"]) == 15
    assert history["loss"][-1] < 0.25 * history["loss"][0]
    assert history["train_acc"][-1] == 1.0
    assert accuracy(net, X, y) == 1.0


def test_fit_same_seed_same_history_exactly():
    net_a, hist_a, _, _ = train_blobs(seed=3, epochs=4)
    net_b, hist_b, _, _ = train_blobs(seed=3, epochs=4)
    for key in ("loss", "train_acc"):
        assert hist_a[key] == hist_b[key]
    for (_, pa, _), (_, pb, _) in zip(net_a.named_parameters(), net_b.named_parameters()):
        np.testing.assert_array_equal(pa, pb)


def test_fit_different_seeds_differ():
    _, hist_a, _, _ = train_blobs(seed=3, epochs=4)
    _, hist_b, _, _ = train_blobs(seed=4, epochs=4)
    assert hist_a["loss"] != hist_b["loss"]


def test_fit_shuffles_with_the_rng_it_is_given():
    X, y = blobs(np.random.default_rng(0))
    losses = []
    for shuffle_seed in (1, 2):
        net = two_layer_net(2, 16, 3, np.random.default_rng(0))  # same initial weights
        history = fit(net, SoftmaxCrossEntropy(), X, y, epochs=2, batch_size=16, optimizer=SGD(0.05),
                      rng=np.random.default_rng(shuffle_seed), verbose=False)
        losses.append(history["loss"])
    assert losses[0] != losses[1]


def test_fit_with_validation_and_lr_decay(rng):
    X, y = blobs(rng)
    opt = SGD(0.05, momentum=0.9)
    net = two_layer_net(2, 8, 3, rng)
    history = fit(net, SoftmaxCrossEntropy(), X[::2], y[::2], epochs=3, batch_size=10, optimizer=opt,
                  rng=rng, X_val=X[1::2], y_val=y[1::2], lr_decay=0.5, verbose=False)
    assert len(history["val_loss"]) == len(history["val_acc"]) == 3
    loss, acc = evaluate(net, SoftmaxCrossEntropy(), X[1::2], y[1::2], 3)
    assert (loss, acc) == (history["val_loss"][-1], history["val_acc"][-1])
    assert opt.lr == pytest.approx(0.05 * 0.5**3)


def test_fit_keeps_float32_models_in_float32(rng):
    X, y = blobs(rng)
    net = two_layer_net(2, 8, 3, rng, dtype=np.float32)
    fit(net, SoftmaxCrossEntropy(), X.astype(np.float32), y, epochs=1, batch_size=32,
        optimizer=SGD(0.05, momentum=0.9), rng=rng, reg=1e-3, verbose=False)
    assert all(p.dtype == np.float32 for _, p, _ in net.named_parameters())


def test_fit_prints_one_line_per_epoch(rng, capsys):
    X, y = blobs(rng)
    fit(two_layer_net(2, 8, 3, rng), SoftmaxCrossEntropy(), X, y, epochs=2, batch_size=32,
        optimizer=SGD(0.05), rng=rng, X_val=X, y_val=y)
    # fit's own lines: a print left in an exercise (allowed) adds lines that are not fit's
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("epoch")]
    assert len(lines) == 2 and lines[1].startswith("epoch   2") and "val acc" in lines[1]


@pytest.mark.parametrize(
    "X_shape, y, message",
    [
        ((6,), np.zeros(6, dtype=int), r"shape \(N, \.\.\.\).*\(6,\) and \(6,\)"),
        ((6, 2), np.zeros((6, 1), dtype=int), r"\(6, 2\) and \(6, 1\)"),
        ((6, 2), np.zeros(5, dtype=int), r"\(6, 2\) and \(5,\)"),
        ((6, 2), np.zeros(6), "labels must be integers.*float64"),
        ((6, 2), np.array([0, 1, 2, 3, 0, 1]), r"0\.\.2 .*got 0\.\.3"),
        ((6, 2), np.array([0, 1, -1, 2, 0, 1]), r"0\.\.2 .*got -1\.\.2"),
        ((0, 2), np.zeros(0, dtype=int), r"\(0, 2\) and \(0,\)"),
    ],
)
def test_fit_bad_input_says_what_was_expected(rng, X_shape, y, message):
    net = two_layer_net(2, 4, 3, rng)
    with pytest.raises(ValueError, match=message):
        fit(net, SoftmaxCrossEntropy(), np.zeros(X_shape), y, epochs=1, batch_size=2,
            optimizer=SGD(0.1), rng=rng, verbose=False)


def test_fit_bad_validation_data(rng):
    net = two_layer_net(2, 4, 3, rng)
    X, y = np.zeros((6, 2)), np.zeros(6, dtype=int)
    with pytest.raises(ValueError, match=r"validation.*\(4, 2\) and \(3,\)"):
        fit(net, SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=2, optimizer=SGD(0.1), rng=rng,
            X_val=np.zeros((4, 2)), y_val=np.zeros(3, dtype=int), verbose=False)
    with pytest.raises(ValueError, match=r"\(N, 2\), got \(4, 5\)"):
        fit(net, SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=2, optimizer=SGD(0.1), rng=rng,
            X_val=np.zeros((4, 5)), y_val=np.zeros(4, dtype=int), verbose=False)


def test_accuracy_refuses_column_labels(rng):
    net = two_layer_net(2, 4, 3, rng)
    X = rng.standard_normal((5, 2))
    y = predict(net, X)
    assert accuracy(net, X, y) == 1.0
    with pytest.raises(ValueError, match=r"\(5, 2\) and \(5, 1\)"):
        accuracy(net, X, y[:, None])  # would broadcast to (5, 5) and give a meaningless number


# --- metrics ----------------------------------------------------------------------------------

def test_confusion_matrix_and_per_class_accuracy_by_hand():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    C = confusion_matrix(y_true, y_pred, 3)
    np.testing.assert_array_equal(C, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    np.testing.assert_allclose(per_class_accuracy(y_true, y_pred, 3), [1 / 2, 1, 2 / 3])


def test_confusion_matrix_rows_sum_to_class_counts(rng):
    y_true, y_pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    C = confusion_matrix(y_true, y_pred, 4)
    np.testing.assert_array_equal(C.sum(axis=1), np.bincount(y_true, minlength=4))
    assert np.trace(C) == np.sum(y_true == y_pred)


@pytest.mark.parametrize(
    "y_true, y_pred, message",
    [
        ([0, 1, 2], [0, 1], r"\(3,\) and \(2,\)"),
        ([0, 1, -1], [0, 1, 2], r"y_true must lie in 0\.\.2, got -1\.\.1"),
        ([0, 1, 2], [0, 3, 2], r"y_pred must lie in 0\.\.2, got 0\.\.3"),
        ([0.0, 1.0, 2.0], [0, 1, 2], "integer class indices, got dtype float64"),
    ],
)
def test_confusion_matrix_bad_labels(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(np.array(y_true), np.array(y_pred), 3)


def test_grid_search_calls_score_per_cell():
    from helpers.train import grid_search
    g = grid_search(lambda a, b: 10 * a + b, [1, 2], [3, 4, 5])
    assert g.shape == (2, 3) and g[1, 2] == 25 and g[0, 0] == 13


def test_fit_history_separates_data_loss_and_cost(rng):
    from helpers.losses import l2_penalty
    X = rng.standard_normal((60, 5))
    y = rng.integers(0, 3, 60)
    net = two_layer_net(5, 8, 3, np.random.default_rng(0))
    h = fit(net, SoftmaxCrossEntropy(), X, y, epochs=3, batch_size=20, optimizer=SGD(0.1),
            rng=np.random.default_rng(1), reg=0.1, X_val=X[:20], y_val=y[:20], verbose=False)
    penalty = l2_penalty(net, 0.1, add_grad=False)
    loss_now = SoftmaxCrossEntropy().forward(net.forward(X), np.eye(3)[y])
    assert h["train_loss"][-1] == pytest.approx(loss_now, rel=1e-12)
    assert h["train_cost"][-1] == pytest.approx(loss_now + penalty, rel=1e-12)
    assert h["val_cost"][-1] - h["val_loss"][-1] == pytest.approx(penalty, rel=1e-12)
    assert penalty > 0


def test_fit_lr_schedule_sets_every_step(rng):
    X = rng.standard_normal((40, 5))
    y = rng.integers(0, 3, 40)
    seen = []

    class Spy(SGD):
        def step(self, model):
            seen.append(self.lr)
            super().step(model)

    fit(two_layer_net(5, 4, 3, np.random.default_rng(0)), SoftmaxCrossEntropy(), X, y, epochs=2, batch_size=10,
        optimizer=Spy(1.0), rng=np.random.default_rng(1), lr_schedule=lambda t: 0.01 * (t + 1), verbose=False)
    assert seen == pytest.approx([0.01 * (t + 1) for t in range(8)])
    with pytest.raises(ValueError, match="lr_schedule"):
        fit(two_layer_net(5, 4, 3, np.random.default_rng(0)), SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=10,
            optimizer=SGD(0.1), rng=np.random.default_rng(1), lr_schedule=lambda t: 0.1, lr_decay=0.5, verbose=False)


@pytest.mark.parametrize("rate", [-0.1, float("nan"), float("inf")])
def test_fit_refuses_a_schedule_rate_that_is_negative_or_not_finite(rng, rate):
    # a negative rate is gradient ascent: the loss grows and nothing said why
    X, y = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    net = two_layer_net(4, 5, 3, np.random.default_rng(0))
    before = [p.copy() for _, p, _ in net.named_parameters()]
    with pytest.raises(ValueError, match=r"lr_schedule\(2\) returned .*finite learning rate >= 0"):
        fit(net, SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=5, optimizer=SGD(0.1),
            rng=np.random.default_rng(0), lr_schedule=lambda t: 0.1 if t < 2 else rate, verbose=False)
    assert any(not np.array_equal(p, q) for (_, p, _), q in zip(net.named_parameters(), before))  # two steps ran


def test_train_step_leaves_the_batch_writable_and_gives_the_gradient_of_backward(rng):
    net = two_layer_net(4, 5, 3, rng)
    X, T = rng.standard_normal((6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    reference = two_layer_net(4, 5, 3, np.random.default_rng(0))
    for (_, p, _), (_, q, _) in zip(net.named_parameters(), reference.named_parameters()):
        q[...] = p
    loss_fn = SoftmaxCrossEntropy()
    train_step(net, loss_fn, SGD(0.1), X, T, reg=0.01)
    assert X.flags.writeable
    # the same step by hand: plain backward (with dx), the L2 gradient, one SGD update
    loss_fn.forward(reference.forward(X), T)
    reference.backward(loss_fn.backward())
    for (_, p, g), (_, q, _) in zip(reference.named_parameters(), net.named_parameters()):
        if p.ndim == 2:
            g = g + 2 * 0.01 * p
        np.testing.assert_allclose(q, p - 0.1 * g, rtol=1e-12, atol=1e-15)


def interleaved_blobs(rng, n=90):
    """The blobs above, n points with labels 0, 1, 2, 0, 1, ... in turn."""
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.arange(n) % 3
    return centres[y] + 0.3 * rng.standard_normal((n, 2)), y


def test_fit_refuses_nan_inputs_from_a_standardizer_without_eps(rng):
    X, y = interleaved_blobs(rng)
    X = np.column_stack([X, np.ones(len(X))])  # a constant feature, as MNIST's border pixels
    with np.errstate(all="ignore"):
        Xs = (X - X.mean(axis=0)) / X.std(axis=0)  # what Standardizer(eps=0) returned
    with pytest.raises(ValueError, match=r"NaN or infinite.*eps"):
        fit(two_layer_net(3, 8, 3, rng), SoftmaxCrossEntropy(), Xs, y, epochs=1, batch_size=10,
            optimizer=SGD(0.1), rng=rng, verbose=False)


class NanAfter(Linear):
    """A Linear layer whose output turns NaN from its `after`-th forward on (a numeric fault)."""

    def __init__(self, *args, after=5, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls, self.after = 0, after

    def forward(self, x):
        self.calls += 1
        y = super().forward(x)
        return y * np.nan if self.calls > self.after else y


def test_fit_stops_at_the_first_non_finite_loss_and_says_where(rng):
    X, y = interleaved_blobs(rng)
    net = Sequential(Linear(2, 8, rng), ReLU(), NanAfter(8, 3, rng, after=4))  # forward 1 is fit's probe
    with pytest.raises(FloatingPointError, match=r"nan at epoch 1, batch 4 \(lr=0\.1"):
        fit(net, SoftmaxCrossEntropy(), X, y, epochs=2, batch_size=10, optimizer=SGD(0.1), rng=rng,
            verbose=False)


def test_fit_refuses_a_model_with_nan_weights(rng):
    X, y = interleaved_blobs(rng)
    net = two_layer_net(2, 8, 3, rng)
    net[0].params["W"][0, 0] = np.nan
    with pytest.raises(FloatingPointError, match="NaN"):
        fit(net, SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=10, optimizer=SGD(0.1), rng=rng,
            verbose=False)


@pytest.mark.parametrize("loss_fn", [CourseSoftmaxCrossEntropy(), SoftmaxCrossEntropy()], ids=["guarded", "exact"])
def test_fit_warns_or_stops_when_training_diverges(loss_fn, rng):
    X, y = rng.standard_normal((300, 20)), rng.integers(0, 10, 300)  # the lr=1e3
    with pytest.warns(RuntimeWarning, match="diverging"):
        try:
            fit(two_layer_net(20, 32, 10, rng), loss_fn, X, y, epochs=3, batch_size=30, optimizer=SGD(1e3),
                rng=rng, verbose=False)
        except FloatingPointError:  # stopping at an infinite loss is fine too, after the warning
            pass


@pytest.mark.parametrize("lr", [float("nan"), float("inf"), -1.0, 0.0, "0.1", True])
def test_sgd_refuses_a_learning_rate_that_is_not_a_positive_number(lr):
    with pytest.raises(ValueError, match="finite lr > 0"):
        SGD(lr)


@pytest.mark.parametrize(
    "kwargs,message",
    [({"reg": -1}, "reg"), ({"reg": float("nan")}, "reg"), ({"lr_decay": -1}, "lr_decay"),
     ({"lr_decay": 0}, "lr_decay"), ({"epochs": -1}, "epochs"), ({"epochs": 0}, "epochs"),
     ({"epochs": 2.5}, "epochs")],
)
def test_fit_refuses_bad_hyperparameters_before_training(kwargs, message, rng):
    X, y = interleaved_blobs(rng)
    net = two_layer_net(2, 8, 3, rng)
    before = net[0].params["W"].copy()
    args = dict(epochs=1, batch_size=10, optimizer=SGD(0.1), rng=rng, verbose=False) | kwargs
    with pytest.raises(ValueError, match=message):
        fit(net, SoftmaxCrossEntropy(), X, y, **args)
    np.testing.assert_array_equal(net[0].params["W"], before)  # refused before any step


def test_one_sgd_passed_to_two_fits_trains_the_same_way_twice():
    X, y = interleaved_blobs(np.random.default_rng(0))
    opt = SGD(0.1, momentum=0.9)
    runs = []
    for _ in range(2):
        net = two_layer_net(2, 8, 3, np.random.default_rng(1))
        runs.append(fit(net, SoftmaxCrossEntropy(), X, y, epochs=3, batch_size=10, optimizer=opt,
                        rng=np.random.default_rng(2), lr_decay=0.5, verbose=False)["loss"])
    assert runs[0] == runs[1]


def test_fit_resume_carries_the_optimiser_on():
    X, y = interleaved_blobs(np.random.default_rng(0))
    opt = SGD(0.1, momentum=0.9)
    net = two_layer_net(2, 8, 3, np.random.default_rng(1))
    fit(net, SoftmaxCrossEntropy(), X, y, epochs=2, batch_size=10, optimizer=opt,
        rng=np.random.default_rng(2), lr_decay=0.5, verbose=False)
    fit(net, SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=10, optimizer=opt,
        rng=np.random.default_rng(2), lr_decay=0.5, verbose=False, resume=True)
    assert opt.lr == pytest.approx(0.1 * 0.5**3) and opt.velocity
