"""The teaching demo without a browser: presets, the demo model, its pictures, the Solara page, the animation.

Tests that need the ``viz`` extra (solara, imageio) skip when it is not installed; ``.ci/run`` installs it and runs
this file again before the browser tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sahel_sim.faces.api import config_dir, load_config
from sahel_sim.faces.demo import (
    DEFAULT_PRESET,
    DIALS,
    PRESETS,
    DemoModel,
    attention_chart,
    demo_overrides,
    fighters_chart,
    latest_attacks,
    latest_events,
    map_figure,
    png_bytes,
    spectacular_chart,
    week_title,
    world_status,
)

SHORT = ["calendar.end=2013-06-24"]
PNG = b"\x89PNG\r\n\x1a\n"


# --- presets --------------------------------------------------------------------------------------------------
def test_every_preset_is_a_hydra_config_that_composes_through_load_config():
    files = {p.stem for p in (config_dir() / "preset").glob("*.yaml")}
    assert {p.config for p in PRESETS.values()} == files
    assert list(PRESETS) == ["history 2012–2017", "no global rivalry", "no peace process", "no foreign intervention"]
    switched = {}
    for name, preset in PRESETS.items():
        m = load_config(preset.overrides, seed=1).mechanisms
        switched[name] = (m.rivalry.enabled, m.peace_process.enabled, m.barkhane.enabled, m.minusma.enabled)
    assert switched == {
        "history 2012–2017": (True, True, True, True),
        "no global rivalry": (False, True, True, True),
        "no peace process": (True, False, True, True),
        "no foreign intervention": (True, True, False, False),
    }
    # the history preset is the default world itself
    assert dataclasses.asdict(load_config(PRESETS[DEFAULT_PRESET].overrides)) == dataclasses.asdict(load_config())


def test_presets_leave_the_dials_to_the_user():
    default = load_config()
    for preset in PRESETS.values():
        cfg = load_config(preset.overrides)
        for key, value in DIALS.values():
            section, name = key.split(".")[1:]
            assert getattr(getattr(cfg.mechanisms, section), name) == value
            assert getattr(getattr(default.mechanisms, section), name) == value


def test_dials_are_overrides_after_the_preset():
    assert demo_overrides() == ["+preset=history"]
    overrides = demo_overrides("no peace process", rivalry=2.0, barkhane=0.5, minusma=1.0, peace_process=False)
    assert overrides == ["+preset=no_peace_process", "mechanisms.rivalry.strength=2",
                         "mechanisms.barkhane.troop_scale=0.5", "mechanisms.peace_process.enabled=false"]
    m = load_config(overrides).mechanisms
    assert (m.rivalry.strength, m.barkhane.troop_scale, m.minusma.size_scale) == (2.0, 0.5, 1.0)
    assert not m.peace_process.enabled
    with pytest.raises(KeyError, match="allowed"):
        demo_overrides("no such lesson")


# --- the demo model -------------------------------------------------------------------------------------------
def test_demo_model_is_the_model_of_its_overrides_and_records_the_charts():
    model = DemoModel("no global rivalry", rivalry=1.5, barkhane=2.0, seed=5)
    assert model.config == load_config(model.overrides, seed=5)
    assert model.command == "sahel-sim +preset=no_rivalry mechanisms.rivalry.strength=1.5 " \
                            "mechanisms.barkhane.troop_scale=2 seed=5"
    assert week_title(model) == "2 January 2012 · start"
    for _ in range(60):
        model.step()
    h = model.history
    assert len(h.dates) == model.steps == 60 and h.dates[-1] == model.date
    assert week_title(model) == f"{model.date:%-d %B %Y} · week 60 of {model.calendar.n_steps}"
    for camp in ("AQ", "IS"):
        assert len(h.local_share[camp]) == len(h.spectacular[camp]) == 60
        assert np.all(np.diff(h.spectacular[camp]) >= 0)
    assert sum(h.spectacular[c][-1] for c in ("AQ", "IS")) == sum(a.spectacular for a in model.log.attacks)
    assert all(len(series) == 60 for series in h.fighters.values())
    assert h.fighters["aqim"][-1] == model.factions["aqim"].fighters


def test_a_demo_model_reproduces_the_plain_model_of_the_same_config():
    from sahel_sim.core.model import SahelModel

    demo = DemoModel(seed=3)
    plain = SahelModel(load_config(["+preset=history"], seed=3))
    for _ in range(40):
        demo.step()
        plain.step()
    assert [(a.step, a.place, a.killed) for a in demo.log.attacks] == \
           [(a.step, a.place, a.killed) for a in plain.log.attacks]


def test_the_week_is_drawn_and_told():
    """The map, the three charts, the ticker and the status of a week mid-run (how fast: benchmarks/demo_week.py)."""
    model = DemoModel(seed=2)
    for _ in range(150):
        model.step()
    images = [png_bytes(f(model)) for f in (map_figure, attention_chart, spectacular_chart, fighters_chart)]
    attacks, events = latest_attacks(model, 10), latest_events(model, 10)
    status = world_status(model)
    assert all(img.startswith(PNG) and len(img) > 10_000 for img in images)
    assert 0 < len(attacks) <= 10 and 0 < len(events) <= 10
    assert [a.step for a in attacks] == sorted((a.step for a in attacks), reverse=True)
    assert any("Serval" in e.text or "Barkhane" in e.text for e in latest_events(model, 50))
    assert all(" by " in a.text and ("claimed by" in a.text or "unclaimed" in a.text) for a in attacks)
    assert dict(status)["French troops"] != "none"


def test_the_map_shows_the_date_and_only_the_bases_in_use():
    from sahel_sim.faces.demo import active_bases

    model = DemoModel(seed=1)
    assert active_bases(model) == []  # January 2012: no Serval, no MINUSMA yet
    while model.date < dt.date(2013, 8, 1):
        model.step()
    kinds = {k for k, *_ in active_bases(model)}
    assert kinds == {"un_base", "french_base"}
    no_forces = DemoModel("no foreign intervention", seed=1)
    while no_forces.date < dt.date(2013, 8, 1):
        no_forces.step()
    assert active_bases(no_forces) == []
    fig = map_figure(model)
    texts = [t.get_text() for t in fig.texts]
    assert week_title(model) in texts


# --- the Solara page (no browser: Solara renders the widget tree in-process) ----------------------------------
@pytest.fixture
def page():
    pytest.importorskip("solara")
    import ipyvuetify as v
    import solara
    from solara.widgets import HTML

    from sahel_sim.faces import app

    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)

    class Page:
        def button(self, label):
            return rc.find(v.Btn, children=[label]).widget

        def slider(self, label_start):
            return next(s for s in rc.find(v.Slider).widgets if s.label.startswith(label_start))

        def select(self):
            return rc.find(v.Select).widget

        def texts(self) -> list[str]:
            """Every label, title and text the page's widgets carry (what a reader can see)."""
            out = []
            for cls in (v.Slider, v.Btn, v.Checkbox, v.Select, v.ToolbarTitle, v.Tab, v.CardTitle, v.Html):
                for w in rc.find(cls).widgets:
                    for attr in ("label", "children"):
                        value = getattr(w, attr, None)
                        items = value if isinstance(value, list | tuple) else [value]
                        out += [x for x in items if isinstance(x, str) and x]
            return out

        def html(self, css_class):
            return next(w.unsafe_innerHTML for w in rc.find(HTML).widgets if css_class in w.unsafe_innerHTML)

        def image(self, css_class):
            import ipywidgets

            return bytes(next(w.value for w in rc.find(ipywidgets.Image).widgets if css_class in w._dom_classes))

    yield Page()
    rc.close()


