"""The projection to 2019 (issue 19, item 8): yearly battle deaths, attacks by zone and spectacular attacks
2012-2019 over the runs, with the record's yearly battle deaths up to 2016 (the years the inference saw) beside
them. Past 2016 there is no record in the repository: the bands are the model's expectation, to be held against
what came after."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import enough_for_interval, parameter_note, save_figure, save_table
from sahel_sim.analysis.validation import record_yearly

YEARS = tuple(range(2012, 2020))
#: the last year of the record the inference saw
LAST_SEEN = 2016
ZONES = ("north", "centre", "south", "abroad")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def yearly_per_run(ctx) -> pd.DataFrame:
    """One row per run and year: state-based battle deaths, attacks in each zone, spectacular attacks."""
    world = ctx.read_tables("world", ["date", "state_based_deaths"])
    attacks = ctx.read_tables("attacks", ["date", "zone", "spectacular"])
    world["year"] = world["date"].dt.year
    attacks["year"] = attacks["date"].dt.year
    out = world.groupby(["run", "year"])["state_based_deaths"].sum().rename("battle_deaths").to_frame()
    for zone in ZONES:
        out[f"attacks_{zone}"] = attacks[attacks["zone"] == zone].groupby(["run", "year"]).size()
    out["spectaculars"] = attacks[attacks["spectacular"].astype(bool)].groupby(["run", "year"]).size()
    out = out.fillna(0.0).reset_index()
    return out[out["year"].isin(YEARS)]


def bands(per_run: pd.DataFrame) -> pd.DataFrame:
    """Each statistic's quantiles over the runs, year by year (long: year, statistic, q05 ... q95)."""
    stats = [c for c in per_run.columns if c not in ("run", "year")]
    rows = []
    for (year, stat), values in per_run.melt(["run", "year"], stats, "statistic").groupby(["year", "statistic"]):
        q = np.quantile(values["value"].to_numpy(float), QUANTILES)
        rows.append({"year": int(year), "statistic": stat, **{f"q{int(p * 100):02d}": v for p, v in zip(
            QUANTILES, q, strict=True)}})
    return pd.DataFrame(rows)


def spectacular_years(per_run: pd.DataFrame) -> pd.DataFrame:
    """Spectacular attacks by year over the runs: the mean a run and the share of runs with at least one."""
    by_year = per_run.groupby("year")["spectaculars"]
    return pd.DataFrame({"mean": by_year.mean(), "share_with_one": by_year.apply(lambda v: float((v > 0).mean()))})


def analyse(ctx) -> None:
    per_run = yearly_per_run(ctx)
    per_run.to_parquet(ctx.out_dir / "projection.parquet", index=False)
    table = bands(per_run)
    runs = per_run["run"].nunique()
    if not enough_for_interval(runs):
        table[["q05", "q25", "q75", "q95"]] = np.nan
    save_table(table, ctx.out_dir, "projection")
    record = record_yearly()
    record = record[(record.index >= YEARS[0]) & (record.index <= LAST_SEEN)]

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.6))
    deaths = table[table["statistic"] == "battle_deaths"].set_index("year")
    ax = axes[0]
    ax.fill_between(deaths.index, deaths["q05"], deaths["q95"], color="#cccccc", lw=0, label="90% of runs")
    ax.fill_between(deaths.index, deaths["q25"], deaths["q75"], color="#999999", lw=0, label="50% of runs")
    ax.plot(deaths.index, deaths["q50"], color="black", marker="o", label="median")
    ax.plot(record.index, record.to_numpy(), color="#b2182b", ls="--", marker="s", label="record (UCDP GED)")
    ax.axvspan(LAST_SEEN + 0.5, YEARS[-1] + 0.5, color="#fde0dd", alpha=0.5, lw=0, label="projection (unseen)")
    ax.set_title("state-based battle deaths a year", fontsize=10)
    ax.legend(fontsize=7)
    ax = axes[1]
    for zone, style in zip(ZONES, ("-", "--", "-.", ":"), strict=True):
        z = table[table["statistic"] == f"attacks_{zone}"].set_index("year")
        ax.plot(z.index, z["q50"], ls=style, marker="o", ms=3, label=zone if zone != "abroad" else "neighbours")
    ax.axvspan(LAST_SEEN + 0.5, YEARS[-1] + 0.5, color="#fde0dd", alpha=0.5, lw=0)
    ax.set_title("attacks a year by zone (medians)", fontsize=10)
    ax.legend(fontsize=7)
    ax = axes[2]
    # a few a year at most, a median of 0 in most years: the mean a run, the share of runs with at least one, and
    # the 90% range of runs say more than a median
    spectacular = spectacular_years(per_run)
    sp = table[table["statistic"] == "spectaculars"].set_index("year")
    if sp["q05"].notna().all():
        ax.vlines(sp.index, sp["q05"], sp["q95"], color="#bbbbbb", lw=6, label="90% of runs")
    ax.plot(spectacular.index, spectacular["mean"], color="black", marker="o", ls="", label="mean a run")
    ax.plot(spectacular.index, spectacular["share_with_one"], color="#2166ac", marker="^", ls=":",
            label="share of runs with one or more")
    ax.axvspan(LAST_SEEN + 0.5, YEARS[-1] + 0.5, color="#fde0dd", alpha=0.5, lw=0, zorder=0)
    top = float(np.nanmax([sp["q95"].max(), spectacular["mean"].max(), 1.0]))
    ax.set_ylim(0, top * 1.4)  # room above the bars for the legend
    ax.set_title("spectacular attacks a year", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    for a in axes:
        a.set_xticks(YEARS)
        a.tick_params(labelsize=7)
    fig.suptitle(ctx.config.title, fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    save_figure(fig, ctx.out_dir, "projection", ctx.footer())

    lines = [f"# {ctx.config.title}", "", *parameter_note(ctx),
             f"{runs} runs of 2012-2019 (`scenario=projection_2019`). After {LAST_SEEN} the runs are driven by "
             "the exogenous inputs alone (record README, \"Inputs 2017-2019\"); the repository holds no outcome "
             "after 2016, so these bands are to be held against what came after.", ""]
    for year in YEARS:
        d = deaths.loc[year]
        seen = f"; record {int(record[year])}" if year in record.index else ""
        band = f" (90% of runs {d['q05']:.0f} to {d['q95']:.0f})" if np.isfinite(d["q05"]) else ""
        lines.append(f"* {year}: battle deaths median {d['q50']:.0f}{band}{seen}.")
    lines += ["", "Spectacular attacks a year (all camps): "
              + "; ".join(f"{year} mean {r['mean']:.2f} a run, {r['share_with_one']:.0%} of runs with one or more"
                          for year, r in spectacular.iterrows()) + "."]
    lines += ["", f"Rebuild: `{ctx.rebuild()}`."]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
