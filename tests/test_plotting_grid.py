"""The grid-search table and heat map the lessons share (helpers.plotting.format_grid / plot_grid)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.plotting import format_grid, plot_grid  # noqa: E402


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
