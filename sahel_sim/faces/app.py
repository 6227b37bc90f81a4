"""The teaching demo in the browser, built from Mesa's SolaraViz parts.

    sahel-sim-viz                       # serves it on http://localhost:8765/ and prints the address
    solara run sahel_sim/faces/app.py         # the same, with Solara's own command

The page is titled after the model (:data:`TITLE`, also the browser tab's title). The sidebar holds Mesa's
controller (Reset, play/pause, Step) with two dials of its own (weeks per Step, the pause between weeks while
playing), and the model's parameters: the lesson (a preset of ``configs/preset/``), the AQ-IS rivalry intensity,
Barkhane's troops, MINUSMA's size, the peace process and the seed; every slider shows its value with its unit.
Parameters take effect on **Reset**, which builds a new :class:`~sahel_sim.faces.demo.DemoModel` from them (through
:func:`sahel_sim.faces.api.load_config`, like every other run). The page shows the week's map, the world's state, a
ticker of attacks and events, and live charts of attention share by camp, cumulative spectacular attacks and
fighters; the current date stays in the app bar. Mesa's SolaraViz page is not used as a whole: its "Use Threads"
switch, its "Page 0" tab and its "Time: 0.0" read-out are for modellers, not for a class.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import reacton.ipywidgets as rw
import solara
import solara.server.settings
from mesa.visualization.solara_viz import ModelController, update_counter

from sahel_sim.faces.demo import (
    DEFAULT_PRESET,
    PRESETS,
    DemoModel,
    attention_chart,
    fighters_chart,
    latest_attacks,
    latest_events,
    map_figure,
    png_bytes,
    spectacular_chart,
    week_title,
    world_status,
)

TITLE = "sahel_sim · armed groups in Mali, 2012–2017"
ROW_PX, MARGIN_PX = 30, 10  # the row height and margin of the draggable grid (as Mesa's)
PLAY_INTERVAL_MS = 150


def tile_px(rows: int) -> int:
    """Inner height in pixels of a grid tile ``rows`` rows high."""
    return rows * ROW_PX + (rows - 1) * MARGIN_PX


# --- the controls -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dial:
    """A slider of the sidebar: its label, range and step, and how its value reads with its unit."""

    label: str
    value: float
    min: float
    max: float
    step: float
    unit: str  # format of the value, e.g. "×{:g} the 2012–2017 series"

    def shown(self, value: float) -> str:
        """The slider's label with its current value and unit, e.g. "AQ-IS rivalry: ×1.5 of 2012–17"."""
        return f"{self.label}: {self.unit.format(value)}"


#: the model's parameters: the lesson, four dials and the seed (keyword arguments of DemoModel)
MODEL_PARAMS = {
    "preset": {"type": "Select", "value": DEFAULT_PRESET, "values": list(PRESETS), "label": "Lesson (preset)"},
    "rivalry": Dial("AQ-IS rivalry", 1.0, 0.0, 3.0, 0.25, "×{:g} of 2012–17"),
    "barkhane": Dial("Barkhane troops", 1.0, 0.0, 3.0, 0.25, "×{:g} of history"),
    "minusma": Dial("MINUSMA size", 1.0, 0.0, 3.0, 0.25, "×{:g} of history"),
    "peace_process": {"type": "Checkbox", "value": True, "label": "Peace process (2015 agreement)"},
    "seed": Dial("Seed", 42, 0, 100, 1, "{:.0f}"),
}
#: the controller's own dials: weeks simulated per press of Step (or per frame while playing), and the pause
RENDER_DIAL = Dial("Step advances", 1, 1, 100, 1, "{:.0f} week(s)")
PLAY_DIAL = Dial("Pause when playing", PLAY_INTERVAL_MS, 10, 500, 10, "{:.0f} ms")


def default_params() -> dict:
    """The parameters a new session starts with (the history preset, every dial at 1, seed 42)."""
    return {name: (spec.value if isinstance(spec, Dial) else spec["value"]) for name, spec in MODEL_PARAMS.items()}


def make_model(**params) -> DemoModel:
    """A demo model from the controls' values (defaults: the history preset, all dials at 1, seed 42)."""
    return DemoModel(**params)


# --- the page's panels ------------------------------------------------------------------------------------------
#: the panels' figure sizes in inches at 100 dpi, about their size on a 1920-pixel screen (the images scale to fit)
MAP_SIZE = {"width_in": 8.0, "height_in": 8.0}
SMALL_CHART = {"width_in": 3.7, "height_in": 2.7, "fontsize": 9.0}
WIDE_CHART = {"width_in": 7.6, "height_in": 2.9, "fontsize": 9.0}


