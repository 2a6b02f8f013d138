"""Figures stay a sensible size whatever the number of labels."""

import pytest


@pytest.mark.parametrize("n_labels", [3, 300])
def test_confusion_matrix_png_stays_small_with_many_labels(tmp_path, n_labels):
    # 300 labels once made a 270-inch figure with 90,000 cell texts (24 GB, killed)
    from PIL import Image

    from textrnn.plots import plot_confusion_matrix

    matrix = [[(i * 7 + j) % 5 for j in range(n_labels)] for i in range(n_labels)]
    path = tmp_path / "cm.png"
    plot_confusion_matrix(matrix, [f"label{i}" for i in range(n_labels)], path)
    width, height = Image.open(path).size
    assert 200 < width <= 15 * 110 and 200 < height <= 14 * 110
