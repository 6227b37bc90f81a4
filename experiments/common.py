"""Shared pieces of the experiments' analyses: per-run metrics, intervals, figure style and provenance."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

#: grey-scale-safe styles for the two camps (colour, marker, line style)
CAMP_STYLE = {"AQ": dict(color="#b2182b", marker="o", ls="-"), "IS": dict(color="#252525", marker="s", ls="--")}
WEEKS_PER_YEAR = 365.25 / 7
#: the fewest runs (per cell or arm) an interval is given from: a percentile bootstrap over fewer values (or a
#: 5-95% band over fewer seeds) is the spread of a handful of numbers, not an estimate; below it the tables hold
#: NaN bounds and the findings say "no interval". Smoke scales (2-3 seeds) therefore give none.
MIN_REPLICATES = 5
#: the years of the record's spectacular attacks (La Terrasse, Sévaré, Radisson Blu, Ouagadougou, Gao; pattern P9)
LATE = (2015, 2017)


def per_run(metrics: pd.DataFrame, metric: str, params: list[str]) -> pd.DataFrame:
    """One row per run: its parameters, seed and the value of ``metric`` (0 where the run never produced it)."""
    runs = metrics[["run", "seed", *params]].drop_duplicates("run")
    values = metrics.loc[metrics["metric"] == metric, ["run", "value"]]
    out = runs.merge(values, on="run", how="left")
    return out.fillna({"value": 0.0})


def late_aq_spectaculars(ctx, params: list[str]) -> pd.DataFrame:
    """One row per run: its ``params`` and its AQ-camp spectacular attacks per year in :data:`LATE` (column ``y``),
    the years the claim under test is about (the record's spectacular attacks all fall there; docs/validation.md,
    P9)."""
    from sahel_sim.analysis.validation import aq_spectaculars

    attacks = ctx.read_tables("attacks", ["date", "camp", "spectacular"])
    counts = aq_spectaculars(attacks, LATE) if len(attacks) else pd.Series(dtype=float)
    runs = per_run(ctx.metrics, "weeks", params)
    runs["y"] = runs["run"].map(counts).fillna(0.0) / (LATE[1] - LATE[0] + 1)
    return runs


def years(metrics: pd.DataFrame) -> pd.Series:
    """Simulated years of each run (from its weeks)."""
    weeks = metrics.loc[metrics["metric"] == "weeks", ["run", "value"]].set_index("run")["value"]
    return weeks / WEEKS_PER_YEAR


def enough_for_interval(n: int) -> bool:
    """Whether ``n`` runs (per cell, per arm) are enough to give an interval: at least :data:`MIN_REPLICATES`."""
    return n >= MIN_REPLICATES


def seed_band(table: pd.DataFrame) -> pd.DataFrame:
    """Median and 5-95% band over seeds (the columns of ``table``) per row; no band (NaN) from fewer than
    :data:`MIN_REPLICATES` seeds."""
    enough = enough_for_interval(table.shape[1])
    nan = pd.Series(np.nan, index=table.index)
    return pd.DataFrame({"median": table.median(axis=1), "q05": table.quantile(0.05, axis=1) if enough else nan,
                         "q95": table.quantile(0.95, axis=1) if enough else nan})


def mean_ci(values: np.ndarray, rng: np.random.Generator, n_boot: int = 2000, level: float = 0.95
            ) -> tuple[float, float, float]:
    """Mean and percentile-bootstrap interval of the mean; no interval (NaN bounds) from fewer than
    :data:`MIN_REPLICATES` values."""
    return mean_ci_p(values, rng, n_boot, level)[:3]


def mean_ci_p(values: np.ndarray, rng: np.random.Generator, n_boot: int = 2000, level: float = 0.95
              ) -> tuple[float, float, float, float]:
    """:func:`mean_ci` and the bootstrap p-value of the mean being zero (:func:`bootstrap_p_value`), from the same
    bootstrap draws; NaN bounds and p-value from fewer than :data:`MIN_REPLICATES` values."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return float("nan"), float("nan"), float("nan"), float("nan")
    if not enough_for_interval(len(values)):
        return float(values.mean()), float("nan"), float("nan"), float("nan")
    boots = rng.choice(values, size=(n_boot, len(values)), replace=True).mean(axis=1)
    lo, hi = np.quantile(boots, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(values.mean()), float(lo), float(hi), bootstrap_p_value(boots)


def save_figure(fig, out_dir: Path, name: str, footer: str) -> list[Path]:
    """Write a figure as PNG and PDF with its provenance footer; a smoke-scale footer (led by
    :data:`~sahel_sim.analysis.experiment.SMOKE_MARK`) also marks the figure's title."""
    from sahel_sim.analysis.experiment import SMOKE_MARK

    if footer.lower().startswith(SMOKE_MARK):
        title = fig._suptitle.get_text() if fig._suptitle is not None else ""
        fig.suptitle(f"{SMOKE_MARK.upper()}" + (f"\n{title}" if title else ""), color="#b2182b",
                     fontweight="bold")
    # wrapped to the figure's width (about 1.6 characters a point of width at 7 points), so that a long rebuild
    # command (a posterior's path) does not widen the saved figure
    import textwrap

    width = max(60, int(fig.get_figwidth() * 72 / 4.2))
    fig.text(0.01, 0.005, "\n".join(textwrap.wrap(footer, width)), fontsize=7, va="top",
             color="#b2182b" if footer.lower().startswith(SMOKE_MARK) else "#444444")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.png", out_dir / f"{name}.pdf"]
    fig.savefig(paths[0], dpi=130, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight")
    plt.close(fig)
    return paths


def save_table(table: pd.DataFrame, out_dir: Path, name: str) -> Path:
    """The tidy table behind a figure, as CSV (readable anywhere) and Parquet."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table.to_csv(out_dir / f"{name}.csv", index=False)
    table.to_parquet(out_dir / f"{name}.parquet", index=False)
    return out_dir / f"{name}.csv"


def fmt(mean: float, lo: float, hi: float, digits: int = 2) -> str:
    """A mean with its 95% interval, or with "no interval" when there were too few runs for one."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return f"{mean:.{digits}f} (no interval: fewer than {MIN_REPLICATES} runs)"
    return f"{mean:.{digits}f} (95% CI {lo:.{digits}f} to {hi:.{digits}f})"


def parameter_note(ctx) -> list[str]:
    """The findings' statement, at their top, of where the runs' parameters come from: draws from a posterior
    (which file, its hash, which world, how many draws; the intervals then combine parameter and simulation
    uncertainty), or a named point (the intervals then carry Monte Carlo error only)."""
    from sahel_sim.analysis.inference.propagation import read_sidecar

    drawn = read_sidecar(ctx.out_dir)
    if drawn is None:
        return ["**Parameters: a named point.** Every run uses the configured values (the calibrated default of "
                "`configs/` and this experiment's settings): the intervals below carry Monte Carlo error only (the "
                "spread over seeds) at that one parameter point, not parameter uncertainty. "
                "`experiment.posterior=PATH/posterior.parquet` draws each replicate's parameters from an "
                "inference's posterior instead (docs/inference.md).", ""]
    left = (f" Left at the experiment's own settings: {', '.join(f'`{n}`' for n in drawn['excluded'])}."
            if drawn["excluded"] else "")
    switches = (f" The world's switches: {', '.join(f'`{s}`' for s in drawn['world_switches'])}."
                if drawn["world_switches"] else "")
    overridden = drawn.get("world_switches_set_by_experiment") or []
    if overridden:
        switches += (f" The world's switches the experiment sets itself (its own values win): "
                     f"{', '.join(f'`{s}`' for s in overridden)}.")
    return [f"**Parameters: drawn from a posterior.** `{Path(drawn['posterior']).name}` (SHA-256 "
            f"`{drawn['sha256']}`), world `{drawn['world']}` ({drawn['particles']} particles): "
            f"{drawn['draws']} draws by weight, one per replicate with its own seed, the same draw in every "
            f"condition (`posterior_draws.csv`). The intervals below combine parameter and simulation uncertainty. "
            f"Drawn: {', '.join(f'`{n}`' for n in drawn['drawn'])}.{left}{switches}", ""]


def bootstrap_p_value(boots: np.ndarray) -> float:
    """Two-sided bootstrap p-value of an effect being zero from its bootstrap replicates: twice the smaller share
    on either side of zero (at least one replicate's worth, at most 1); NaN without replicates."""
    boots = np.asarray(boots, dtype=float)
    boots = boots[np.isfinite(boots)]
    if len(boots) == 0:
        return float("nan")
    tail = min(np.mean(boots <= 0), np.mean(boots >= 0))
    return float(min(1.0, 2 * max(tail, 1.0 / len(boots))))


#: the correction the experiments apply to a table of many effects: Holm's step-down (family-wise error rate;
#: Holm 1979, Scand. J. Statist. 6), via statsmodels
CORRECTION = "holm"


def adjusted_p_values(p_values, method: str = CORRECTION) -> np.ndarray:
    """Multiple-comparison adjusted p-values of a family of tests (statsmodels' ``multipletests``: ``holm`` or
    ``fdr_bh`` for Benjamini-Hochberg); a NaN p-value (no test) stays NaN and is not counted in the family."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=method)[1]
    return out


def correction_note(family: str, n: int, method: str = CORRECTION, alpha: float = 0.05) -> str:
    """The findings' statement of the multiple-comparison correction of a table of ``n`` effects."""
    name = {"holm": "Holm's step-down correction (family-wise error rate)",
            "fdr_bh": "the Benjamini-Hochberg correction (false discovery rate)"}[method]
    return (f"**Multiple comparisons:** the {n} effects of {family} form one family of tests, corrected with {name}: "
            "column "
            f"`p_{method}` beside the bootstrap p-value `p_value`; an effect is `detectable_{method}` when its "
            f"adjusted p-value is below {alpha}. The 95% intervals themselves are not adjusted; read a single "
            "effect's interval on its own, and a claim about any of the family from the adjusted column.")


def summaries_per_run(ctx) -> pd.DataFrame:
    """The inference's summaries (:mod:`sahel_sim.analysis.inference.summaries`) of every finished run, long
    (``run``, ``design.row``, ``metric``, ``value``; ``design.row`` is -1 for a run without a design row),
    computed from each run's tables exactly as the inference computes them."""
    from sahel_sim.analysis.inference.summaries import run_summaries

    runs = ctx.runs[ctx.runs["status"] == "complete"]
    rows = runs["design.row"] if "design.row" in runs else pd.Series(-1, index=runs.index)
    frames = []
    for run, row in zip(runs["run"], rows, strict=True):
        tables = {t: pd.read_parquet(ctx.sweep_dir / run / f"{t}.parquet") for t in ("world", "attacks", "events")}
        s = run_summaries(tables["world"], tables["attacks"], tables["events"])
        frames.append(pd.DataFrame({"run": run, "design.row": int(row), "metric": s.index, "value": s.to_numpy()}))
    return pd.concat(frames, ignore_index=True)

