"""Figures stay a sensible size whatever the number of labels, titles fit, curves mark the kept evaluation."""

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


def _figures(monkeypatch):
    from textrnn import plots

    shown = []
    monkeypatch.setattr(plots.plt, "close", lambda fig: shown.append(fig))
    return shown


@pytest.mark.parametrize("title", ["validation", "validation, epoch 12"])
def test_confusion_matrix_title_fits_inside_the_figure(tmp_path, monkeypatch, title):
    from textrnn.plots import plot_confusion_matrix

    shown = _figures(monkeypatch)
    plot_confusion_matrix([[5, 1], [2, 7]], ["negative", "positive"], tmp_path / "cm.png", title=title)
    fig = shown[0]
    renderer = fig.canvas.get_renderer()
    box = fig.axes[0].title.get_window_extent(renderer)
    assert 0 <= box.x0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1  # one line ran 12 px past the right edge
    assert fig.axes[0].get_title() == f"confusion matrix\n({title}, 2 labels)"


HISTORY = [{"epoch": e, "step": 10 * e, "train_loss": 1.0 / e, "val_loss": 0.5 + (e - 2) ** 2 / 10,
            "val_accuracy": 0.6 + 0.05 * e, "val_macro_f1": 0.5 + 0.05 * e} for e in (1, 2, 3, 4)]


def test_curves_mark_the_kept_epoch_with_a_dashed_line_and_a_legend_entry(tmp_path, monkeypatch):
    from textrnn.plots import plot_curves

    shown = _figures(monkeypatch)
    plot_curves(HISTORY, tmp_path / "curves.png", best=HISTORY[1])
    for ax in shown[0].axes:
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels[-1] == "kept: epoch 2"
        kept = next(line for line in ax.get_lines() if line.get_label() == "kept: epoch 2")
        assert list(kept.get_xdata()) == [2, 2] and kept.get_linestyle() == "--"
    plot_curves(HISTORY, tmp_path / "steps.png", best=HISTORY[2], x="step")
    assert shown[1].axes[0].get_xlabel() == "step"
    assert [t.get_text() for t in shown[1].axes[0].get_legend().get_texts()][-1] == "kept: step 30 (epoch 3)"
    plot_curves(HISTORY, tmp_path / "none.png")  # no kept row: no line
    assert [t.get_text() for t in shown[2].axes[0].get_legend().get_texts()] == ["train", "validation"]
