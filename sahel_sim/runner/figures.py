"""The overview figure of a run: who holds the map and where the attacks fell, and how the war went over time."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402  (not pyplot: no figure manager, and ~0.2 s less to import)

from .._version import __version__  # noqa: E402
from ..core.palette import FORCE_COLOURS  # noqa: E402
from .plotting import plot_attacks_per_month  # noqa: E402

if TYPE_CHECKING:
    from ..core.model import SahelModel

CAMP_STYLE = {"AQ": {"color": "#b2182b", "marker": "o", "hatch": ""},
              "IS": {"color": "#222222", "marker": "s", "hatch": "//"}}


def influence_image(model: SahelModel) -> np.ndarray:
    """RGB image (ny, nx, 3): each cell in its dominant group's colour, faded by how firmly it is held."""
    w = model.world
    rgb = np.ones((w.nx, w.ny, 3))
    # background: Mali light sand, neighbours light grey
    rgb[w.in_mali] = (0.96, 0.93, 0.85)
    rgb[~w.in_mali] = (0.90, 0.90, 0.90)
    groups = model.groups()  # active groups only: a merged group's freed slot may now hold a newcomer
    if groups:
        slots = np.array([g.slot for g in groups])
        infl = model.influence[slots]
        top = infl.argmax(axis=0)
        strength = np.clip(infl.max(axis=0) * 1.6, 0.0, 0.9)
        colours = np.array([to_rgb(g.color) for g in groups])
        dominant = colours[top]
        rgb = rgb * (1 - strength[..., None]) + dominant * strength[..., None]
    return np.transpose(rgb, (1, 0, 2))


def draw_map(ax, model: SahelModel, attacks: pd.DataFrame | None = None, title: str = "") -> None:
    """The map panel: influence, Mali's outline, cities, bases, and attacks sized by deaths."""
    w = model.world
    cfg = w.config
    ax.imshow(influence_image(model), origin="lower", extent=[cfg.lon_min, cfg.lon_max, cfg.lat_min, cfg.lat_max],
              interpolation="nearest")
    outline = np.asarray(cfg.outline + cfg.outline[:1])
    ax.plot(outline[:, 0], outline[:, 1], color="#333333", lw=1.2)
    for name, p in w.places.items():
        if p.kind == "city":
            ax.plot(p.lon, p.lat, "o", ms=3, color="black")
            ax.annotate(p.label or name, (p.lon, p.lat), xytext=(3, 3), textcoords="offset points", fontsize=7)
        elif p.kind == "un_base":
            ax.plot(p.lon + 0.12, p.lat - 0.12, "^", ms=5, mfc=FORCE_COLOURS["peacekeeping"], mec="black", mew=0.5)
        elif p.kind == "french_base":
            ax.plot(p.lon - 0.12, p.lat - 0.12, "v", ms=5, mfc=FORCE_COLOURS["foreign_force"], mec="black", mew=0.5)
    if attacks is not None and len(attacks):
        for camp, style in CAMP_STYLE.items():
            sel = attacks[attacks["camp"] == camp]
            if len(sel):
                ax.scatter(sel["lon"], sel["lat"], s=6 + 4 * np.sqrt(sel["killed"]), facecolors="none",
                           edgecolors=style["color"], marker=style["marker"], linewidths=0.6, alpha=0.6,
                           label=f"attacks, {camp} camp")
        spec = attacks[attacks["spectacular"]]
        if len(spec):
            ax.scatter(spec["lon"], spec["lat"], s=120, marker="*", facecolors="gold", edgecolors="black",
                       linewidths=0.7, label="spectacular attack", zorder=5)
    ax.plot([], [], "^", mfc=FORCE_COLOURS["peacekeeping"], mec="black", ls="", label="MINUSMA camp")
    ax.plot([], [], "v", mfc=FORCE_COLOURS["foreign_force"], mec="black", ls="", label="French base")
    camps = list(CAMP_STYLE)
    for g in sorted(model.groups(), key=lambda g: camps.index(g.camp) if g.camp in camps else len(camps)):
        ax.plot([], [], "s", color=g.color, ls="", label=f"held by {g.label} ({g.camp} camp)")
    ax.legend(loc="upper left", fontsize=6.5, framealpha=0.85)
    ax.set_xlim(cfg.lon_min, cfg.lon_max)
    ax.set_ylim(cfg.lat_min, cfg.lat_max)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title(title, fontsize=10)


