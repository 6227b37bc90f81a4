"""Figures of a run's tables, for notebooks and scripts: no model needed, so they work on a loaded run too.

    >>> import sahel_sim
    >>> from sahel_sim.plotting import plot_overview, plot_attacks_by_year
    >>> r = sahel_sim.load("outputs/history_2012_2017/seed=42_...")
    >>> plot_overview(r).savefig("overview.png")     # or r.plot_overview()

Each function returns a :class:`matplotlib.figure.Figure` (Jupyter shows it when it is a cell's value) or draws
on the ``ax`` given. The map panel of ``overview.png`` needs the model itself (:func:`sahel_sim.figures.draw_map`);
these are the time-series panels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .palette import table_colours

if TYPE_CHECKING:
    from .api import RunResult

#: colours and hatches of the two camps (as in the overview figure)
CAMP_STYLE = {"AQ": {"color": "#b2182b", "hatch": ""}, "IS": {"color": "#222222", "hatch": "//"}}
LINE_STYLES = ["-", "--", "-.", ":"]


def _figure(figsize):
    """A new figure: pyplot's when it is imported (so notebooks show it inline), else a bare Figure."""
    import sys

    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=figsize)
        plt.close(fig)  # shown once, as the cell's value, not twice
        return fig
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def _style(camp: str) -> dict:
    return CAMP_STYLE.get(camp, {"color": "grey", "hatch": ""})


def plot_attacks_per_month(result: RunResult, ax) -> None:
    """Stacked bars of attacks per month by camp, spectacular attacks as stars."""
    attacks = result.attacks
    if len(attacks):
        month = attacks["date"].dt.to_period("M").dt.to_timestamp()
        counts = attacks.groupby([month, "camp"]).size().unstack(fill_value=0)
        bottom = np.zeros(len(counts))
        for camp in counts.columns:
            style = _style(camp)
            ax.bar(counts.index, counts[camp], width=25, bottom=bottom, color=style["color"], hatch=style["hatch"],
                   edgecolor="white", lw=0.3, label=f"{camp} camp")
            bottom += counts[camp].to_numpy()
        spec = attacks[attacks["spectacular"]]
        if len(spec):  # an empty unclipped line would stretch the axes' extent to the canvas's corner
            ax.plot(spec["date"], np.zeros(len(spec)) - 0.5, "*", color="gold", mec="black", ms=9,
                    label="spectacular", clip_on=False)
        ax.legend(fontsize=7, loc="upper left")
    ax.set_ylabel("attacks per month")
    ax.set_title("Attacks per month by camp", fontsize=10)


def plot_attention(result: RunResult, ax) -> None:
    """IS shares of global and local attention, AQ-IS rivalry intensity and peace-process progress per week."""
    world = result.world
    ax.plot(world["date"], world["is_global_share"], color="black", ls="--", label="IS share, global attention")
    ax.plot(world["date"], world["is_local_share"], color="black", label="IS share, local attention")
    ax.plot(world["date"], world["rivalry_intensity"], color="#b2182b", label="AQ-IS rivalry intensity")
    ax.plot(world["date"], world["peace_progress"], color="#1b7837", ls=":", label="peace-process progress")
    top = float(world["rivalry_intensity"].max()) + 0.05 if len(world) else 1.05
    ax.set_ylim(-0.02, max(1.05, top))
    ax.set_ylabel("share / intensity (0-1)")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("Global rivalry, attention shares and the peace process", fontsize=10)


def plot_fighters(result: RunResult, ax) -> None:
    """Fighters per jihadist group per week (groups that never had fighters are left out)."""
    groups = result.factions[result.factions["kind"] == "jihadist"]
    colours = table_colours(result.factions, getattr(result.config, "factions", {}) or {})
    for i, (name, df) in enumerate(groups.groupby("faction", sort=False)):
        if df["fighters"].max() <= 0:
            continue
        colour = colours.get(name)
        ax.plot(df["date"], df["fighters"], color=colour, ls=LINE_STYLES[i % 4], label=df["label"].iloc[-1])
    ax.set_ylabel("fighters")
    if len(groups):
        ax.legend(fontsize=6.5, ncol=2, loc="upper right")
    ax.set_title("Fighters per group", fontsize=10)


def plot_overview(result: RunResult, figsize: tuple[float, float] = (9, 9)):
    """The time-series panels of ``overview.png``: attacks per month by camp, attention and rivalry, fighters."""
    fig = _figure(figsize)
    axes = fig.subplots(3, 1, sharex=True)
    fig.subplots_adjust(hspace=0.35)
    plot_attacks_per_month(result, axes[0])
    plot_attention(result, axes[1])
    plot_fighters(result, axes[2])
    attacks = result.attacks
    n_spec = int(attacks["spectacular"].sum()) if len(attacks) else 0
    fig.suptitle(f"scenario {result.config.scenario.name} · seed {result.config.seed} · {len(attacks)} attacks, "
                 f"{n_spec} spectacular", fontsize=10)
    return fig


def attacks_by_year(result: RunResult) -> pd.DataFrame:
    """Attacks and spectacular attacks per year and camp: columns ``(kind, camp)`` for both kinds and every camp
    that attacked (a count of 0 where there was none, e.g. a run without a spectacular attack), one row per
    calendar year."""
    attacks = result.attacks
    years = pd.Index(sorted(result.world["date"].dt.year.unique()), name="year")
    if not len(attacks):
        return pd.DataFrame(index=years)
    year = attacks["date"].dt.year.rename("year")
    camps = sorted(attacks["camp"].unique())
    table = {}
    for kind, frame in (("all", attacks), ("spectacular", attacks[attacks["spectacular"]])):
        counts = (frame.groupby([year[frame.index], frame["camp"]]).size().unstack(fill_value=0)
                  .reindex(columns=camps, fill_value=0))
        for camp in camps:
            table[(kind, camp)] = counts[camp]
    return pd.DataFrame(table).reindex(years, fill_value=0).fillna(0).astype(int)


def plot_attacks_by_year(result: RunResult, ax=None):
    """Bars of attacks per year by camp (left axis) and spectacular attacks per year by camp (markers, right)."""
    fig = None
    if ax is None:
        fig = _figure((7, 3.6))
        ax = fig.subplots()
    table = attacks_by_year(result)
    years = table.index.to_numpy()
    camps = sorted({camp for _, camp in table.columns})
    width = 0.8 / max(1, len(camps))
    ax2 = ax.twinx()
    for i, camp in enumerate(camps):
        style = _style(camp)
        offset = (i - (len(camps) - 1) / 2) * width
        if ("all", camp) in table:
            ax.bar(years + offset, table[("all", camp)], width=width, color=style["color"], hatch=style["hatch"],
                   edgecolor="white", alpha=0.75, label=f"{camp}: attacks")
        if ("spectacular", camp) in table:
            ax2.plot(years + offset, table[("spectacular", camp)], "*", ms=12, color="gold", mec=style["color"],
                     mew=1.5, label=f"{camp}: spectacular")
    ax.set_xticks(years)
    ax.set_xlabel("year")
    ax.set_ylabel("attacks per year")
    ax2.set_ylabel("spectacular attacks per year")
    spec_cols = [c for c in table.columns if c[0] == "spectacular"]
    spec_max = float(table[spec_cols].to_numpy().max()) if spec_cols and len(table) else 0.0
    ax2.set_ylim(0, spec_max * 1.2 + 1)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    if handles:
        ax.legend(handles, labels, fontsize=7, loc="upper left")
    ax.set_title("Attacks per year by camp", fontsize=10)
    return fig if fig is not None else ax.figure