def _memo_png(make_figure, model: DemoModel, **size) -> bytes:
    """The PNG of ``make_figure(model, **size)``, redrawn only when the model or its week changes."""
    return solara.use_memo(lambda: png_bytes(make_figure(model, **size)), dependencies=[id(model), model.steps])


def _image(png: bytes, tile: int, css_class: str):
    """A PNG filling its tile's width, shrunk (never stretched) to the tile's height."""
    layout = {"width": "100%", "max_height": f"{tile_px(LAYOUT[tile]['h'])}px", "object_fit": "contain",
              "object_position": "left top"}
    return rw.Image(value=png, format="png", layout=layout, _dom_classes=[css_class])


def MapPanel(model: DemoModel):
    """The week's map: who holds each cell, cities, bases in use, this week's attacks (stars: spectacular)."""
    return _image(_memo_png(map_figure, model, **MAP_SIZE), 0, "sahel-map")


def AttentionPanel(model: DemoModel):
    return _image(_memo_png(attention_chart, model, **SMALL_CHART), 2, "sahel-chart-attention")


def SpectacularPanel(model: DemoModel):
    return _image(_memo_png(spectacular_chart, model, **SMALL_CHART), 3, "sahel-chart-spectacular")


def FightersPanel(model: DemoModel):
    return _image(_memo_png(fighters_chart, model, **WIDE_CHART), 4, "sahel-chart-fighters")


def _dials(model: DemoModel) -> str:
    m = model.config.mechanisms
    peace = "on" if m.peace_process.enabled else "off"
    return (f"rivalry ×{m.rivalry.strength:g} · Barkhane ×{m.barkhane.troop_scale:g} · MINUSMA "
            f"×{m.minusma.size_scale:g} · peace process {peace} · seed {model.config.seed}")


def StatusPanel(model: DemoModel):
    """The date (also in the app bar), the lesson, the world this week and the same run on the command line."""
    title = week_title(model)
    preset = PRESETS.get(model.preset)
    cells = "".join(f"<span style='display:inline-block;margin:0 16px 0 0;white-space:nowrap'>"
                    f"<span style='color:#555'>{html.escape(k)}</span> <b>{html.escape(v)}</b></span>"
                    for k, v in world_status(model))
    body = (
        f"<div class='sahel-status' style='height:{tile_px(LAYOUT[1]['h']) - 4}px;overflow-y:auto;"
        f"font-size:14px;line-height:1.35;padding:2px 6px'>"
        f"<div><b>Lesson: {html.escape(model.preset)}.</b> {html.escape(preset.summary if preset else '')}</div>"
        f"<div style='color:#8a4b00'><b>Look for:</b> {html.escape(preset.look_for if preset else '')}</div>"
        f"<div class='sahel-world' style='margin:4px 0;font-size:15px'>{cells}</div>"
        f"<div class='sahel-dials' style='font-size:13px'><b>This run:</b> {html.escape(_dials(model))}. "
        f"<span style='color:#555'>Change the lesson or the dials in the sidebar, then press <b>Reset</b>.</span>"
        f"</div><div style='font-size:12px;color:#555'>On the command line: "
        f"<code>{html.escape(model.command)}</code></div></div>"
    )
    with solara.Column(gap="0px") as panel:
        with solara.AppBar():
            solara.Text(title, classes=["sahel-appbar-date"],
                        style={"font-size": "22px", "font-weight": "bold", "margin-right": "16px",
                               "white-space": "nowrap"})
        solara.HTML(tag="div", unsafe_innerHTML=body)
    return panel


def _ticker_items(model: DemoModel, entries, empty: str) -> str:
    if not entries:
        return f"<div style='color:#777'>{empty}</div>"
    out = []
    for e in entries:
        new = e.step == model.week and model.steps > 0
        style = "background:#ffd21f;" if e.kind == "spectacular" else ("background:#fff3c4;" if new else "")
        label, colour = e.badge
        out.append(f"<div class='sahel-ticker-item' style='{style}padding:1px 4px;border-bottom:1px solid #eee'>"
                   f"<span style='color:#666;white-space:nowrap'>{e.date:%d %b %Y}</span> "
                   f"<span style='background:{colour};color:white;border-radius:3px;padding:0 4px;font-size:12px;"
                   f"white-space:nowrap'>{html.escape(label)}</span> {html.escape(e.text)}</div>")
    return "".join(out)


