"""History: the 2012-2017 scenario over many seeds against the record (UCDP battle deaths), by region and latitude."""

from __future__ import annotations

from importlib import resources

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import MIN_REPLICATES, enough_for_interval, save_figure, save_table, seed_band


def record_yearly() -> pd.Series:
    """Yearly state-based battle deaths in Mali, UCDP GED 20.1 (sahel_sim/data; CC BY 4.0)."""
    path = resources.files("sahel_sim") / "data" / "ucdp_mali_weekly_battle_deaths_2010_2016.csv"
    with resources.as_file(path) as p:
        weekly = pd.read_csv(p)
    return weekly.groupby("year")["battle_deaths"].sum()


def analyse(ctx) -> None:
    world = ctx.read_tables("world", ["date", "state_based_deaths", "north_jihadist_share"])
    attacks = ctx.read_tables("attacks", ["date", "zone", "region", "lat", "spectacular", "camp"])
    events = pd.read_parquet(ctx.run_dirs()[0] / "events.parquet") if ctx.run_dirs() else pd.DataFrame()
    n_runs = world["run"].nunique()
    record = record_yearly()

    yearly = world.groupby([world["date"].dt.year.rename("year"), "run"])["state_based_deaths"].sum().unstack()
    band = seed_band(yearly)
    band["record"] = record.reindex(band.index)
    band = band.reset_index()
    save_table(band, ctx.out_dir, "history_battle_deaths")

    quarter = attacks["date"].dt.to_period("Q").dt.to_timestamp()
    by_zone = (attacks.groupby([quarter.rename("quarter"), "zone"]).size() / n_runs).unstack(fill_value=0)
    lat = attacks.groupby([quarter.rename("quarter"), "run"])["lat"].mean().unstack()
    lat_band = seed_band(lat).reset_index()
    save_table(by_zone.reset_index(), ctx.out_dir, "history_attacks_by_zone")
    save_table(lat_band, ctx.out_dir, "history_attack_latitude")

    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5))
    ax = axes[0, 0]
    ax.fill_between(band["year"], band["q05"], band["q95"], color="#888888", alpha=0.3, label="model 5-95%")
    ax.plot(band["year"], band["median"], color="black", marker="o", label=f"model median ({n_runs} seeds)")
    ax.plot(band["year"], band["record"], color="#b2182b", marker="s", ls="--", label="record (UCDP GED 20.1)")
    ax.set_ylabel("state-based battle deaths per year")
    ax.set_title("Battle deaths: model band against the record", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    bottom = np.zeros(len(by_zone))
    for zone, hatch, colour in (("north", "", "#444444"), ("centre", "//", "#999999"), ("south", "..", "#dddddd"),
                                ("abroad", "xx", "#ffffff")):
        if zone in by_zone:
            ax.bar(by_zone.index, by_zone[zone], bottom=bottom, width=80, color=colour, hatch=hatch,
                   edgecolor="black", lw=0.3, label=zone)
            bottom += by_zone[zone].to_numpy()
    ax.set_ylabel("attacks per quarter (mean over seeds)")
    ax.set_title("Attacks by zone: does violence spread south in 2015?", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[1, 0]
    ax.fill_between(lat_band["quarter"], lat_band["q05"], lat_band["q95"], color="#888888", alpha=0.3)
    ax.plot(lat_band["quarter"], lat_band["median"], color="black")
    ax.set_ylabel("mean latitude of attacks (°N)")
    ax.set_title("Attack latitude over time (median and 5-95% over seeds)", fontsize=10)
    ax = axes[1, 1]
    north = world.groupby(["date", "run"])["north_jihadist_share"].mean().unstack()
    north_band = seed_band(north)
    ax.fill_between(north.index, north_band["q05"], north_band["q95"], color="#888888", alpha=0.3)
    ax.plot(north.index, north.median(axis=1), color="black")
    ax.set_ylabel("share of the north's people under jihadist dominance")
    ax.set_title("The north: takeover in 2012, reversal after Serval", fontsize=10)
    marks = events[events["kind"].isin(["note", "peace_agreement", "global_shock"])] if len(events) else []
    for _, e in (marks.drop_duplicates("date").iterrows() if len(marks) else []):
        for a in (axes[1, 0], axes[1, 1]):
            a.axvline(e["date"], color="#b2182b", lw=0.5, ls=":")
        axes[1, 1].annotate(e["detail"], (e["date"], 0.98), rotation=90, fontsize=6, va="top", color="#b2182b",
                            xycoords=("data", "axes fraction"))
    fig.suptitle(ctx.config.title, fontsize=11)
    save_figure(fig, ctx.out_dir, "history", ctx.footer())

    common = band.dropna(subset=["record"])
    inside = ((common["record"] >= common["q05"]) & (common["record"] <= common["q95"])).sum()
    peak_model = int(band.loc[band["median"].idxmax(), "year"])
    if enough_for_interval(n_runs):
        band_lines = [f"* Yearly state-based battle deaths: the record lies inside the model's 5-95% band in {inside} "
                      f"of {len(common)} years; the model's median peaks in {peak_model} (record: 2013).",
                      *(f"* {int(r.year)}: model median {r['median']:.0f} (90% band {r.q05:.0f} to {r.q95:.0f}; no "
                        f"95% CI here, a band over seeds) vs record {r.record:.0f}" for _, r in common.iterrows())]
    else:
        band_lines = [f"* Yearly state-based battle deaths: no band over seeds from {n_runs} seeds (fewer than "
                      f"{MIN_REPLICATES}); the model's median peaks in {peak_model} (record: 2013).",
                      *(f"* {int(r.year)}: model median {r['median']:.0f} vs record {r.record:.0f}"
                        for _, r in common.iterrows())]
    lines = [f"# {ctx.config.title}", "", f"Design: {n_runs} seeds of the default scenario, scale={ctx.scale}.", "",
             *band_lines,
             "", "The default's free parameters are calibrated on the record up to 2016 (`sahel-sim "
             "experiment=calibration`; docs/validation.md), so 2012-2016 here is an in-sample fit and 2017 is out of "
             "sample (the record has no UCDP year after 2016 to compare).", "",
             f"Rebuild: `{ctx.rebuild()}`."]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
