"""The Radisson Blu window: spectacular AQ-camp attacks in the weeks after the Paris attacks, one driver removed at
a time (``configs/counterfactual/``), the same seeds in every condition: each driver's part is a paired difference.

Since the target layer (issue 18) the model is not given the hotel: the question is asked of "a hotel, restaurant
or bar frequented by foreigners in Bamako" among the layer's sites (outcome ``window_bamako_hotel``), and the peace
meetings rotate among the capital's meeting hosts; ``scenario=given_venues`` gives the former world.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import (
    CORRECTION,
    adjusted_p_values,
    correction_note,
    fmt,
    mean_ci,
    mean_ci_p,
    parameter_note,
    per_run,
    save_figure,
    save_table,
)

CF = "counterfactual"
#: the week of the Paris attacks (13 Nov 2015; a week's attacks are dated by its Monday) to the end of 2015: the
#: Radisson Blu was attacked on 20 Nov 2015, seven days after Paris
WINDOW = ("2015-11-09", "2015-12-31")
#: condition -> (label, what it removes)
CONDITIONS = {
    "none": ("history: every driver", "baseline"),
    "no_is_shocks": ("no IS shocks abroad (Paris, ...)", "H-global"),
    "no_rivalry": ("no AQ-IS rivalry", "H-global"),
    "no_peace_meetings": ("no peace meetings where groups can strike", "H-local"),
    "no_peace_process": ("no peace process", "H-local"),
    "no_retaliation": ("no retaliation", "H-local"),
    "no_intervention": ("no intervention (Barkhane, MINUSMA)", "H-local"),
    "no_rule_restraint": ("no rulers' restraint", "assumption"),
}
OUTCOMES = {
    "window_any": "P(spectacular AQ-camp attack, 9 Nov - 31 Dec 2015)",
    "window_bamako": "P(spectacular AQ-camp attack in Bamako, 9 Nov - 31 Dec 2015)",
    "window_bamako_hotel": "P(spectacular AQ-camp attack on a hotel, restaurant or bar frequented by foreigners in "
                           "Bamako, 9 Nov - 31 Dec 2015)",
    "spectaculars_2015": "AQ-camp spectacular attacks in 2015",
}
#: short names of the outcomes, for the legend and the findings' effect lines
SHORT = {"window_any": "P(an attack in the window)", "window_bamako": "P(an attack in Bamako in the window)",
         "window_bamako_hotel": "P(a Bamako hotel or restaurant in the window)",
         "spectaculars_2015": "attacks in 2015"}
COLOUR = {"baseline": "black", "H-global": "#2166ac", "H-local": "#b2182b", "assumption": "#888888"}


def outcomes_per_run(attacks: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run (its condition, seed and any other column of ``runs``) with the three outcomes: a
    spectacular AQ-camp attack in the window (0 or 1), one in Bamako in the window (0 or 1), and the AQ-camp
    spectacular attacks of 2015."""
    out = runs.copy()
    s = attacks[attacks["spectacular"].astype(bool) & (attacks["camp"] == "AQ")] if len(attacks) else attacks
    if len(s):
        date = pd.to_datetime(s["date"])
        in_window = (date >= pd.Timestamp(WINDOW[0])) & (date <= pd.Timestamp(WINDOW[1]))
        window = s[in_window]
        any_run = set(window["run"])
        bamako_run = set(window.loc[window["region"] == "bamako", "run"])
        if {"target_kind", "city"} <= set(window.columns):  # the target layer's site kind and city (issue 18)
            hotel = window["target_kind"].isin(["hotel", "venue", "restaurant"]) & (window["city"] == "bamako")
            hotel_run = set(window.loc[hotel, "run"])
        else:
            hotel_run = set()
        count_2015 = s[date.dt.year == 2015].groupby("run").size()
    else:
        any_run, bamako_run, hotel_run, count_2015 = set(), set(), set(), pd.Series(dtype=float)
    out["window_any"] = out["run"].isin(any_run).astype(float)
    out["window_bamako"] = out["run"].isin(bamako_run).astype(float)
    out["window_bamako_hotel"] = out["run"].isin(hotel_run).astype(float)
    out["spectaculars_2015"] = out["run"].map(count_2015).fillna(0.0)
    return out