def test_the_app_module_builds_its_model_and_components():
    pytest.importorskip("solara")
    from mesa.visualization import solara_viz

    from sahel_sim.faces import app

    model = app.make_model()
    assert isinstance(model, DemoModel) and model.preset == DEFAULT_PRESET
    assert set(app.MODEL_PARAMS) == {"preset", "rivalry", "barkhane", "minusma", "peace_process", "seed"}
    assert app.MODEL_PARAMS["preset"]["values"] == list(PRESETS)
    assert app.make_model(**app.default_params()).config == model.config
    assert len(app.COMPONENTS) == len(app.LAYOUT)
    assert solara_viz.make_initial_grid_layout.__module__ == solara_viz.__name__  # Mesa's own is left untouched
    assert app.MODEL_PARAMS["rivalry"].shown(1.5) == "AQ-IS rivalry: ×1.5 of 2012–17"
    assert app.RENDER_DIAL.shown(10) == "Step advances: 10 week(s)"


def test_the_page_is_titled_after_the_model_and_shows_no_mesa_internals(page):
    texts = page.texts()
    assert app_title() in texts
    for shown in ("AQ-IS rivalry: ×1 of 2012–17", "Barkhane troops: ×1 of history",
                  "MINUSMA size: ×1 of history", "Seed: 42", "Step advances: 1 week(s)",
                  "Pause when playing: 150 ms"):
        assert shown in texts, shown
    for hidden in ("Use Threads", "Page 0", "Render Interval", "Play Interval", "Time:", "Solara"):
        assert not any(hidden.lower() in t.lower() for t in texts), hidden


