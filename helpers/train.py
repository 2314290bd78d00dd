"""Training: SGD with momentum, one training step, the fit loop and its history, and metrics.

Shared by the linear classifier (01), the MLP (04) and the residual networks (05).
"""
import time
import warnings

import numpy as np

from .checks import check_real, check_rng, is_int, is_real, read_only
from .prepare import minibatches, one_hot
from .layers import Sequential
from .losses import is_weight, l2_penalty


class SGD:
    """Mini-batch stochastic gradient descent with (heavy-ball) momentum and weight decay:

        g <- g + weight_decay W        (weight decay: for the weight matrices W only, not biases)
        v <- momentum v - lr g         (v: the velocity, zero at the start)
        p <- p + v                     (with momentum = 0:  p <- p - lr g)

    for every parameter p of the model and the gradient g its backward left in grads, as
    PyTorch's torch.optim.SGD. weight_decay w is the gradient of (w / 2) sum W^2; fit's reg adds
    reg sum W^2 to the cost instead (and its gradient 2 reg W to the grads, see losses.l2_penalty),
    so SGD(lr) with fit(reg=r) and SGD(lr, weight_decay=2 r) with fit(reg=0) make the same steps.
    `lr` is the current step size (fit's lr_decay and lr_schedule change it); `reset()` restores
    the lr it was built with and forgets the velocity, as a freshly built SGD would.
    """

    def __init__(self, lr, momentum=0.0, weight_decay=0.0):
        if not (is_real(lr) and np.isfinite(lr) and lr > 0):
            raise ValueError(f"SGD needs a finite lr > 0 (typically 0.1), got lr={lr!r}")
        if not (is_real(momentum) and 0 <= momentum < 1):
            raise ValueError(f"SGD needs 0 <= momentum < 1 (typically 0.9), got momentum={momentum!r}")
        if not (is_real(weight_decay) and np.isfinite(weight_decay) and weight_decay >= 0):
            raise ValueError(f"SGD needs a finite weight_decay >= 0 (e.g. 5e-4), got weight_decay={weight_decay!r}")
        self.lr, self.momentum, self.weight_decay = float(lr), float(momentum), float(weight_decay)
        self.initial_lr, self.velocity = self.lr, {}

    def reset(self):
        """Back to the state of SGD(initial lr, momentum, weight_decay): no velocity, the first lr."""
        self.lr, self.velocity = self.initial_lr, {}
        return self

    def step(self, model):
        """Update every parameter of `model` in place (the equations above)."""
        for name, p, g in model.named_parameters():
            if g.shape != p.shape:
                raise ValueError(f"SGD: the gradient of {name} has shape {g.shape}, its parameter "
                                 f"{p.shape}; expected equal shapes (does the layer's backward set grads?)")
            if self.weight_decay and is_weight(name):
                g = g + self.weight_decay * p
            if self.momentum:
                if name not in self.velocity:
                    self.velocity[name] = np.zeros_like(p)
                v = self.velocity[name]
                v *= self.momentum
                v -= self.lr * g
                p += v
            else:
                p -= self.lr * g


class TrainingDiverged(FloatingPointError):
    """The loss or the parameters became NaN or infinite during `fit`; the message says where."""


def train_step(model, loss_fn, optimizer, X, targets, reg=0.0):
    """One SGD step on a mini-batch: forward -> loss + reg sum W^2 -> backward -> update.

    X: (N, D) rows of the batch; targets: (N, K) one-hot, ideally in the model's dtype.
    Returns the batch's cost (data loss + L2 term) as a float.
    The layer that reads X is told that nobody needs dL/dX (X is data; see
    layers.Module.needs_input_grad), so it skips that product, as autograd skips the gradient of
    an input that does not require one.
    Forward and backward both run inside this call, so X cannot change in between: the model
    gets it read-only and caches it without a copy.
    """
    scores = model.forward(read_only(X))
    loss = loss_fn.forward(scores, targets)
    first = model[0] if isinstance(model, Sequential) and len(model) else model
    before, first.needs_input_grad = getattr(first, "needs_input_grad", True), False  # True: Module's default
    try:
        model.backward(loss_fn.backward())
    finally:
        first.needs_input_grad = before
    loss += l2_penalty(model, reg)  # the L2 term, and its gradient 2 reg W added to every dW
    optimizer.step(model)
    return float(loss)


def predict(model, X, batch_size=10000):
    """Class predictions (N,) = argmax of the model's scores, computed in batches."""
    return np.concatenate(
        [model.forward(X[i : i + batch_size]).argmax(axis=1) for i in range(0, len(X), batch_size)]
    )


def accuracy(model, X, y, batch_size=10000):
    """Fraction of rows whose predicted class equals y."""
    X, y = _check_xy(X, y, "accuracy")  # a (N, 1) y would broadcast to (N, N) and mean nothing
    return float(np.mean(predict(model, X, batch_size) == y))