def paired_effects(per_run_outcomes: pd.DataFrame, rng: np.random.Generator, by: list[str] | None = None
                   ) -> pd.DataFrame:
    """Each condition against the history, seed for seed: the mean of the paired differences (condition minus
    history) with a percentile-bootstrap interval over seeds and its bootstrap p-value; within each group of the
    columns ``by`` (e.g. the weights of a robustness sweep), whose values are columns of the result. The whole
    table is one family of tests: ``p_holm`` is its Holm-adjusted p-value."""
    rows = []
    by = by or []
    groups = per_run_outcomes.groupby(by) if by else [((), per_run_outcomes)]
    for values, group in groups:
        fixed = dict(zip(by, values if isinstance(values, tuple) else (values,), strict=True))
        base = group[group[CF] == "none"].set_index("seed")
        for cond in CONDITIONS:
            if cond == "none":
                continue
            other = group[group[CF] == cond].set_index("seed")
            seeds = base.index.intersection(other.index)
            for key in (k for k in OUTCOMES if k in group.columns):  # an outcome a table lacks is left out
                diff = (other.loc[seeds, key] - base.loc[seeds, key]).to_numpy()
                mean, lo, hi, p = mean_ci_p(diff, rng)
                rows.append({**fixed, "condition": cond, "label": CONDITIONS[cond][0], "removes": CONDITIONS[cond][1],
                             "outcome": key, "effect": mean, "ci_low": lo, "ci_high": hi, "paired_runs": len(seeds),
                             "detectable": bool(np.isfinite(lo) and not (lo <= 0 <= hi)), "p_value": p})
    table = pd.DataFrame(rows)
    if len(table):  # one family: every paired effect of the table (a condition without runs has no test)
        table[f"p_{CORRECTION}"] = adjusted_p_values(table["p_value"])
        table[f"detectable_{CORRECTION}"] = table[f"p_{CORRECTION}"] < 0.05
    return table


