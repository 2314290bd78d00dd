"""helpers.plotting: the grid-search table and heat map the lessons share, and figures that say what
they expected when given the wrong thing."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.plotting import (
    format_grid,
    plot_confusion,
    plot_decision_regions,
    plot_gradient_test,
    plot_grid,
    plot_history,
    show_images,
    show_templates,
)


@pytest.mark.parametrize(
    "call",
    [lambda: plot_history({"loss": [1.0, 0.5]}),
     lambda: show_images(np.zeros((3, 8, 8)), titles=["a", "b"]),
     lambda: plot_confusion(np.eye(3, dtype=int), ["a", "b"]),
     lambda: plot_gradient_test(np.ones(4), np.ones(3), np.ones(4)),
     lambda: show_templates(np.zeros((10, 3)), (28, 28), ["a", "b", "c"]),
     lambda: plot_decision_regions(lambda G: np.zeros(len(G), dtype=int), np.zeros((5, 3)), np.zeros(5, dtype=int))],
    ids=["history", "images", "confusion", "gradient_test", "templates", "decision_regions"],
)
def test_plotting_helpers_say_what_they_expected(call):
    with pytest.raises(ValueError, match="expects .*, got"):
        call()
    plt.close("all")


def test_format_grid_rows_columns_and_values():
    text = format_grid([[0.5, 0.25], [0.125, 1.0]], [0.1, 1], [1e-3, 1e-2], corner="lr", fmt="{:.1%}")
    lines = text.splitlines()
    assert len(lines) == 3 and lines[0].startswith("lr") and "0.001" in lines[0]
    assert lines[1].split() == ["0.1", "50.0%", "25.0%"] and lines[2].split() == ["1", "12.5%", "100.0%"]


def test_plot_grid_marks_best_and_diverged_cells():
    fig = plot_grid(np.array([[0.9, np.nan], [0.95, 0.5]]), [0.1, 1.0], [64, 256], row_label="η",
                    col_label="B", title="t", best=(1, 0))
    texts = {t.get_text(): t for t in fig.axes[0].texts}
    assert "diverged" in texts and texts["95.0%"].get_fontweight() == "bold"
    assert matplotlib.colors.to_hex(texts["diverged"].get_color()) == "#000000"  # readable on the grey cell
    assert texts["90.0%"].get_fontweight() == "normal"
    plt.close(fig)


@pytest.mark.parametrize("draw", [lambda g: format_grid(g, [1, 2], [3]), lambda g: plot_grid(
    g, [1, 2], [3], row_label="a", col_label="b", title="t")])
def test_grid_shape_mismatch_is_an_error(draw):
    with pytest.raises(ValueError, match=r"grid of shape \(2, 1\)"):
        draw(np.zeros((1, 2)))