def TickerPanel(model: DemoModel):
    """The latest attacks (perpetrators, claimants) beside the latest splits, pledges, mergers and other events."""
    height = tile_px(LAYOUT[5]["h"]) - 4
    column = f"flex:1;min-width:0;height:{height}px;overflow-y:auto;font-size:14px;line-height:1.3;padding:0 6px"
    body = (
        f"<div class='sahel-ticker' style='display:flex;gap:12px'>"
        f"<div style='{column}'><div style='font-weight:700;font-size:16px'>Latest attacks "
        f"<span style='font-weight:400;font-size:13px;color:#666'>(highlighted: this week; gold: spectacular)"
        f"</span></div>{_ticker_items(model, latest_attacks(model, 10), 'No attack yet.')}</div>"
        f"<div style='{column}'><div style='font-weight:700;font-size:16px'>Splits, pledges, mergers and other "
        f"events</div>{_ticker_items(model, latest_events(model, 10), 'Nothing yet: press Step or ▶.')}</div>"
        f"</div>"
    )
    return solara.HTML(tag="div", unsafe_innerHTML=body)


#: the panels in page order, and where each sits on the 12-column grid (rows of 30 px, 10 px apart): the map and,
#: beside it, the world this week and the live charts fit on one screen; the ticker runs below
COMPONENTS = [MapPanel, StatusPanel, AttentionPanel, SpectacularPanel, FightersPanel, TickerPanel]
LAYOUT = [
    {"i": 0, "x": 0, "y": 0, "w": 6, "h": 18},
    {"i": 1, "x": 6, "y": 0, "w": 6, "h": 6},
    {"i": 2, "x": 6, "y": 6, "w": 3, "h": 6},
    {"i": 3, "x": 9, "y": 6, "w": 3, "h": 6},
    {"i": 4, "x": 6, "y": 12, "w": 6, "h": 6},
    {"i": 5, "x": 0, "y": 18, "w": 12, "h": 8},
]


# A classroom machine makes no calls home (sahel-sim-viz also switches this off before Solara starts).
solara.server.settings.telemetry.mixpanel_enable = False


@solara.component
def DialSlider(dial: Dial, value: solara.Reactive):
    """A slider whose label shows its value with its unit (and whose thumb shows the number while it moves)."""
    slider = solara.SliderFloat if isinstance(dial.step, float) else solara.SliderInt
    return slider(dial.shown(value.value), value=value, min=dial.min, max=dial.max, step=dial.step,
                  thumb_label=True)


@solara.component
def ModelParameters(params: solara.Reactive):
    """The lesson, the dials and the seed; each change is kept for the next Reset."""

    def setter(name):
        def set_value(value):
            params.value = {**params.value, name: value}
        return set_value

    for name, spec in MODEL_PARAMS.items():
        current = params.value[name]
        if isinstance(spec, Dial):
            slider = solara.SliderFloat if isinstance(spec.step, float) else solara.SliderInt
            slider(spec.shown(current), value=current, on_value=setter(name), min=spec.min, max=spec.max,
                   step=spec.step, thumb_label=True)
        elif spec["type"] == "Select":
            solara.Select(spec["label"], value=current, values=spec["values"], on_value=setter(name))
        else:
            solara.Checkbox(label=spec["label"], value=current, on_value=setter(name))


def _panel(function):
    """A page panel as a component that redraws when the controller steps the model (Mesa's update counter)."""

    @solara.component
    def Panel(model: DemoModel):
        update_counter.get()
        return function(model)

    Panel.__name__ = function.__name__
    return Panel


PANELS = [_panel(c) for c in COMPONENTS]


@solara.component
def Page():
    """The app: one model per browser session, stepped by Mesa's controller; the model's name as the page title."""
    first = solara.use_memo(make_model, dependencies=[])
    model = solara.use_reactive(first)
    params = solara.use_reactive(default_params())
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)  # Mesa's threaded stepping stays off (no switch shown)
    layout, set_layout = solara.use_state([{**item, "moved": False} for item in LAYOUT])

    solara.Title(TITLE)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls"):
            ModelController(model, model_parameters=params, play_interval=play_interval,
                            render_interval=render_interval, use_threads=use_threads)
            DialSlider(RENDER_DIAL, render_interval)
            DialSlider(PLAY_DIAL, play_interval)
        with solara.Card("Lesson and dials"):
            solara.Text("They take effect on Reset.", style={"color": "#555", "font-size": "13px"})
            ModelParameters(params)
    solara.GridDraggable(items=[panel(model.value) for panel in PANELS], grid_layout=layout, resizable=True,
                         draggable=True, on_grid_layout=set_layout)