def analyse(ctx) -> None:
    rng = np.random.default_rng(20151120)
    runs = per_run(ctx.metrics, "weeks", [CF])
    attacks = ctx.read_tables("attacks", ["date", "camp", "spectacular", "region", "target_kind", "city"])
    per = outcomes_per_run(attacks, runs[["run", "seed", CF]])
    save_table(per, ctx.out_dir, "radisson_window_runs")

    rows = []
    for cond, (label, removes) in CONDITIONS.items():
        sel = per[per[CF] == cond]
        for key in OUTCOMES:
            mean, lo, hi = mean_ci(sel[key].to_numpy(), rng)
            rows.append({"condition": cond, "label": label, "removes": removes, "outcome": key, "mean": mean,
                         "ci_low": lo, "ci_high": hi, "runs": len(sel)})
    conditions = pd.DataFrame(rows)
    save_table(conditions, ctx.out_dir, "radisson_window_conditions")
    effects = paired_effects(per, rng)
    save_table(effects, ctx.out_dir, "radisson_window_effects")

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(14, 5.2), gridspec_kw={"wspace": 0.1})
    order = list(CONDITIONS)
    y = np.arange(len(order))[::-1]
    for key, (marker, shift, fill) in {"window_any": ("o", 0.12, "full"),
                                       "window_bamako": ("s", -0.12, "none")}.items():
        t = conditions[conditions["outcome"] == key].set_index("condition").loc[order]
        for yi, cond in zip(y, order, strict=True):
            r = t.loc[cond]
            ax.errorbar(r["mean"], yi + shift, xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]],
                        fmt=marker, color=COLOUR[CONDITIONS[cond][1]], fillstyle=fill, capsize=3)
        ax.plot([], [], marker, color="black", fillstyle=fill, label=SHORT[key])
    base = conditions[(conditions["outcome"] == "window_any") & (conditions["condition"] == "none")]["mean"].iloc[0]
    ax.axvline(base, color="black", lw=0.6, ls=":")
    ax.set_yticks(y, [f"{CONDITIONS[c][0]}  [{CONDITIONS[c][1]}]" for c in order])
    ax.set_xlim(left=0)
    ax.set_xlabel("probability over seeds (95% bootstrap interval)")
    ax.set_title("A spectacular AQ-camp attack from the week of Paris to the end of 2015", fontsize=10)
    ax.legend(fontsize=8, loc="best")

    t = effects[effects["outcome"] == "window_any"].set_index("condition").loc[order[1:]]
    for yi, cond in zip(y[1:], order[1:], strict=True):
        r = t.loc[cond]
        bx.errorbar(r["effect"], yi, xerr=[[r["effect"] - r["ci_low"]], [r["ci_high"] - r["effect"]]], fmt="o",
                    color=COLOUR[CONDITIONS[cond][1]], capsize=3)
    bx.axvline(0, color="black", lw=0.8)
    bx.set_ylim(ax.get_ylim())
    bx.set_yticks(y, [""] * len(y))
    bx.set_xlabel("removal minus history, same seeds (95% bootstrap interval)")
    bx.set_title("Each driver's part in that probability", fontsize=10)
    for name, colour in COLOUR.items():
        if name != "baseline":
            bx.plot([], [], "o", color=colour, label=name)
    bx.legend(fontsize=8, loc="best")
    fig.suptitle(ctx.config.title, fontsize=11)
    save_figure(fig, ctx.out_dir, "radisson_window", ctx.footer())

    n = int(conditions["runs"].min())
    lines = [f"# {ctx.config.title}", "", *parameter_note(ctx), f"Question: {ctx.config.question}", "",
             f"Design: the 2012-2015 history under {len(CONDITIONS)} conditions (`{CF}=...`: one driver removed at a "
             f"time), {n} seeds each, the same seeds in every condition; window {WINDOW[0]} to {WINDOW[1]} (the week "
             f"of the Paris attacks to the end of 2015); scale={ctx.scale}. Effects are means of paired differences "
             "(condition minus history, seed for seed) with percentile-bootstrap intervals over seeds.", ""]
    hist = conditions[conditions["condition"] == "none"].set_index("outcome")
    lines.append("History (every driver): " + "; ".join(
        f"{OUTCOMES[k]} {fmt(hist.loc[k, 'mean'], hist.loc[k, 'ci_low'], hist.loc[k, 'ci_high'], 3)}"
        for k in OUTCOMES) + ".")
    lines.append("")
    for cond in order[1:]:
        e = effects[effects["condition"] == cond].set_index("outcome")
        parts = [f"{SHORT[k]}: {fmt(e.loc[k, 'effect'], e.loc[k, 'ci_low'], e.loc[k, 'ci_high'], 3)}"
                 f"{'' if e.loc[k, 'detectable'] else ' (not detectable)'}"
                 + (f" (Holm-adjusted p = {e.loc[k, f'p_{CORRECTION}']:.3f})"
                    if np.isfinite(e.loc[k, f"p_{CORRECTION}"]) else "") for k in OUTCOMES]
        lines.append(f"* {CONDITIONS[cond][0]} [{CONDITIONS[cond][1]}]: " + "; ".join(parts) + ".")
    lines += ["", correction_note("the paired effects (every removal on every outcome, radisson_window_effects.csv)",
                                  int(len(effects)))]
    lines += ["", "Since issue 18 the hotels and venues are not given: the map's targets are the target layer's sites "
              "(docs/targets.md), of which the Bamako hotel of the question is any hotel, restaurant or bar "
              "frequented by foreigners in Bamako, and the peace meetings rotate among the capital's meeting hosts at "
              "a generic rate. Results computed before then (the given venues, meetings every eight weeks at one "
              "hotel) are those of `scenario=given_venues`.",
              "", "A driver whose removal lowers the probability is one the window's attacks depended on in the model; "
              "one whose removal raises it held them back. The restraint is a calibrated assumption, not one of the "
              "hypotheses under test (docs/validation.md, P9).", "",
              f"Rebuild: `{ctx.rebuild()}`."]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
