"""Figures the lessons share: training curves, image grids, templates, confusion matrices,
gradient-test plots and decision regions. Each function returns its matplotlib Figure."""
import matplotlib.pyplot as plt
import numpy as np

from .checks import is_int, pair
from .conv import conv_output_size
from .gradcheck import taylor_slope


def _fail(who, expected, got, todo=""):
    raise ValueError(f"{who} expects {expected}, got {got}" + (f"; {todo}" if todo else ""))


def plot_history(history, title="Training"):
    """Data loss and accuracy per epoch, training and (when present) validation, side by side.

    Both loss curves are the data loss (no L2 term), so they can be compared; a history without
    'train_loss' (written by hand) falls back to its 'loss'."""
    if not isinstance(history, dict) or "loss" not in history or "train_acc" not in history:
        found = sorted(history) if isinstance(history, dict) else type(history).__name__
        _fail("plot_history", "the history dict fit returns (keys 'loss', 'train_acc', ...)", found)
    n = len(history["loss"])
    for key in ("train_loss", "train_acc", "val_loss", "val_acc"):
        if key in history and len(history[key]) != n:
            _fail("plot_history", f"one value per epoch in every list ({n} losses)", f"{len(history[key])} in {key!r}")
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.5))
    if "train_loss" in history:  # the data loss on the whole training set: comparable with validation's
        ax_loss.plot(epochs, history["train_loss"], "o-", label="train")
    else:
        ax_loss.plot(epochs, history["loss"], "o-", label="train (mini-batch mean, with L2 term)")
    if "val_loss" in history:
        ax_loss.plot(epochs, history["val_loss"], "s-", label="validation")
    ax_acc.plot(epochs, 100 * np.asarray(history["train_acc"]), "o-", label="train")
    if "val_acc" in history:
        ax_acc.plot(epochs, 100 * np.asarray(history["val_acc"]), "s-", label="validation")
    ax_loss.set(title=f"{title}: loss", xlabel="epoch", ylabel="cross-entropy loss")
    ax_acc.set(title=f"{title}: accuracy", xlabel="epoch", ylabel="accuracy (%)")
    for ax in (ax_loss, ax_acc):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _to_hwc(img):
    """(C, H, W) or (H, W) image -> something imshow draws: (H, W, C) or (H, W)."""
    img = np.asarray(img)
    return img.transpose(1, 2, 0) if img.ndim == 3 and img.shape[0] in (1, 3) else img


def show_images(images, titles=None, ncols=10, size=1.3, cmap="gray", suptitle=None):
    """Grid of images (N, H, W) or (N, C, H, W); uint8 or floats in [0, 1]."""
    shapes = {np.shape(img) for img in images} if len(images) else set()
    if not shapes or len(shapes) != 1 or len(next(iter(shapes))) not in (2, 3):
        _fail("show_images", "a non-empty stack of images (N, H, W) or (N, C, H, W) of one shape",
              f"shapes {sorted(shapes)[:3]}")
    if titles is not None and len(titles) != len(images):
        _fail("show_images", f"one title an image ({len(images)})", f"{len(titles)} titles")
    if not (is_int(ncols) and ncols >= 1):
        _fail("show_images", "ncols, a whole number >= 1", repr(ncols))
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, ax in enumerate(axes.flat[:n]):
        ax.imshow(_to_hwc(images[i]), cmap=cmap)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def rescale(a):
    """Map an array linearly onto [0, 1] (for showing weights as images)."""
    a = np.asarray(a, dtype=np.float64)
    span = a.max() - a.min()
    return (a - a.min()) / span if span > 0 else np.zeros_like(a)


