"""The teaching demo's world and pictures, shared by the browser app (:mod:`sahel_sim.faces.app`) and the animation
(:mod:`sahel_sim.faces.viz_cli`); nothing here imports Solara.

* **Presets** (the lessons) are Hydra config groups in ``configs/preset/``: a preset is the override list
  ``["+preset=NAME"]``, and the demo's dials add overrides after it, so every world the demo shows is composed by
  :func:`sahel_sim.faces.api.load_config` exactly as ``sahel-sim +preset=NAME ...`` would compose it.
* :class:`DemoModel` is a :class:`~sahel_sim.core.model.SahelModel` built from those overrides that also records, week
  by week, what the live charts show (attention share by camp, cumulative spectacular attacks, fighters).
* :func:`draw_week_map` draws one week: one ``imshow`` of the influence image, the outline, cities, active UN and
  French bases, and the week's attacks (sized by deaths, starred when spectacular), with the date as its title.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..core.agents import Force
from ..core.model import SahelModel
from ..runner.figures import CAMP_STYLE
from .api import load_config


@dataclass(frozen=True)
class Preset:
    """A lesson: a Hydra config of ``configs/preset/`` and what students should look for."""

    config: str
    summary: str
    look_for: str

    @property
    def overrides(self) -> list[str]:
        return [f"+preset={self.config}"]


#: the lessons of docs/teaching.md, in teaching order (keys are what the app's menu shows)
PRESETS: dict[str, Preset] = {
    "history 2012–2017": Preset(
        "history", "The record as modelled: Serval, MINUSMA, Barkhane, the 2015 agreement, Paris, JNIM.",
        "the 2012 takeover of the north and its reversal in 2013; attacks moving south in 2015; MINUSMA targeted."),
    "no global rivalry": Preset(
        "no_rivalry", "The same history without the AQ-IS rivalry: no outbidding, Paris changes nothing here.",
        "do spectacular AQ-camp attacks (gold stars) still happen, and when?"),
    "no peace process": Preset(
        "no_peace_process", "The same history without the 2015 Algiers agreement and its meetings in Bamako.",
        "are there fewer attacks on Bamako's hotels and the peace sites after June 2015?"),
    "no foreign intervention": Preset(
        "no_intervention", "The same history without Serval/Barkhane and without MINUSMA.",
        "who holds the north after 2013, and what is attacked instead of foreign bases?"),
}
DEFAULT_PRESET = "history 2012–2017"

#: the demo's dials: (config key, default); a dial at its default adds no override
DIALS = {
    "rivalry": ("mechanisms.rivalry.strength", 1.0),
    "barkhane": ("mechanisms.barkhane.troop_scale", 1.0),
    "minusma": ("mechanisms.minusma.size_scale", 1.0),
}


def demo_overrides(preset: str = DEFAULT_PRESET, rivalry: float = 1.0, barkhane: float = 1.0,
                   minusma: float = 1.0, peace_process: bool = True) -> list[str]:
    """The Hydra overrides of a demo world: the preset's, then the dials that differ from their defaults.

    Unticking the peace process switches it off; ticked, the preset decides (``no peace process`` has none).
    """
    if preset not in PRESETS:
        raise KeyError(f"unknown preset {preset!r}; allowed: {', '.join(PRESETS)}")
    overrides = list(PRESETS[preset].overrides)
    for name, value in (("rivalry", rivalry), ("barkhane", barkhane), ("minusma", minusma)):
        key, default = DIALS[name]
        if abs(float(value) - default) > 1e-9:
            overrides.append(f"{key}={float(value):g}")
    if not peace_process:
        overrides.append("mechanisms.peace_process.enabled=false")
    return overrides


# --- what the charts show -------------------------------------------------------------------------------------
@dataclass
class History:
    """The weekly series of the live charts, appended after every step (a few dozen numbers a week)."""

    dates: list[dt.date] = field(default_factory=list)
    local_share: dict[str, list[float]] = field(default_factory=lambda: {"AQ": [], "IS": []})
    global_is_share: list[float] = field(default_factory=list)
    spectacular: dict[str, list[int]] = field(default_factory=lambda: {"AQ": [], "IS": []})
    fighters: dict[str, list[float]] = field(default_factory=dict)  # faction -> fighters (nan before it exists)
    attacks: list[int] = field(default_factory=list)
    _spectacular_total: Counter = field(default_factory=Counter)

    def record(self, model: SahelModel) -> None:
        n = len(self.dates)
        self.dates.append(model.date)
        for camp in ("AQ", "IS"):
            self.local_share[camp].append(float(model.local_share.get(camp, 0.0)))
        self.global_is_share.append(float(model.global_share.get("IS", 0.0)))
        for a in model.attacks_this_week:
            if a.spectacular:
                self._spectacular_total[a.camp] += 1
        for camp in ("AQ", "IS"):
            self.spectacular[camp].append(self._spectacular_total[camp])
        for name, org in model.factions.items():
            if isinstance(org, Force):
                continue
            series = self.fighters.setdefault(name, [np.nan] * n)
            series.append(float(org.fighters) if org.active else 0.0)
        self.attacks.append(len(model.attacks_this_week))


class DemoModel(SahelModel):
    """The demo's model: ``SahelModel(load_config(demo_overrides(...), seed=seed))`` plus the charts' history.

    Its keyword arguments are the app's controls, so Mesa's SolaraViz rebuilds it from them on Reset.
    """

    def __init__(self, preset: str = DEFAULT_PRESET, rivalry: float = 1.0, barkhane: float = 1.0,
                 minusma: float = 1.0, peace_process: bool = True, seed: int = 42):
        overrides = demo_overrides(preset, rivalry, barkhane, minusma, peace_process)
        super().__init__(load_config(overrides, seed=int(seed)))
        self.preset = preset
        self.overrides = overrides
        self.history = History()

    def step(self) -> None:
        super().step()
        self.history.record(self)

    @property
    def command(self) -> str:
        """The same world on the command line."""
        return " ".join(["sahel-sim", *self.overrides, f"seed={self.config.seed}"])


# --- the map --------------------------------------------------------------------------------------------------
TARGET_LABELS = {"civilian": "civilians", "army_patrol": "army patrol", "army": "army post",
                 "minusma": "MINUSMA camp", "french": "French base", "hotel": "hotel", "peace": "peace-process site",
                 "government": "government building", "market": "market", "economic": "mine or economic site"}
UN_STYLE = {"marker": "^", "mfc": "#7fb3e6", "mec": "#1d3f66"}
FRENCH_STYLE = {"marker": "v", "mfc": "#2b5fb4", "mec": "#0d1f40"}
ATTACK_FACE = {"AQ": "#d7301f", "IS": "#111111"}
SPECTACULAR_COLOUR = "#ffd21f"


def week_title(model: SahelModel) -> str:
    """The date shown everywhere: the week just simulated (or the start, before the first step)."""
    if model.steps == 0:
        return f"{model.date:%-d %B %Y} · start"
    return f"{model.date:%-d %B %Y} · week {model.steps} of {model.calendar.n_steps}"


def active_bases(model: SahelModel) -> list[tuple[str, float, float, str]]:
    """(kind, lon, lat, label) of every base in use this week."""
    out = []
    for org in model.factions.values():
        if isinstance(org, Force):
            for b in org.bases:
                p = model.world.places[b.place]
                if b.active and p.kind in ("un_base", "french_base"):
                    out.append((p.kind, p.lon, p.lat, p.label or b.place))
    return out


def attack_size(killed) -> np.ndarray:
    """Marker area (points^2) of an attack by its deaths."""
    return 40.0 + 28.0 * np.sqrt(np.asarray(killed, dtype=float))


def influence_rgb(model: SahelModel) -> np.ndarray:
    """RGB image (ny, nx, 3) of uint8 (cheap to draw): each cell in its dominant active group's colour, faded by
    how firmly it is held.

    Like :func:`sahel_sim.runner.figures.influence_image`, but over the active groups only: a merged group keeps its old
    ``slot``, which a newcomer may reuse, and would otherwise lend the newcomer its colour.
    """
    w = model.world
    rgb = np.empty((w.nx, w.ny, 3))
    rgb[w.in_mali] = (0.96, 0.93, 0.85)
    rgb[~w.in_mali] = (0.88, 0.88, 0.88)
    groups = model.groups()
    if groups:
        infl = model.influence[[g.slot for g in groups]]
        top = infl.argmax(axis=0)
        strength = np.clip(infl.max(axis=0) * 1.6, 0.0, 0.9)[..., None]
        colours = np.array([to_rgb(g.color) for g in groups])
        rgb = rgb * (1 - strength) + colours[top] * strength
    return np.ascontiguousarray(np.transpose(np.round(rgb * 255), (1, 0, 2)).astype(np.uint8))


def _near_city(world, lon: float, lat: float, degrees: float = 1.2) -> bool:
    return any(p.kind == "city" and abs(p.lon - lon) < degrees and abs(p.lat - lat) < degrees / 2
               for p in world.places.values())


def draw_week_map(ax, model: SahelModel, *, recent_weeks: int = 3, legend: bool = True, fontsize: float = 10.0,
                  title: bool = True) -> None:
    """One week on the map: who holds each cell (one imshow), cities, bases in use, this week's attacks."""
    w = model.world
    cfg = w.config
    extent = [cfg.lon_min, cfg.lon_max, cfg.lat_min, cfg.lat_max]
    ax.imshow(influence_rgb(model), origin="lower", extent=extent, interpolation="nearest")
    outline = np.asarray(cfg.outline + cfg.outline[:1])
    ax.plot(outline[:, 0], outline[:, 1], color="#222222", lw=1.6)
    for country, seeds in cfg.neighbours.items():
        inside = [(lon, lat) for lon, lat in seeds if cfg.lon_min + 0.5 < lon < cfg.lon_max - 0.5
                  and cfg.lat_min + 0.3 < lat < cfg.lat_max - 0.3 and not _near_city(w, lon, lat)]
        if inside:
            lon, lat = inside[0]
            ax.text(lon, lat, country.upper(), fontsize=fontsize * 0.8, color="#8a8a8a", ha="center",
                    va="center", style="italic", zorder=2)
    for name, p in w.places.items():
        if p.kind == "city":
            ax.plot(p.lon, p.lat, "o", ms=4, color="black", zorder=3)
            ax.annotate(p.label or name, (p.lon, p.lat), xytext=(4, 4), textcoords="offset points",
                        fontsize=fontsize, zorder=6, color="#111111",
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})
    bases = active_bases(model)
    for kind, style, dx in (("un_base", UN_STYLE, 0.18), ("french_base", FRENCH_STYLE, -0.18)):
        pts = np.array([(lon, lat) for k, lon, lat, _ in bases if k == kind])
        if len(pts):
            ax.plot(pts[:, 0] + dx, pts[:, 1] - 0.2, ls="", ms=8, mew=0.8, zorder=4, **style)
    # the weeks before, faint; this week's attacks, filled and sized by deaths; spectacular ones starred
    recent = [a for a in _recent_attacks(model, recent_weeks) if a.step < model.week]
    if recent:
        ax.scatter([a.lon for a in recent], [a.lat for a in recent], s=attack_size([a.killed for a in recent]),
                   facecolors="none", edgecolors=[ATTACK_FACE.get(a.camp, "grey") for a in recent], linewidths=1.0,
                   alpha=0.45, zorder=5)
    now = model.attacks_this_week if model.steps else []
    if now:
        ax.scatter([a.lon for a in now], [a.lat for a in now], s=attack_size([a.killed for a in now]),
                   c=[ATTACK_FACE.get(a.camp, "grey") for a in now], edgecolors="white", linewidths=1.2,
                   alpha=0.9, zorder=7)
        for a in now:
            if a.spectacular:
                ax.scatter([a.lon], [a.lat], s=attack_size(a.killed) * 2.6, marker="*", c=SPECTACULAR_COLOUR,
                           edgecolors="black", linewidths=1.0, zorder=8)
                where = site_label(model, a.place, a.region.title())
                east = a.lon > (cfg.lon_min + cfg.lon_max) / 2  # put the label toward the map's middle
                ax.annotate(f"{where}: {a.killed} killed", (a.lon, a.lat), xytext=(-10 if east else 10, -14),
                            textcoords="offset points", fontsize=fontsize, fontweight="bold", zorder=9,
                            ha="right" if east else "left", va="top",
                            bbox={"boxstyle": "round,pad=0.25", "fc": SPECTACULAR_COLOUR, "ec": "black", "lw": 0.8})
    ax.set_xlim(cfg.lon_min, cfg.lon_max)
    ax.set_ylim(cfg.lat_min, cfg.lat_max)
    ax.set_aspect(1.0 / np.cos(np.radians((cfg.lat_min + cfg.lat_max) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(week_title(model), fontsize=fontsize * 1.6, fontweight="bold", loc="left")
    if legend:
        _map_legend(ax, model, fontsize)


def _recent_attacks(model: SahelModel, weeks: int):
    """Attacks of the last ``weeks`` weeks (including this one), newest last."""
    out = []
    for a in reversed(model.log.attacks):
        if a.step <= model.week - weeks:
            break
        out.append(a)
    return out[::-1]


def _map_legend(ax, model: SahelModel, fontsize: float) -> None:
    """The key, in the empty north-west corner (Mauritania, Algeria): faction colours, markers, bases."""
    handles = [Line2D([], [], ls="", marker="s", ms=9, color=g.color, label=g.label) for g in model.groups()]
    handles += [
        Line2D([], [], ls="", marker="o", ms=8, color=ATTACK_FACE["AQ"], mec="white", label="attack, AQ camp"),
        Line2D([], [], ls="", marker="o", ms=8, color=ATTACK_FACE["IS"], mec="white", label="attack, IS camp"),
        Line2D([], [], ls="", marker="*", ms=13, color=SPECTACULAR_COLOUR, mec="black", label="spectacular"),
        Line2D([], [], ls="", marker="o", ms=8, mfc="none", mec="#888888", label="3 weeks before"),
        Line2D([], [], ls="", ms=8, label="MINUSMA camp", **UN_STYLE),
        Line2D([], [], ls="", ms=8, label="French base", **FRENCH_STYLE),
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=fontsize * 0.78, framealpha=0.85, borderpad=0.4,
              handletextpad=0.4, labelspacing=0.3, borderaxespad=0.3, handlelength=1.2,
              title="colour: who holds the cell\nsize: deaths", title_fontsize=fontsize * 0.78, alignment="left")


def map_figure(model: SahelModel, *, width_in: float = 8.0, height_in: float = 8.0, dpi: int = 100,
               fontsize: float = 12.0) -> Figure:
    """The week's map with the date above it (800 x 800 pixels by default)."""
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    ax = fig.add_axes((0.005, 0.005, 0.99, 0.925))
    draw_week_map(ax, model, fontsize=fontsize, title=False)
    fig.text(0.012, 0.965, week_title(model), fontsize=fontsize * 1.75, fontweight="bold", va="center")
    preset = getattr(model, "preset", None) or model.config.scenario.name
    ax.text(0.99, 0.01, f"{preset} · seed {model.config.seed}", transform=ax.transAxes, fontsize=fontsize * 0.85,
            ha="right", va="bottom", color="#444444", zorder=10)
    return fig


def png_bytes(fig: Figure, dpi: int | None = None) -> bytes:
    """The figure as PNG (fast compression: these images live for one step)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def rgb_array(fig: Figure) -> np.ndarray:
    """The figure as an (h, w, 3) uint8 array, at its exact pixel size (for animation frames)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


# --- the charts -----------------------------------------------------------------------------------------------
def _chart(width_in: float, height_in: float, dpi: int, title: str, fontsize: float, right: float = 0.96):
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    left, bottom = 0.5 / width_in, 0.32 / height_in  # room for tick labels, in inches
    ax = fig.add_axes((left, bottom, right - left, 1 - bottom - 0.3 / height_in))
    ax.set_title(title, fontsize=fontsize * 1.15, fontweight="bold", loc="left")
    ax.tick_params(labelsize=fontsize * 0.9)
    ax.grid(alpha=0.3)
    return fig, ax


def _time_axis(ax, model: SahelModel) -> None:
    start = model.calendar.start
    end = model.calendar.date_of(model.calendar.n_steps - 1)
    ax.set_xlim(start, end)
    if model.steps:
        ax.axvline(model.date, color="#888888", lw=0.8, ls=":")
    years = [dt.date(y, 1, 1) for y in range(start.year + (start.month > 1 or start.day > 1), end.year + 1)]
    ax.set_xticks(years, [str(d.year) for d in years])


def attention_chart(model: DemoModel, *, width_in=5.2, height_in=3.2, dpi=100, fontsize=10.0) -> Figure:
    """Share of local media attention by camp, and IS's share of global attention."""
    fig, ax = _chart(width_in, height_in, dpi, "Attention share by camp", fontsize)
    h = model.history
    if h.dates:
        ax.plot(h.dates, h.local_share["AQ"], color=CAMP_STYLE["AQ"]["color"], lw=2, label="AQ camp (Mali)")
        ax.plot(h.dates, h.local_share["IS"], color=CAMP_STYLE["IS"]["color"], lw=2, label="IS camp (Mali)")
        ax.plot(h.dates, h.global_is_share, color="#777777", lw=1.4, ls="--", label="IS, global")
        ax.legend(fontsize=fontsize * 0.8, loc="center left", framealpha=0.8)
    ax.set_ylim(-0.02, 1.02)
    _time_axis(ax, model)
    return fig


def spectacular_chart(model: DemoModel, *, width_in=5.2, height_in=3.2, dpi=100, fontsize=10.0) -> Figure:
    """Cumulative spectacular attacks by camp."""
    fig, ax = _chart(width_in, height_in, dpi, "Spectacular attacks (cumulative)", fontsize)
    h = model.history
    top = 1
    if h.dates:
        for camp in ("AQ", "IS"):
            ax.step(h.dates, h.spectacular[camp], where="post", color=CAMP_STYLE[camp]["color"], lw=2.2,
                    label=f"{camp} camp: {h.spectacular[camp][-1]}")
            top = max(top, h.spectacular[camp][-1])
        ax.legend(fontsize=fontsize * 0.85, loc="upper left", framealpha=0.8)
    ax.set_ylim(0, top * 1.15 + 0.5)
    ax.yaxis.get_major_locator().set_params(integer=True)
    _time_axis(ax, model)
    return fig


def fighters_chart(model: DemoModel, *, width_in=5.2, height_in=3.2, dpi=100, fontsize=10.0) -> Figure:
    """Fighters per jihadist faction (merged groups drop to zero)."""
    fig, ax = _chart(width_in, height_in, dpi, "Fighters per faction", fontsize, right=1 - 2.3 / width_in)
    h = model.history
    shown = 0
    for name, series in h.fighters.items():
        y = np.asarray(series, dtype=float)
        if not len(y) or np.nanmax(np.append(y, 0.0)) <= 0:
            continue
        org = model.factions[name]
        active = org.active
        ax.plot(h.dates, y, color=org.color, lw=2.0 if active else 1.2, alpha=1.0 if active else 0.5,
                label=org.label if active else f"{org.label} (gone)")
        shown += 1
    _time_axis(ax, model)
    ax.set_ylim(bottom=0)
    if shown:
        ax.legend(fontsize=fontsize * 0.85, loc="upper left", bbox_to_anchor=(1.01, 1.02), frameon=False,
                  handlelength=1.5, labelspacing=0.3)
    return fig


# --- the ticker -----------------------------------------------------------------------------------------------
TICKER_KINDS = ("split", "pledge", "merger", "leader_death", "appearance", "global_shock", "peace_agreement",
                "peace_meeting", "note", "deployment", "civilian_harm")
#: the ticker's badge (text, colour) per kind
TICKER_BADGES = {"attack": ("attack", "#b2182b"), "spectacular": ("SPECTACULAR", "#7a5c00"),
                 "split": ("split", "#6a51a3"), "pledge": ("pledge", "#111111"), "merger": ("merger", "#1f4e79"),
                 "leader_death": ("leader killed", "#8c2d04"), "appearance": ("new group", "#2ca25f"),
                 "global_shock": ("abroad", "#555555"), "peace_agreement": ("peace", "#1b7837"),
                 "peace_meeting": ("peace", "#1b7837"), "note": ("history", "#555555"),
                 "deployment": ("forces", "#2b5fb4"), "civilian_harm": ("civilians hit", "#d95f02")}


@dataclass
class TickerEntry:
    step: int
    date: dt.date
    kind: str  # attack, spectacular, or an event kind
    text: str

    @property
    def badge(self) -> tuple[str, str]:
        return TICKER_BADGES.get(self.kind, (self.kind, "#555555"))


def _label(model: SahelModel, name: str) -> str:
    org = model.factions.get(name)
    return org.label if org is not None else name


def site_label(model: SahelModel, place: str, fallback: str) -> str:
    """The label of a site of the target layer (or of a map place), else ``fallback``."""
    attacks = model.mechanism("attacks")
    site = attacks.layer.get(place) if attacks is not None else None
    if site is not None:
        return site.label
    return model.world.places[place].label if place in model.world.places else fallback


def attack_text(model: SahelModel, a) -> str:
    """One line on an attack: where, on what, toll, by whom, and who claimed it."""
    where = site_label(model, a.place, a.region.title())
    target = TARGET_LABELS.get(a.target, a.target.replace("_", " "))
    toll = f"{a.killed} killed" + (f", {a.hostages} hostages" if a.hostages else "")
    by = " + ".join(_label(model, p) for p in a.perpetrators)
    if a.claimants:
        claim = "claimed by " + ", ".join(_label(model, c) for c in a.claimants)
        if a.competing_claims:
            claim += " (competing claims!)"
    else:
        claim = "unclaimed"
    return f"{where} ({target}): {toll}; by {by}; {claim}"


def event_text(model: SahelModel, e) -> str:
    """One line on an event (its kind is shown as a badge beside it)."""
    if e.kind == "split":
        return f"{_label(model, e.faction)} breaks away from {_label(model, e.other)}"
    if e.kind == "merger":
        return f"{_label(model, e.faction)} merges into {_label(model, e.other)}"
    if e.kind == "leader_death":
        return f"{e.detail} ({_label(model, e.faction)})"
    if e.kind == "peace_meeting":
        return f"{e.detail or 'implementation meeting'} at {site_label(model, e.other, e.other)}"
    if e.kind == "civilian_harm":
        return f"{_label(model, e.faction)} {e.detail}"
    return e.detail


def latest_attacks(model: SahelModel, n: int = 8) -> list[TickerEntry]:
    """The latest ``n`` attacks, newest first."""
    return [TickerEntry(a.step, a.date, "spectacular" if a.spectacular else "attack", attack_text(model, a))
            for a in model.log.attacks[: -n - 1 : -1]]


def latest_events(model: SahelModel, n: int = 8) -> list[TickerEntry]:
    """The latest ``n`` splits, pledges, mergers, leader deaths, dated events, newest first (strikes left out:
    there are hundreds)."""
    out: list[TickerEntry] = []
    for e in reversed(model.log.events):
        if len(out) >= n:
            break
        if e.kind in TICKER_KINDS:
            out.append(TickerEntry(e.step, e.date, e.kind, event_text(model, e)))
    return out


def world_status(model: SahelModel) -> list[tuple[str, str]]:
    """The world this week in a few labelled numbers."""
    barkhane, minusma = model.force("barkhane"), model.force("minusma")
    cfg = model.config.mechanisms
    week = model.attacks_this_week if model.steps else []
    return [
        ("AQ-IS rivalry", f"{model.rivalry_intensity:.2f}" if cfg.rivalry.enabled else "off"),
        ("IS share of global attention", f"{model.global_share['IS']:.0%}"),
        ("peace agreement implemented", f"{model.peace_progress:.0%}" if cfg.peace_process.enabled else "no process"),
        ("French troops", f"{barkhane.troops:,.0f}" if barkhane else "none"),
        ("MINUSMA troops", f"{minusma.troops:,.0f}" if minusma else "none"),
        ("attacks this week", f"{len(week)}, {sum(a.killed for a in week)} killed"),
        ("northerners under jihadist sway", f"{model.north_jihadist_share():.0%}"),
    ]
