"""The overview figure's fixed layout: every panel, label, legend and the footer on the canvas, no panel over
another, and the map's box in the map's own proportions (so the map fills its side); its colours: a family per
camp, a tone per group, told apart by colour-blind readers, and a group's colour following its camp."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sahel_sim import figures
from sahel_sim.outputs import build_tables

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


# --- colours ------------------------------------------------------------------------------------------------------

#: Machado et al. (2009) simulation matrices (severity 1) in linear RGB
_CVD = {
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def _lab(colour: str, vision: str | None):
    """CIELAB of an sRGB colour as seen with normal vision or a simulated colour-vision deficiency."""
    import numpy as np
    from matplotlib.colors import to_rgb

    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    if vision:
        linear = np.clip(np.array(_CVD[vision]) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", [None, "deuteranopia", "protanopia", "tritanopia"])
def test_camps_are_colour_families_that_colour_blind_readers_tell_apart(vision):
    import itertools

    import numpy as np

    from sahel_sim.palette import CAMP_FAMILIES

    def distance(a, b):
        return float(np.linalg.norm(_lab(a, vision) - _lab(b, vision)))

    aq, is_ = CAMP_FAMILIES["AQ"], CAMP_FAMILIES["IS"]
    assert min(distance(a, b) for a in aq for b in is_) > 15  # the camps: clearly apart
    for family in (aq, is_):  # the groups of a camp: apart, though less
        assert len(set(family)) == len(family) >= 4
        assert min(distance(a, b) for a, b in itertools.combinations(family, 2)) > 9


def test_a_group_that_pledges_is_drawn_in_its_new_camps_family_and_the_others_keep_their_tones():
    from sahel_sim.palette import CAMP_FAMILIES, Membership, colours

    before = [Membership("aqim", (("AQ", 0),)), Membership("mujao", (("AQ", 0),)),
              Membership("ansar_dine", (("AQ", 0),)), Membership("splinter", (("AQ", 90),))]
    after = [*before[:3], Membership("splinter", (("AQ", 90), ("IS", 160)))]
    drawn_before, drawn_after = colours(before), colours(after)
    assert drawn_before["splinter"] in CAMP_FAMILIES["AQ"]
    assert drawn_after["splinter"] == CAMP_FAMILIES["IS"][0]
    assert {n: drawn_after[n] for n in ("aqim", "mujao", "ansar_dine")} == \
        {n: drawn_before[n] for n in ("aqim", "mujao", "ansar_dine")}
    assert len({drawn_after[n] for n in ("aqim", "mujao", "ansar_dine")}) == 3
    assert colours([Membership("fixed", (("AQ", 0),), fixed="#123456")])["fixed"] == "#123456"


def test_every_group_of_a_run_is_drawn_in_the_family_of_its_camp_at_the_end():
    """A run with pledges (the default with seed 4 has two): in the model and in its table, each group in its camp's
    family at the end, each force in the forces' family, and no two groups of a camp alike while there are tones."""
    from sahel_sim import SahelModel, load_config
    from sahel_sim.agents import ArmedGroup
    from sahel_sim.palette import CAMP_FAMILIES, FORCE_COLOURS, table_colours

    model = SahelModel(load_config(seed=4)).run()
    tables = build_tables(model)
    assert (tables["events"]["kind"] == "pledge").any()
    from_table = table_colours(tables["factions"], model.config.factions)
    for org in model.factions.values():
        family = CAMP_FAMILIES[org.camp] if isinstance(org, ArmedGroup) else tuple(FORCE_COLOURS.values())
        assert org.color in family, (org.name, org.camp, org.color)
        assert from_table[org.name] == org.color
    for camp, family in CAMP_FAMILIES.items():
        drawn = [g.color for g in model.factions.values() if isinstance(g, ArmedGroup) and g.camp == camp]
        # a group that left the camp keeps its tone there (sahel_sim.palette), so the tones run out when more groups
        # have ever joined the camp than it has tones (seed 4 since issue 18: eight AQ groups, seven tones)
        joined = [g for g in model.factions.values() if isinstance(g, ArmedGroup)
                  and camp in {c for c, _ in g.camp_history}]
        if len(joined) <= len(family):
            assert len(set(drawn)) == len(drawn)