def show_templates(W, image_shape, class_names, suptitle="Learned templates"):
    """The columns of W (D, K) as K images of image_shape, e.g. (28, 28) or (3, 32, 32), on ONE scale.

    Every template is drawn with the same limits, symmetric about zero, m = max |W|, so that a colour
    means the same weight in every image and zero is always the same neutral colour:
    * one channel ((H, W) or (1, H, W)): the diverging map 'RdBu_r' from -m (blue: the pixel votes
      against the class when it is above its mean) through white (0) to +m (red: votes for it), with
      one colour bar for the whole figure;
    * colour (3, H, W): each channel as 0.5 + w / (2m), so grey is a zero weight in all three
      channels and a saturated colour a large weight for (or, in its complement, against) it.
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != int(np.prod(image_shape)) or W.shape[1] != len(class_names):
        _fail("show_templates", f"W of shape (prod{tuple(image_shape)}, {len(class_names)}) (one column a class)",
              f"{W.shape}", "pass W with rows = pixels, e.g. model.params['W']")
    if not np.all(np.isfinite(W)):
        _fail("show_templates", "finite weights", "NaN or inf in W", "the training diverged: fix it first")
    K = W.shape[1]
    m = float(np.abs(W).max()) or 1.0  # all-zero W: any positive scale draws it neutral
    colour = len(image_shape) == 3 and image_shape[0] == 3
    fig, axes = plt.subplots(1, K, figsize=(1.4 * K + (0 if colour else 1.0), 1.4 * 1.25), squeeze=False)
    for k, ax in enumerate(axes[0]):
        w = W[:, k].reshape(image_shape)
        if colour:
            im = ax.imshow(_to_hwc(0.5 + w / (2 * m)))
        else:
            im = ax.imshow(w.reshape(w.shape[-2:]), cmap="RdBu_r", vmin=-m, vmax=m)
        ax.set_title(str(class_names[k]), fontsize=8)
        ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    if not colour:
        fig.colorbar(im, ax=list(axes[0]), shrink=0.8, pad=0.01, label="weight")
    return fig


def plot_confusion(C, class_names, title="Confusion matrix"):
    """Confusion matrix C (K, K), rows true classes, columns predictions, counts annotated."""
    C = np.asarray(C)
    K = len(class_names)
    if C.shape != (K, K):
        _fail("plot_confusion", f"C of shape ({K}, {K}) for {K} class names", f"{C.shape}",
              "compute it with helpers.train.confusion_matrix(y_true, y_pred, K)")
    fig, ax = plt.subplots(figsize=(0.55 * K + 2.5, 0.55 * K + 2))
    im = ax.imshow(C, cmap="Blues")
    for i in range(K):
        for j in range(K):
            ax.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if C[i, j] > C.max() / 2 else "black")
    ax.set(xticks=range(K), yticks=range(K), xticklabels=class_names, yticklabels=class_names,
           xlabel="predicted class", ylabel="true class", title=title)
    plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
    fig.colorbar(im, ax=ax, label="test images")
    fig.tight_layout()
    return fig


def plot_gradient_test(eps, zero_order, first_order, title="Gradient test", ax=None):
    """Taylor test on log-log axes: |f(x+ed)-f(x)| ~ O(e) and |... - e d.g| ~ O(e^2)."""
    eps, zero_order, first_order = (np.asarray(a, dtype=np.float64) for a in (eps, zero_order, first_order))
    if eps.ndim != 1 or eps.shape != zero_order.shape or eps.shape != first_order.shape:
        _fail("plot_gradient_test", "eps, zero_order, first_order of one shape (n,)",
              f"{eps.shape}, {zero_order.shape}, {first_order.shape}", "pass the three arrays gradient_test returns")
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.5))
    s0, s1 = taylor_slope(eps, zero_order), taylor_slope(eps, first_order)
    ax.loglog(eps, zero_order, "o-", label=rf"$|f(x+\epsilon d)-f(x)|$  (slope {s0:.2f})")
    ax.loglog(eps, first_order, "s-", label=rf"$|f(x+\epsilon d)-f(x)-\epsilon d^T\nabla f|$  (slope {s1:.2f})")
    ax.set(xlabel=r"$\epsilon$", ylabel="error", title=title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    if fig is not None:
        fig.tight_layout()
    return ax.figure


def plot_decision_regions(predict_fn, X, y, ax=None, title="Decision regions", resolution=300, n_points=2000):
    """Colour the plane by predict_fn's class over the range of 2-D X, with (a sample of) points on top."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),) or len(X) == 0:
        _fail("plot_decision_regions", "2-D points X (N, 2) and labels y (N,)", f"{X.shape} and {y.shape}")
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.5, 4))
    lo, hi = X.min(axis=0), X.max(axis=0)
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    regions = np.asarray(predict_fn(grid)).reshape(gx.shape)
    K = int(max(y.max(), regions.max())) + 1
    ax.contourf(gx, gy, regions, levels=np.arange(K + 1) - 0.5, cmap="tab10", vmin=0, vmax=9, alpha=0.35)
    show = np.linspace(0, len(X) - 1, min(n_points, len(X))).astype(int)
    ax.scatter(X[show, 0], X[show, 1], c=y[show], cmap="tab10", vmin=0, vmax=9, s=4)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title)
    if fig is not None:
        fig.tight_layout()
    return ax.figure