def app_title() -> str:
    from sahel_sim.faces import app

    return app.TITLE


def test_the_page_shows_map_charts_status_and_ticker_and_steps(page):
    for css in ("sahel-map", "sahel-chart-attention", "sahel-chart-spectacular", "sahel-chart-fighters"):
        assert page.image(css).startswith(PNG)
    assert "Nothing yet" in page.html("sahel-ticker")
    assert "Lesson: history 2012–2017" in page.html("sahel-status")
    before = page.image("sahel-map")
    page.button("Step").click()
    assert page.image("sahel-map") != before
    assert "02 Jan 2012" in page.html("sahel-ticker")


def test_the_controls_rebuild_the_model_on_reset(page):
    page.select().v_model = "no foreign intervention"
    page.slider("AQ-IS rivalry").v_model = 2.5
    page.slider("Seed").v_model = 7
    page.button("Reset").click()
    page.button("Step").click()
    status = page.html("sahel-status")
    assert "Lesson: no foreign intervention" in status
    assert "rivalry ×2.5" in status and "seed 7" in status
    assert "sahel-sim +preset=no_intervention mechanisms.rivalry.strength=2.5 seed=7" in status


# --- the animation ----------------------------------------------------------------------------------------------
def test_the_animation_writes_a_gif_with_a_frame_every_k_weeks_dated(tmp_path):
    iio = pytest.importorskip("imageio.v3")
    from sahel_sim.faces.viz_cli import animate, frame_weeks

    out = tmp_path / "anim" / "map.gif"
    result = animate(SHORT, seed=4, every=10, out=out, mp4=False, dpi=50)
    cfg = load_config(SHORT, seed=4)
    n = (dt.date.fromisoformat(cfg.calendar.end) - dt.date.fromisoformat(cfg.calendar.start)).days // 7 + 1
    weeks = frame_weeks(n, 10)
    assert weeks == [*range(0, n, 10), n - 1]
    start = dt.date.fromisoformat(cfg.calendar.start)
    assert result.dates == [start + dt.timedelta(weeks=w) for w in weeks]
    assert result.gif == out and result.mp4 is None and not list(out.parent.glob(".*"))
    frames = iio.imread(out, index=None)
    assert frames.shape == (len(weeks), 400, 400, 3)
    # the date at the top changes from frame to frame; the map below changes too
    title_band = frames[:, :35]
    assert all(not np.array_equal(title_band[i], title_band[i + 1]) for i in range(len(weeks) - 1))
    assert iio.immeta(out)["loop"] == 0


def test_the_animation_writes_an_mp4_where_imageio_ffmpeg_is_installed(tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    import imageio.v2 as iio2

    from sahel_sim.faces.viz_cli import animate

    result = animate(SHORT, seed=4, every=20, out=tmp_path / "m.gif", dpi=40)
    assert result.mp4 == tmp_path / "m.mp4"
    reader = iio2.get_reader(result.mp4)
    assert reader.count_frames() == len(result.dates)
    reader.close()


def test_the_animate_command_takes_overrides_before_and_after_its_options(tmp_path):
    """As docs/teaching.md writes it: ``sahel-sim-animate +preset=... --every 2 --out x.gif calendar.end=...``."""
    pytest.importorskip("imageio")
    from sahel_sim.faces.viz_cli import animate_main

    out = tmp_path / "short.gif"
    animate_main(["+preset=no_rivalry", "--every", "20", "--out", str(out), "--no-mp4", "--dpi", "40",
                  "calendar.end=2012-03-26"])
    assert out.is_file() and out.stat().st_size > 1000


def test_the_animate_command_refuses_bad_input_with_one_line(tmp_path):
    pytest.importorskip("imageio")
    p = subprocess.run([sys.executable, "-m", "sahel_sim.faces.viz_cli", "mechanisms.rivalry.strength=9",
                        "--out", str(tmp_path / "x.gif")], capture_output=True, text=True, timeout=120)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2 and len(lines) == 1, p.stderr
    assert lines[0].startswith("sahel-sim-animate: error: mechanisms.rivalry.strength")
    assert not (tmp_path / "x.gif").exists()
    ok = subprocess.run([sys.executable, "-m", "sahel_sim.faces.viz_cli", *SHORT, "--every", "26", "--no-mp4",
                         "--out", str(tmp_path / "y.gif")], capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert "4 frames, 02 Jan 2012 .. 24 Jun 2013" in ok.stdout and Path(tmp_path / "y.gif").is_file()