def evaluate(model, loss_fn, X, y, n_classes, batch_size=10000):
    """(mean loss, accuracy) over X in batches, without regularisation."""
    X, y = _check_xy(X, y, "evaluate")
    losses, correct = [], 0
    for i in range(0, len(X), batch_size):
        scores = model.forward(X[i : i + batch_size])
        yb = y[i : i + batch_size]
        losses.append(loss_fn.forward(scores, one_hot(yb, n_classes)) * len(yb))
        correct += int(np.sum(scores.argmax(axis=1) == yb))
    return float(np.sum(losses) / len(X)), correct / len(X)


def _check_xy(X, y, who):
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim < 2 or y.ndim != 1 or len(X) != len(y) or len(y) == 0:
        raise ValueError(f"{who}: expected X of shape (N, ...) and integer labels y of shape (N,), "
                         f"got {X.shape} and {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{who}: labels must be integers (class indices), got dtype {y.dtype}")
    return X, y


def _check_fit_arguments(X, epochs, batch_size, optimizer, rng, reg, lr_decay):
    """Refuse, before any work, what would make fit fail late or train on garbage."""
    if not (is_int(epochs) and epochs >= 1):
        raise ValueError(f"fit: epochs must be a whole number >= 1, got {epochs!r}")
    if not (is_int(batch_size) and batch_size >= 1):
        raise ValueError(f"fit: batch_size must be a whole number >= 1, got {batch_size!r}")
    if not (is_real(reg) and np.isfinite(reg) and reg >= 0):
        raise ValueError(f"fit: reg (the L2 weight) must be a finite number >= 0, got {reg!r}")
    if not (is_real(lr_decay) and np.isfinite(lr_decay) and lr_decay > 0):
        raise ValueError(
            f"fit: lr_decay must be a finite number > 0 (1 = constant lr, 0.9 = 10% less per epoch), "
            f"got {lr_decay!r}"
        )
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "lr")):
        raise TypeError(f"fit: optimizer must be an optimiser such as SGD(0.1), got {optimizer!r}")
    check_rng(rng, "fit: rng")
    check_real(X, "fit's X")
    if X.dtype.kind == "f" and not np.all(np.isfinite(X)):
        bad = ~np.isfinite(X.reshape(len(X), -1))
        raise ValueError(
            f"fit: X holds {int(bad.sum())} NaN or infinite values (in {int(bad.any(axis=0).sum())} "
            f"feature columns); expected finite inputs. A Standardizer with eps=0 divides constant "
            f"pixels by 0: use eps > 0, or find where the NaN came from"
        )


def _scheduled_lr(lr_schedule, step):
    """lr_schedule(step) as a float, refused unless finite and >= 0: a negative rate is gradient
    ascent, a NaN one ruins the weights at the first step."""
    lr = lr_schedule(step)
    if not (np.ndim(lr) == 0 and np.asarray(lr).dtype.kind in "iuf" and np.isfinite(lr) and lr >= 0):
        raise ValueError(f"fit: lr_schedule({step}) returned {lr!r}; expected a finite learning rate >= 0 "
                         f"(check the schedule's formula and arguments)")
    return float(lr)


def _check_finite_model(model, what):
    bad = [name for name, p, _ in model.named_parameters() if not np.all(np.isfinite(p))]
    if bad:
        raise TrainingDiverged(f"fit: {what}: parameters {bad} hold NaN or infinite values")


