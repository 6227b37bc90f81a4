"""The overview figure's fixed layout: every panel, label, legend and the footer on the canvas, no panel over
another, and the map's box in the map's own proportions (so the map fills its side)."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sahel_sim.runner import figures
from sahel_sim.runner.outputs import build_tables

from .conftest import make_model


def _drawn_overview(model, tmp_path, monkeypatch) -> Figure:
    """Write the overview of ``model`` and return the figure it was drawn on."""
    drawn = {}
    save = Figure.savefig

    def keep(fig, *args, **kwargs):
        drawn["fig"] = fig
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    figures.overview_figure(model, build_tables(model), tmp_path / "overview.png")
    assert (tmp_path / "overview.png").stat().st_size > 10_000
    return drawn["fig"]


@pytest.mark.parametrize("overrides", [(), ("map.lon_min=-25.0",), ("map.lat_min=0.0", "map.lat_max=30.0")],
                         ids=["default map", "wide map", "tall map"])
def test_overview_layout_keeps_everything_on_the_canvas(overrides, tmp_path, monkeypatch):
    model = make_model(*overrides).run()
    fig = _drawn_overview(model, tmp_path, monkeypatch)
    renderer = FigureCanvasAgg(fig).get_renderer()
    canvas = fig.bbox
    assert len(fig.axes) == 4
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes]
    for box in [*boxes, fig.texts[0].get_window_extent(renderer)]:
        assert canvas.x0 <= box.x0 and box.x1 <= canvas.x1, box
        assert canvas.y0 <= box.y0 and box.y1 <= canvas.y1, box
    for i, box in enumerate(boxes):
        for other in boxes[i + 1:]:
            assert not box.overlaps(other)
    # the footer sits below the map's axis labels
    assert fig.texts[0].get_window_extent(renderer).y1 < boxes[0].y0
    # little blank margin left: what is drawn spans nearly the whole canvas (both in inches)
    drawn = fig.get_tightbbox(renderer)
    assert drawn.width >= 0.96 * fig.get_figwidth() and drawn.height >= 0.94 * fig.get_figheight()


def test_overview_map_box_has_the_maps_proportions(tmp_path, monkeypatch):
    model = make_model().run()
    fig = _drawn_overview(model, tmp_path, monkeypatch)
    cfg = model.world.config
    ax_map = fig.axes[0]
    box = ax_map.get_position(original=False)
    ratio = (box.height * fig.get_figheight()) / (box.width * fig.get_figwidth())
    assert ratio == pytest.approx((cfg.lat_max - cfg.lat_min) / (cfg.lon_max - cfg.lon_min), rel=1e-3)
    # the aspect lock did not have to shrink the box: the map fills the space it was given
    assert ax_map.get_position(original=True).bounds == pytest.approx(box.bounds)
