"""Coalitions: when the groups' own decisions (mechanisms.relations) unite the AQ camp and split off IS-aligned
groups, with and without the global AQ-IS rivalry."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import fmt, mean_ci, per_run, save_figure, save_table
from sahel_sim.analysis.validation import merger_weeks

PARAM = "mechanisms.rivalry.enabled"
#: the configured AQ-camp groups of 2012, whose mergers are the record's coalitions
FOUNDERS_2012 = ("aqim", "signers_in_blood", "mujao", "ansar_dine")
#: the milestones, each a per-run date (NaT when it never happens by the end of the run)
MILESTONES = {
    "first_merger": "two of the 2012 AQ-camp groups merge",
    "al_mourabitoun": "MUJAO and Belmokhtar's group in one group (P10)",
    "jnim": ">= 3 of JNIM's founders in one group (P11)",
    "is_group": "a group of the IS camp exists (a pledge)",
}
COLOURS = {"first_merger": "#0072B2", "al_mourabitoun": "#D55E00", "jnim": "#009E73", "is_group": "#000000"}


def milestones(events: pd.DataFrame, runs: pd.Index) -> pd.DataFrame:
    """One row per run: the date of each milestone (NaT if never)."""
    out = pd.DataFrame(index=runs)
    merges = events[(events["kind"] == "merger") & events["faction"].isin(FOUNDERS_2012)]
    out["first_merger"] = merges.groupby("run")["date"].min().reindex(runs)
    out["al_mourabitoun"] = merger_weeks(events, ("mujao", "signers_in_blood"), runs=runs)
    out["jnim"] = pd.concat([merger_weeks(events, ("aqim", "ansar_dine", "flm", proxy), runs=runs, min_members=3)
                             for proxy in ("al_mourabitoun", "mujao", "signers_in_blood")], axis=1).min(axis=1)
    pledges = events[(events["kind"] == "pledge") & (events["other"] == "IS")]
    out["is_group"] = pledges.groupby("run")["date"].min().reindex(runs)
    return out


def cross_camp_fights(events: pd.DataFrame, factions: pd.DataFrame, runs: pd.Index) -> pd.Series:
    """Per run: decisions of a pair of groups of different camps to fight (a ``relation`` event to fighting)."""
    turned = events[(events["kind"] == "relation") & events["detail"].str.contains("-> fighting", regex=False)]
    camps = factions[["run", "date", "faction", "camp"]].drop_duplicates(["run", "date", "faction"])
    t = turned.merge(camps, on=["run", "date", "faction"], how="left").merge(
        camps.rename(columns={"faction": "other", "camp": "other_camp"}), on=["run", "date", "other"], how="left")
    return t[t["camp"] != t["other_camp"]].groupby("run").size().reindex(runs, fill_value=0)


def analyse(ctx) -> None:
    rng = np.random.default_rng(0)
    events = ctx.read_tables("events", ["date", "kind", "faction", "other", "detail"])
    factions = ctx.read_tables("factions", ["date", "faction", "camp"])
    runs_table = per_run(ctx.metrics, "weeks", [PARAM])
    runs = pd.Index(sorted(runs_table["run"]), name="run")
    condition = runs_table.set_index("run")[PARAM].astype(str).str.lower().map({"true": "with rivalry",
                                                                                "false": "without rivalry"})
    dates = milestones(events, runs)
    end = events["date"].max() if len(events) else pd.Timestamp("2017-12-31")
    counts = pd.DataFrame({
        "mergers": events[events["kind"] == "merger"].groupby("run").size().reindex(runs, fill_value=0),
        "pledges": events[(events["kind"] == "pledge")].groupby("run").size().reindex(runs, fill_value=0),
        "cross_camp_fights": cross_camp_fights(events, factions, runs),
    })

    rows = []
    for cond in ("with rivalry", "without rivalry"):
        members = condition[condition == cond].index
        for key, label in MILESTONES.items():
            d = dates.loc[members, key]
            share, lo, hi = mean_ci(d.notna().to_numpy(float), rng)
            rows.append({"condition": cond, "outcome": key, "description": label, "runs": len(members),
                         "share_by_end": share, "ci_low": lo, "ci_high": hi,
                         "median_date": str(d.dropna().sort_values().iloc[len(d.dropna()) // 2].date())
                         if d.notna().any() else ""})
        for key in counts:
            mean, lo, hi = mean_ci(counts.loc[members, key].to_numpy(float), rng)
            rows.append({"condition": cond, "outcome": key, "description": f"{key.replace('_', ' ')} per run",
                         "runs": len(members), "share_by_end": mean, "ci_low": lo, "ci_high": hi,
                         "median_date": ""})
    table = pd.DataFrame(rows)
    save_table(table, ctx.out_dir, "coalitions")

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 6.2), gridspec_kw={"width_ratios": [2, 1]})
    fig.subplots_adjust(bottom=0.24)
    start = events["date"].min() if len(events) else end
    grid = pd.date_range(start, end, freq="W")
    for key, label in MILESTONES.items():
        for cond, ls in (("with rivalry", "-"), ("without rivalry", "--")):
            d = dates.loc[condition[condition == cond].index, key]
            if len(d) == 0:
                continue
            share = [(d <= t).mean() for t in grid]
            ax.step(grid, share, where="post", color=COLOURS[key], ls=ls, label=f"{label}, {cond}")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share of runs in which it has happened")
    ax.set_title("When the groups' own decisions unite the AQ camp and split off IS-aligned groups", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=2)
    for date, what in (("2013-08-22", "Al Mourabitoun (record)"), ("2015-05-13", "ISGS pledge (record)"),
                       ("2017-03-02", "JNIM (record)")):
        ax.axvline(pd.Timestamp(date), color="grey", lw=0.8, ls=":")
        ax.annotate(what, (pd.Timestamp(date), 0.97), rotation=90, fontsize=7, color="grey", va="top", ha="right")
    c = table[table["outcome"].isin(counts.columns)]
    x = np.arange(len(counts.columns))
    for k, (cond, colour) in enumerate((("with rivalry", "#b2182b"), ("without rivalry", "#4d4d4d"))):
        t = c[c["condition"] == cond].set_index("outcome").reindex(counts.columns)
        bx.bar(x + (k - 0.5) * 0.38, t["share_by_end"], 0.38, color=colour, label=cond,
               yerr=[t["share_by_end"] - t["ci_low"], t["ci_high"] - t["share_by_end"]], capsize=3)
    bx.set_xticks(x, ["mergers", "pledges", "cross-camp\nfights"])
    bx.set_ylabel("per run, 2012-2017 (mean, 95% bootstrap interval)")
    bx.legend(fontsize=8)
    fig.suptitle(ctx.config.title, fontsize=11)
    save_figure(fig, ctx.out_dir, "coalitions", ctx.footer())

    def line(cond: str, key: str) -> str:
        r = table[(table["condition"] == cond) & (table["outcome"] == key)].iloc[0]
        when = f", median {r['median_date']}" if r["median_date"] else ""
        return f"{fmt(r['share_by_end'], r['ci_low'], r['ci_high'])}{when}"

    lines = [f"# {ctx.config.title}", "",
              f"Question: {ctx.config.question}", "",
              f"Design: rivalry on and off, {int(table['runs'].min())} runs each, the default 2012-2017 scenario "
              f"with no dated merger or pledge (mechanisms.relations), scale={ctx.scale}. Shares are of runs in "
              "which the event happened by the end of 2017, with 95% bootstrap intervals over runs.", ""]
    for key, label in MILESTONES.items():
        lines.append(f"* {label}: with the rivalry {line('with rivalry', key)}; without "
                     f"{line('without rivalry', key)}.")
    for key in counts:
        lines.append(f"* {key.replace('_', ' ')} per run: with the rivalry {line('with rivalry', key)}; without "
                     f"{line('without rivalry', key)}.")
    lines += ["", "The relation weights are hand-set assumptions, not yet inferred (issue 19): read the contrast "
              "between the conditions, not the levels.", "",
              "Figure: coalitions.png / .pdf; table: coalitions.csv.", "",
              f"Rebuild: `{ctx.rebuild()}`."]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