def plot_conv_windows(in_hw, kernel, stride=1, padding=0, dilation=1, positions=((0, 0),), ax=None):
    """Where a convolution looks: the padded input grid (padding grey) and, for each output
    position (i, j) in `positions`, the input pixels its kernel taps read (one colour each)."""
    (H, W), (kh, kw) = pair(in_hw, "in_hw", 1), pair(kernel, "kernel", 1)
    (sh, sw), (ph, pw), (dh, dw) = pair(stride, "stride", 1), pair(padding, "padding", 0), pair(dilation, "dilation", 1)
    OH, OW = conv_output_size(H, kh, sh, ph, dh), conv_output_size(W, kw, sw, pw, dw)
    outside = [p for p in positions if not (0 <= p[0] < OH and 0 <= p[1] < OW)]
    if outside:
        raise ValueError(f"output positions {outside} lie outside the {OH}x{OW} output")
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(3.2, 3.2))
    grid = np.full((H + 2 * ph, W + 2 * pw), 0.82)
    grid[ph : ph + H, pw : pw + W] = 1.0
    ax.imshow(grid, cmap="gray", vmin=0, vmax=1)
    colours = plt.get_cmap("tab10").colors
    for k, (i, j) in enumerate(positions):
        size = 0.85 - 0.25 * k  # nested squares keep overlapping taps visible
        for u in range(kh):
            for v in range(kw):
                r, c = sh * i + dh * u, sw * j + dw * v
                ax.add_patch(plt.Rectangle((c - size / 2, r - size / 2), size, size,
                                           color=colours[k % 10], alpha=0.8))
    ax.set_xticks(np.arange(-0.5, W + 2 * pw, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, H + 2 * ph, 1), minor=True)
    ax.grid(which="minor", color="0.6", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    ax.set(xlabel="column of the padded input (pixels)", ylabel="row (pixels)",
           title=f"k={kh}x{kw} s={sh} p={ph} d={dh}: {H}x{W} -> {OH}x{OW}")
    if fig is not None:
        fig.tight_layout()
    return ax.figure


def format_grid(grid, row_values, col_values, corner="", fmt="{:.2%}", width=9):
    """A grid of scores as a text table (rows: row_values, columns: col_values), one string."""
    grid = np.asarray(grid)
    if grid.shape != (len(row_values), len(col_values)):
        _fail("format_grid", f"a grid of shape ({len(row_values)}, {len(col_values)}) (rows x columns)", grid.shape)
    lines = [f"{corner:<8s}" + "".join(f"{v:>{width}g}" for v in col_values)]
    lines += [f"{r:<8g}" + "".join(f"{fmt.format(a):>{width}s}" for a in row) for r, row in zip(row_values, grid)]
    return "\n".join(lines)


def plot_grid(grid, row_values, col_values, *, row_label, col_label, title, best=None, fmt="{:.1%}",
              value_label="validation accuracy (%)", ax=None):
    """A grid search as a heat map: grid[i, j] is the score of (row_values[i], col_values[j]).

    Scores are fractions drawn in percent; `best` = (i, j) is written in bold. Returns the Figure.
    """
    grid = np.asarray(grid, dtype=np.float64)
    if grid.shape != (len(row_values), len(col_values)):
        _fail("plot_grid", f"a grid of shape ({len(row_values)}, {len(col_values)}) (rows x columns)", grid.shape)
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.2 * len(col_values) + 2.5, 0.8 * len(row_values) + 1.8))
    else:
        fig = ax.figure
    finite = np.isfinite(grid)
    cmap = plt.get_cmap("viridis").with_extremes(bad="lightgrey")  # a diverged run: grey, labelled in black
    im = ax.imshow(100 * np.where(finite, grid, np.nan), cmap=cmap)
    mid = np.nanmean(np.where(finite, grid, np.nan))
    for (i, j), v in np.ndenumerate(grid):
        ax.text(j, i, fmt.format(v) if finite[i, j] else "diverged", ha="center", va="center",
                color="black" if not finite[i, j] or v > mid else "white",
                fontweight="bold" if best is not None and (i, j) == tuple(best) else "normal")
    ax.set(xticks=range(len(col_values)), xticklabels=[f"{v:g}" for v in col_values],
           yticks=range(len(row_values)), yticklabels=[f"{v:g}" for v in row_values],
           xlabel=col_label, ylabel=row_label, title=title)
    fig.colorbar(im, ax=ax, label=value_label)
    fig.tight_layout()
    return fig
