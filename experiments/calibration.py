"""Calibration: rejection ABC of the free parameters against the record up to 2016 (sahel_sim.analysis.calibration)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.common import MIN_REPLICATES, enough_for_interval, save_figure, save_table
from sahel_sim.analysis import calibration as C
from sahel_sim.analysis import validation as V
from sahel_sim.analysis.experiment import design_sweep

#: the confirmation stage's seeds are replicates from here on (the screening uses 0, 1, ...): never the same seeds
CONFIRM_FIRST_REPLICATE = 1000


def _default_config():
    """The composed default config (inside the ``sahel-sim`` command Hydra is already initialised: compose there)."""
    from hydra.core.global_hydra import GlobalHydra

    from sahel_sim.analysis.schema import load_config, to_sim_config

    if GlobalHydra.instance().is_initialized():
        from hydra import compose

        return to_sim_config(compose(config_name="config"))
    return load_config()


def _default(config, dotted: str) -> float:
    """The current value of a parameter in the composed default config."""
    return float(_value(config, dotted))


def _value(config, dotted: str):
    node = config
    for part in dotted.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def _as_applied(config, dotted: str, value: float) -> float | int:
    """A design value as a run applies it: rounded to a whole number for an integer parameter (a faction's
    fighters), as :func:`sahel_sim.analysis.sensitivity.apply_design_row` does."""
    return int(round(value)) if isinstance(_value(config, dotted), int) else value


def _short(name: str) -> str:
    return name.removeprefix("mechanisms.")


def _spread(p: pd.Series, enough: bool, lead: str = "5-95% ") -> str:
    """The spread of the accepted rows for one parameter, or a dash when fewer rows were accepted than
    :data:`~experiments.common.MIN_REPLICATES` (no range from so few)."""
    return f"{lead}{p['posterior_q05']:.4g} to {p['posterior_q95']:.4g}" if enough else "-"


def _yaml_snippet(post: pd.DataFrame, chosen: pd.Series, how: str, ctx, enough: bool = True) -> list[str]:
    """The values to paste into configs/mechanisms/default.yaml, nested by mechanism, with their provenance."""
    lines = ["```yaml",
             f"# calibrated by `sahel-sim experiment={ctx.name} scale={ctx.scale}` (rejection ABC, record up to "
             f"{C.CUTOFF}): row {int(chosen['row'])} of {int(post['n_rows'].iloc[0])}, {how};",
             "# see experiments/gallery/calibration.md and docs/validation.md (\"Calibration procedure\")"]
    tree: dict = {}
    for _, p in post.iterrows():
        parts = _short(p["parameter"]).split(".")
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        spread = f" ({_spread(p, enough)})" if enough else ""
        node[parts[-1]] = (f"{p['chosen_value']:.4g}   # posterior median {p['posterior_median']:.4g}{spread}; "
                           f"prior [{p['prior_low']:g}, {p['prior_high']:g}]")

    def emit(node: dict, depth: int) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                lines.append(f"{'  ' * depth}{key}:")
                emit(value, depth + 1)
            else:
                lines.append(f"{'  ' * depth}{key}: {value}")

    emit(tree, 0)
    return [*lines, "```"]


def _confirm(ctx, rows: pd.DataFrame, design_file) -> pd.DataFrame | None:
    """Second stage: the accepted rows again, each with fresh seeds; their distance on those seeds.

    The best of many noisy distances is optimistic (the winner's curse): the row finally chosen is the accepted
    row closest to the record on seeds it was not selected on."""
    n = ctx.config.scales[ctx.scale].confirm_replicates
    if n <= 0:
        return None
    accepted = rows.loc[rows["accepted"], "row"].astype(int).tolist()
    first = CONFIRM_FIRST_REPLICATE
    cctx = design_sweep(ctx, design_file, accepted, range(first, first + n), ctx.out_dir / "confirm")
    tables = {name: cctx.read_tables(name, cols) for name, cols in V.COLUMNS.items()}
    per_run = C.run_statistics(tables)
    complete = cctx.runs[cctx.runs["status"] == "complete"].set_index("run")
    stats = C.row_statistics(per_run, complete["design.row"].astype(int))
    out = stats.join(C.distance(stats)).reset_index()
    out = out.merge(rows[["row", "distance", *ctx.config.design]].rename(columns={"distance": "screen_distance"}),
                    on="row")
    return out.sort_values("distance", kind="stable").reset_index(drop=True)


def analyse(ctx) -> None:
    exp = ctx.config
    bounds = {k: (float(v[0]), float(v[1])) for k, v in exp.design.items()}
    params = list(bounds)
    design = pd.read_csv(ctx.sweep_dir.parent / "design.csv")

    tables = {name: ctx.read_tables(name, cols) for name, cols in V.COLUMNS.items()}
    per_run = C.run_statistics(tables)
    complete = ctx.runs[ctx.runs["status"] == "complete"].set_index("run")
    stats = C.row_statistics(per_run, complete["design.row"].astype(int))
    dist = C.distance(stats)
    rows = design.set_index("row").join(stats, how="inner").join(dist)
    rows["accepted"] = C.accept(rows["distance"])
    n_accepted = int(rows["accepted"].sum())
    enough = enough_for_interval(n_accepted)  # a range over fewer accepted rows than the minimum is not shown
    rows["rank"] = rows["distance"].rank(method="first").astype(int)
    rows = rows.reset_index()
    save_table(rows, ctx.out_dir, "calibration_rows")

    confirm = _confirm(ctx, rows, ctx.sweep_dir.parent / "design.csv")
    best = rows.loc[rows["distance"].idxmin()]
    if confirm is not None:
        save_table(confirm, ctx.out_dir, "calibration_confirm")
        chosen = rows.set_index("row").loc[int(confirm["row"].iloc[0])].copy()
        chosen["row"] = int(confirm["row"].iloc[0])
        chosen_stats = confirm.iloc[0]
        n_confirm = int(confirm["n_runs"].max())
        how = (f"the closest of the {len(confirm)} accepted rows on {n_confirm} fresh seeds (distance "
               f"{chosen_stats['distance']:.2f}; {chosen['distance']:.2f} at screening)")
    else:
        chosen, chosen_stats, n_confirm = best, best, 0
        how = f"the best row at screening (distance {best['distance']:.2f})"

    post = C.posterior(rows, bounds)
    default_config = _default_config()
    post.insert(3, "current_default", [_default(default_config, p) for p in params])
    post["chosen_row"] = int(chosen["row"])
    post["chosen_value"] = [_as_applied(default_config, p, float(chosen[p])) for p in params]
    save_table(post, ctx.out_dir, "posterior")

    record = C.record_statistics()
    term_list = C.terms()
    fit = pd.DataFrame([{"statistic": t.statistic, "pattern": t.pattern, "term": t.name,
                         "description": C.STATISTICS[t.statistic],
                         "target": ("record " if t.kind in ("log", "abs") else ">= " if t.kind == "min" else "<= ")
                         + f"{t.target:.3g}", "target_value": t.target, "best_row": float(best[t.statistic]),
                         "chosen_row_fresh_seeds": float(chosen_stats[t.statistic]),
                         "chosen_term": float(chosen_stats[f"d_{t.name}"]),
                         "all_rows_median": float(rows[t.statistic].median()),
                         "accepted_median": float(rows.loc[rows["accepted"], t.statistic].median()),
                         "best_term": float(best[f"d_{t.name}"]), "comparison": t.description}
                        for t in term_list])
    save_table(fit, ctx.out_dir, "calibration_fit")

    # the figure: distance against each parameter, accepted rows highlighted; last panel: the chosen row's terms
    n = len(params)
    ncols = 3
    nrows = int(np.ceil((n + 1) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 4.2 * nrows))
    axes = np.atleast_1d(axes).ravel()
    acc = rows[rows["accepted"]]
    rej = rows[~rows["accepted"]]
    log_y = bool((rows["distance"] > 0).all() and rows["distance"].max() / rows["distance"].min() > 20)
    for ax, p in zip(axes, params, strict=False):
        lo, hi = bounds[p]
        pr = post.set_index("parameter").loc[p]
        ax.axvspan(lo, hi, color="#eeeeee", lw=0, label="prior range", zorder=0)
        ax.scatter(rej[p], rej["distance"], s=18, facecolors="none", edgecolors="#888888", lw=0.8,
                   label=f"rejected rows ({len(rej)})", zorder=2)
        ax.scatter(acc[p], acc["distance"], s=28, color="black", marker="o",
                   label=f"accepted rows ({len(acc)})", zorder=3)
        ax.scatter([best[p]], [best["distance"]], s=220, facecolors="white", edgecolors="black", lw=1.2,
                   marker="*", label=f"best row at screening ({int(best['row'])})", zorder=4)
        if n_confirm:
            ax.scatter([chosen[p]], [chosen["distance"]], s=150, facecolors="none", edgecolors="black", lw=1.6,
                       marker="D", label=f"chosen on {n_confirm} fresh seeds ({int(chosen['row'])})", zorder=5)
        ax.axhline(acc["distance"].max(), color="black", lw=0.6, ls="-.", label="acceptance threshold")
        ax.axvline(pr["posterior_median"], color="black", ls="--", lw=1, label="posterior median")
        ax.axvline(pr["current_default"], color="#555555", ls=":", lw=1.2, label="current default")
        ax.set_xlim(lo - 0.04 * (hi - lo), hi + 0.04 * (hi - lo))
        if log_y:
            ax.set_yscale("log")
        ax.set_xlabel(_short(p))
        ax.set_ylabel("distance to the record (lower is closer)")
        ax.set_title(f"{_short(p)}: posterior median {pr['posterior_median']:.3g}"
                     + (f"\n(5-95% of accepted {pr['posterior_q05']:.3g} to {pr['posterior_q95']:.3g})" if enough
                        else f"\n(no range: {n_accepted} accepted rows)"), fontsize=9)
    axes[0].legend(fontsize=7, loc="best")

    ax = axes[n]
    y = np.arange(len(fit))
    ax.barh(y, fit["chosen_term"], color="#444444", height=0.6,
            label=f"chosen row {int(chosen['row'])}" + (f" ({n_confirm} fresh seeds)" if n_confirm else ""))
    med_terms = [float(rows[f"d_{t}"].median()) for t in fit["term"]]
    ax.scatter(med_terms, y, marker="|", s=120, color="black", label="median over all rows")
    ax.set_yticks(y, [f"{t} ({pat})" for t, pat in zip(fit["term"], fit["pattern"], strict=True)], fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("symlog", linthresh=0.1)
    ax.set_xlabel("term of the distance (1 = off by one tolerance)")
    ax.set_title("what the chosen row's distance is made of", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    for ax in axes[n + 1:]:
        ax.set_visible(False)
    fig.suptitle(f"{exp.title} ({len(rows)} design rows x {int(rows['n_runs'].max())} seed(s), scale={ctx.scale}; "
                 f"record up to {C.CUTOFF})", fontsize=11)
    fig.tight_layout(rect=(0, 0.03, 1, 0.96))
    save_figure(fig, ctx.out_dir, "calibration", ctx.footer())

    # findings
    n_runs = int(rows["n_runs"].sum())
    rebuild = f"Rebuild: `{ctx.rebuild()}`."
    lines = [f"# {exp.title}", "",
             f"Design: Latin hypercube of {len(rows)} rows over {n} parameters (priors: uniform over the ranges in "
             f"configs/experiment/{ctx.name}.yaml) x {int(rows['n_runs'].max())} seed(s) = {n_runs} runs, "
             f"scale={ctx.scale}, runs ending {C.CUTOFF}; the record is used only up to {C.CUTOFF}. "
             f"Rejection ABC: the {len(acc)} rows closest to the record (the closest {C.ACCEPT_FRACTION:.0%}, at "
             f"least {C.ACCEPT_MIN}) are the approximate posterior. Distance: sum of squared normalised "
             "discrepancies (sahel_sim/analysis/calibration.py; docs/validation.md, \"Calibration procedure\").", ""]
    if ctx.scale == "smoke":
        lines += ["**Smoke size: a check of the pipeline, not a calibration.** With so few rows every row may be "
                  "accepted; read the full-size run.", ""]
    lines += [f"Best row at screening: {int(best['row'])}, distance {best['distance']:.2f} (median over rows "
              f"{rows['distance'].median():.2f}; accepted up to {acc['distance'].max():.2f}).", ""]
    if confirm is not None:
        lines += [f"Confirmation: the {len(confirm)} accepted rows again, each with {n_confirm} fresh seeds "
                  f"(replicates {CONFIRM_FIRST_REPLICATE} on). Chosen: row {int(chosen['row'])}, {how}. "
                  "Distances on the fresh seeds, closest first:", "",
                  "| row | distance (fresh seeds) | distance (screening) |", "|---|---|---|",
                  *(f"| {int(r['row'])} | {r['distance']:.2f} | {r['screen_distance']:.2f} |"
                    for _, r in confirm.iterrows()), ""]
    lines += ["| parameter | prior | current default | chosen | best at screening | posterior median | "
              "5-95% of accepted |", "|---|---|---|---|---|---|---|"]
    for _, p in post.iterrows():
        lines.append(f"| {_short(p['parameter'])} | [{p['prior_low']:g}, {p['prior_high']:g}] | "
                     f"{p['current_default']:.4g} | {p['chosen_value']:.4g} | {p['best_value']:.4g} | "
                     f"{p['posterior_median']:.4g} | {_spread(p, enough, '')} |")
    lines += ["", ("The 5-95% range is the spread of the accepted rows (the approximate posterior), no interval of a "
                   "mean." if enough else f"No 5-95% range is given: {n_accepted} accepted rows are fewer than the "
                   f"minimum of {MIN_REPLICATES}."), "",
              "## Values for `configs/mechanisms/default.yaml` (and a faction's in `configs/factions/`)", "",
              "The chosen row is a point actually run and scored; the posterior medians are taken parameter by "
              "parameter and were never run together. The snippet uses the chosen row, with the posterior in the "
              "comment; the values are then validated on fresh seeds over 2012-2017 with "
              "`sahel-sim experiment=validation`.", "",
              *_yaml_snippet(post, chosen, how, ctx, enough), "",
              "## Fit against the record (2012-2016)", "",
              "| statistic | pattern | record / threshold | chosen row" + (", fresh seeds" if n_confirm else "")
              + " | best row at screening | median of accepted rows | median of all rows | term of the chosen row "
              "(1 = one tolerance off) |", "|---|---|---|---|---|---|---|---|"]
    for _, f in fit.iterrows():
        lines.append(f"| {f['description']} | {f['pattern']} | {f['target']} | {f['chosen_row_fresh_seeds']:.3g} | "
                     f"{f['best_row']:.3g} | {f['accepted_median']:.3g} | {f['all_rows_median']:.3g} | "
                     f"{f['chosen_term']:.2f} ({f['comparison']}) |")
    yearly = ", ".join(f"{y}: {record[f'deaths_{y}']:.0f}" for y in V.UCDP_YEARS)
    lines += ["", f"Record values: UCDP GED 20.1 yearly {yearly}; zero-death weeks {record['zero_week_share']:.2f}; "
              f"largest week {record['largest_week']:.0f}; MINUSMA deaths Jul 2013-Jun 2015 "
              f"{record['minusma_deaths']:.0f} (sahel_sim.analysis.validation).", "",
              "Tables: calibration_rows.csv (one row per design row: parameters, median statistics over its seeds, "
              "the distance's terms, distance, accepted), calibration_confirm.csv (the confirmation stage), "
              "posterior.csv, calibration_fit.csv.", "", rebuild]
    (ctx.out_dir / "findings.md").write_text("\n".join(lines) + "\n")
