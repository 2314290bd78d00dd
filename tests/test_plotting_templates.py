"""Class templates (helpers.plotting.show_templates): one diverging scale centred on zero, one colour bar.

A template's colour must mean the same weight in every image of the figure, and zero must be the
neutral colour, so that "red: for, blue: against" is what the picture shows. A map rescaled per image
(min -> one end, max -> the other) breaks both: the fixtures below fail on it.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.plotting import show_templates  # noqa: E402


def _image_axes(fig):
    return [ax for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]


def test_grey_templates_share_one_symmetric_diverging_scale_and_one_colour_bar():
    W = np.zeros((4 * 4, 3))
    W[:, 0] = np.linspace(0.0, 2.0, 16)     # only positive weights: all "for", none "against"
    W[:, 1] = np.linspace(-0.5, 0.5, 16)    # small weights
    W[:, 2] = -np.linspace(0.0, 1.0, 16)    # only negative
    fig = show_templates(W, (4, 4), ["a", "b", "c"], suptitle="t")
    axes = _image_axes(fig)
    assert len(axes) == 3
    for ax in axes:
        (im,) = ax.images
        assert im.get_cmap().name == "RdBu_r"
        assert im.get_clim() == (-2.0, 2.0)  # symmetric about 0, the same limits in every image
        np.testing.assert_array_equal(np.asarray(im.get_array()).shape, (4, 4))
    # a zero weight is drawn in the middle of the map (white), whatever the template's own range
    norm = axes[0].images[0].norm
    assert norm(0.0) == pytest.approx(0.5)
    # one colour bar for the whole figure
    colour_bars = [ax for ax in fig.axes if ax not in axes]
    assert len(colour_bars) == 1
    plt.close(fig)


def test_a_positive_only_template_is_not_drawn_with_the_against_colour():
    W = np.column_stack([np.linspace(0.1, 1.0, 9), -np.linspace(0.1, 1.0, 9)])
    fig = show_templates(W, (3, 3), ["plus", "minus"])
    plus, minus = (ax.images[0] for ax in _image_axes(fig))
    rgba_plus = plus.cmap(plus.norm(np.asarray(plus.get_array())))
    rgba_minus = minus.cmap(minus.norm(np.asarray(minus.get_array())))
    assert np.all(rgba_plus[..., 0] >= rgba_plus[..., 2])   # red at least as strong as blue: "for"
    assert np.all(rgba_minus[..., 2] >= rgba_minus[..., 0])  # blue: "against"
    plt.close(fig)


def test_colour_templates_share_one_scale_with_grey_at_zero():
    W = np.zeros((3 * 2 * 2, 2))
    W[0, 0] = 4.0     # one large red weight in template 0
    W[4, 1] = -1.0    # one small green weight against, in template 1
    fig = show_templates(W, (3, 2, 2), ["x", "y"])
    (ax0, ax1) = _image_axes(fig)
    img0, img1 = (np.asarray(ax.images[0].get_array()) for ax in (ax0, ax1))
    assert img0.shape == (2, 2, 3)
    assert img0[0, 0, 0] == pytest.approx(1.0) and img0[1, 1, 1] == pytest.approx(0.5)  # +max -> 1, 0 -> grey
    assert img1[0, 0, 1] == pytest.approx(0.5 - 1.0 / 8)  # the same scale as template 0, not its own
    plt.close(fig)


def test_bad_weights_are_refused_with_what_to_do():
    with pytest.raises(ValueError, match="one column a class"):
        show_templates(np.zeros((10, 3)), (28, 28), ["a", "b", "c"])
    with pytest.raises(ValueError, match="diverged"):
        show_templates(np.full((4, 1), np.nan), (2, 2), ["a"])