def fit(model, loss_fn, X, y, *, epochs, batch_size, optimizer, rng, reg=0.0, X_val=None, y_val=None,
        lr_decay=1.0, lr_schedule=None, verbose=True, resume=False):
    """Train `model` by mini-batch SGD on (X, y); y holds integer labels.

    Each epoch: reshuffle, and for every mini-batch forward -> loss (+ reg sum W^2) -> backward
    -> optimizer step. Then the learning rate is multiplied by lr_decay. Or, with
    lr_schedule(step) -> lr (step = 0, 1, 2, ... counted over all epochs), the learning rate of
    every step is set by the schedule (e.g. schedules.cyclical_lr); lr_decay must then be 1.
    Returns a history dict of per-epoch lists, measured after each epoch's last step:
      'loss'        mean over the epoch's mini-batches of their cost (data loss + L2 term), as
                    the steps saw it (the divergence check reads it)
      'train_loss'  data loss on the whole training set;  'train_cost' = train_loss + L2 term
      'train_acc'   accuracy on the whole training set
      'val_loss', 'val_cost', 'val_acc'   the same on the validation data, when given
      'time'        seconds the epoch's steps took
    Compare like with like: train_loss with val_loss (no L2 term in either), or the two costs.

    No silent failures: the arguments are checked once before training (X finite, epochs,
    batch_size, reg >= 0, lr_decay > 0), and every rate lr_schedule returns (finite, >= 0);
    training stops with `TrainingDiverged` at the first NaN or infinite loss, naming the epoch,
    the batch and the learning rate; a RuntimeWarning says when an epoch's mean loss grows far
    above the first batch's (over 3x and 1 more): the lr is likely too large.
    The optimizer starts from its initial state (`optimizer.reset()`: first lr, no momentum), so
    passing the same SGD to two fits trains the same way twice; resume=True carries its lr and
    velocity on instead (one run cut into chunks).
    """
    X, y = _check_xy(X, y, "fit")
    _check_fit_arguments(X, epochs, batch_size, optimizer, rng, reg, lr_decay)
    scores = model.forward(X[:1])
    n_classes = scores.shape[1]
    eye = np.eye(n_classes, dtype=scores.dtype)  # eye[yb] is the one-hot batch, in the model's dtype
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"fit: labels must lie in 0..{n_classes - 1} (the model's outputs), got {y.min()}..{y.max()}")
    if X_val is not None:
        X_val, y_val = _check_xy(X_val, y_val, "fit (validation)")
    _check_finite_model(model, "before training")
    if lr_schedule is not None and (not callable(lr_schedule) or lr_decay != 1.0):
        raise ValueError(f"fit: lr_schedule must be a function step -> lr used with lr_decay=1, "
                         f"got {lr_schedule!r} with lr_decay={lr_decay}")
    if not resume and hasattr(optimizer, "reset"):
        optimizer.reset()
    keys = ["loss", "train_loss", "train_cost", "train_acc", "val_loss", "val_cost", "val_acc", "time"]
    history = {key: [] for key in keys}
    first_loss, warned, step = None, False, 0
    for epoch in range(epochs):
        start, losses, sizes = time.perf_counter(), [], []
        for batch, (Xb, yb) in enumerate(minibatches(X, y, batch_size, rng)):
            if lr_schedule is not None:
                optimizer.lr = _scheduled_lr(lr_schedule, step)
            step += 1
            loss = train_step(model, loss_fn, optimizer, Xb, eye[yb], reg)
            if not np.isfinite(loss):
                raise TrainingDiverged(
                    f"fit: the loss became {loss} at epoch {epoch + 1}, batch {batch + 1} "
                    f"(lr={optimizer.lr:.3g}, reg={reg}); expected a finite loss. What to do: lower "
                    f"the learning rate (try lr / 10), and check X and the model for NaN or huge values"
                )
            first_loss = loss if first_loss is None else first_loss
            losses.append(loss)
            sizes.append(len(yb))
        _check_finite_model(model, f"after epoch {epoch + 1} (lr={optimizer.lr:.3g})")
        history["time"].append(time.perf_counter() - start)
        history["loss"].append(float(np.average(losses, weights=sizes)))
        # "far above its start": 3x the first batch's loss and 1 nat more (so that the noise of an
        # already small loss, e.g. in a run resumed in chunks, is not mistaken for divergence)
        if not warned and history["loss"][-1] > max(3 * first_loss, first_loss + 1.0):
            warned = True
            warnings.warn(
                f"fit: the mean loss of epoch {epoch + 1} ({history['loss'][-1]:.4g}) is far above the "
                f"first batch's ({first_loss:.4g}): training is diverging; lower the learning rate "
                f"(now {optimizer.lr:.3g})",
                RuntimeWarning,
                stacklevel=2,
            )
        penalty = l2_penalty(model, reg, add_grad=False)
        measured = [("train", X, y)] + ([("val", X_val, y_val)] if X_val is not None else [])
        for split, X_s, y_s in measured:  # one forward pass each gives loss and accuracy
            data_loss, acc = evaluate(model, loss_fn, X_s, y_s, n_classes)
            history[f"{split}_loss"].append(data_loss)
            history[f"{split}_cost"].append(data_loss + penalty)
            history[f"{split}_acc"].append(acc)
        if verbose:
            line = f"epoch {epoch + 1:3d}  loss {history['loss'][-1]:.4f}  train acc {history['train_acc'][-1]:.4f}"
            if X_val is not None:
                line += f"  val loss {history['val_loss'][-1]:.4f}  val acc {history['val_acc'][-1]:.4f}"
            print(line)
        optimizer.lr *= lr_decay
    if X_val is None:
        del history["val_loss"], history["val_cost"], history["val_acc"]
    return history


def grid_search(score, row_values, col_values):
    """grid[i, j] = score(row_values[i], col_values[j]), e.g. the validation accuracy of a run with
    learning rate row_values[i] and weight decay col_values[j]. Pair with repro.choose_within_noise
    to pick a setting and plotting.plot_grid to draw it."""
    return np.array([[float(score(r, c)) for c in col_values] for r in row_values])


def confusion_matrix(y_true, y_pred, n_classes):
    """C[i, j] = number of samples of true class i predicted as class j. Shape (K, K)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true and y_pred must be label vectors of one shape (N,), "
                         f"got {y_true.shape} and {y_pred.shape}")
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"{name} must hold integer class indices, got dtype {labels.dtype}")
        # a negative label would index from the end and count silently in the wrong cell
        if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(f"{name} must lie in 0..{n_classes - 1}, got {labels.min()}..{labels.max()}")
    C = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def per_class_accuracy(y_true, y_pred, n_classes):
    """Accuracy within each true class: diag(C) / row sums of C. Shape (K,)."""
    C = confusion_matrix(y_true, y_pred, n_classes)
    return np.diag(C) / np.maximum(C.sum(axis=1), 1)