#: the overview's fixed layout, in inches: the map's width, the time-series panels' width, and the margins that
#: hold tick labels, axis labels, titles and the footer (placed once: one draw, no ``bbox_inches="tight"`` pass)
_MAP_WIDTH, _SERIES_WIDTH = 6.8, 5.6
_LEFT, _GAP, _RIGHT = 0.72, 0.9, 0.2  # y labels of the map; y labels of the series; right edge
_TOP, _BOTTOM, _SERIES_GAP = 0.36, 0.72, 0.56  # map title; x labels and footer; a series' ticks and next title
_MAP_HEIGHT_RANGE = (5.4, 8.5)


def overview_layout(model: SahelModel) -> tuple[tuple[float, float], list[tuple[float, float, float, float]]]:
    """The overview's figure size (inches) and its four panels' rectangles (figure fractions: map, then three
    time series from top to bottom). The map's box has the map's own proportions (one degree as long in longitude
    as in latitude), so it fills its side; the series share the map's height."""
    cfg = model.world.config
    aspect = (cfg.lat_max - cfg.lat_min) / (cfg.lon_max - cfg.lon_min)
    map_w, map_h = _MAP_WIDTH, _MAP_WIDTH * aspect
    if not _MAP_HEIGHT_RANGE[0] <= map_h <= _MAP_HEIGHT_RANGE[1]:  # a very wide or very tall map: fit the box
        map_h = min(max(map_h, _MAP_HEIGHT_RANGE[0]), _MAP_HEIGHT_RANGE[1])
        map_w = min(map_h / aspect, _MAP_WIDTH * 1.4)
    width = _LEFT + map_w + _GAP + _SERIES_WIDTH + _RIGHT
    height = _BOTTOM + map_h + _TOP
    rects = [(_LEFT / width, _BOTTOM / height, map_w / width, map_h / height)]
    series_h = (map_h - 2 * _SERIES_GAP) / 3
    x0 = (_LEFT + map_w + _GAP) / width
    for i in range(3):
        y0 = _BOTTOM + map_h - (i + 1) * series_h - i * _SERIES_GAP
        rects.append((x0, y0 / height, _SERIES_WIDTH / width, series_h / height))
    return (width, height), rects


def overview_figure(model: SahelModel, tables: dict[str, pd.DataFrame], path: Path | str) -> None:
    """Write the run's overview: final map, monthly attacks by camp, attention and rivalry, fighters."""
    attacks, world, factions = tables["attacks"], tables["world"], tables["factions"]
    size, rects = overview_layout(model)
    fig = Figure(figsize=size)
    ax_map = fig.add_axes(rects[0])
    draw_map(ax_map, model, attacks,
             f"Influence on {model.date:%d %b %Y} and all attacks {model.calendar.start.year}-{model.date.year}")

    ax = fig.add_axes(rects[1])
    plot_attacks_per_month(SimpleNamespace(attacks=attacks), ax)

    ax = fig.add_axes(rects[2])
    ax.plot(world["date"], world["is_global_share"], color="black", ls="--", label="IS share, global attention")
    ax.plot(world["date"], world["is_local_share"], color="black", label="IS share, local attention")
    ax.plot(world["date"], world["rivalry_intensity"], color="#b2182b", label="AQ-IS rivalry intensity")
    ax.plot(world["date"], world["peace_progress"], color="#1b7837", ls=":", label="peace-process progress")
    ax.set_ylim(-0.02, max(1.05, float(world["rivalry_intensity"].max()) + 0.05))
    ax.set_ylabel("share / intensity (0-1)")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("Global rivalry, attention shares and the peace process", fontsize=10)

    ax = fig.add_axes(rects[3])
    groups = factions[factions["kind"] == "jihadist"]
    styles = ["-", "--", "-.", ":"]
    camps = list(CAMP_STYLE)
    by_camp = sorted(groups.groupby("faction", sort=False), key=lambda item: camps.index(model.factions[item[0]].camp)
                     if model.factions[item[0]].camp in camps else len(camps))  # the legend: AQ camp, then IS
    for i, (name, df) in enumerate(by_camp):
        if df["fighters"].max() <= 0:
            continue
        g = model.factions[name]
        ax.plot(df["date"], df["fighters"], color=g.color, ls=styles[i % 4], label=f"{df['label'].iloc[-1]} ({g.camp})")
    ax.set_ylabel("fighters")
    ax.legend(fontsize=6.5, ncol=2, loc="upper right")
    ax.set_title("Fighters per group", fontsize=10)
    fig.text(0.08 / size[0], 0.1 / size[1], f"sahel_sim {__version__} · scenario {model.config.scenario.name} · seed "
             f"{model.config.seed} · {len(attacks)} attacks, {int(attacks['spectacular'].sum()) if len(attacks) else 0}"
             " spectacular", fontsize=8, color="#444444")
    # zlib level 3 instead of PIL's 6: ~12 ms less to encode, ~3 % larger file
    fig.savefig(path, dpi=110, format="png", pil_kwargs={"compress_level": 3})
