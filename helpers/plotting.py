"""Figures the lessons share: training curves, image grids, templates, confusion matrices,
gradient-test plots and decision regions. Each function returns its matplotlib Figure."""
import matplotlib.pyplot as plt
import numpy as np

from .gradcheck import taylor_slope


def plot_history(history, title="Training"):
    """Loss and accuracy per epoch, training and (when present) validation, side by side."""
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax_loss.plot(epochs, history["loss"], "o-", label="train (mini-batch mean)")
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
    """The columns of W (D, K) as K images of image_shape, e.g. (28, 28) or (3, 32, 32)."""
    templates = [rescale(W[:, k].reshape(image_shape)) for k in range(W.shape[1])]
    return show_images(templates, class_names, ncols=len(templates), size=1.4, cmap="viridis", suptitle=suptitle)


def plot_confusion(C, class_names, title="Confusion matrix"):
    """Confusion matrix C (K, K), rows true classes, columns predictions, counts annotated."""
    K = len(class_names)
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
