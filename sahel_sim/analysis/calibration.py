"""Calibration by rejection ABC: summary statistics of runs, their distance to the record, and the accepted rows.

Rejection approximate Bayesian computation (Pritchard et al. 1999; Beaumont et al. 2002; in agent-based modelling
Hartig et al. 2011, Ecology Letters 14): sample the free parameters from their priors (a Latin hypercube design,
``configs/experiment/calibration.yaml``), run each sample with a few seeds, reduce each run to summary statistics,
average them over the seeds of a sample, measure each sample's distance to the record's statistics, and keep the
closest fraction of samples as the approximate posterior. The experiment is ``experiments/calibration.py``; the
procedure is documented in ``docs/validation.md`` ("Calibration procedure").

**The record is used only up to 2016** (:data:`CUTOFF`): every table is cut at 31 Dec 2016 before a statistic is
computed, and the calibration runs stop there, so that the years after 2016 stay an out-of-sample test.

The statistics reuse the pattern checks' per-run helpers of :mod:`sahel_sim.analysis.validation`; the record's values
and the tolerances come from there too (:func:`~sahel_sim.analysis.validation.record_yearly`,
:func:`~sahel_sim.analysis.validation.record_weekly_statistics`, :data:`~sahel_sim.analysis.validation.MINUSMA_DEATHS`,
:data:`~sahel_sim.analysis.validation.TOL`), so the calibration aims at the same targets the validation checks.

The distance (:func:`distance`) is a sum of squared, normalised discrepancies, one term per :data:`TERMS` entry:

* ``log`` terms for death counts: ``(ln((model + 1) / (record + 1)) / ln(factor))**2``, where ``factor`` is the
  validation's tolerance factor for that count (3 for the yearly deaths, P6; 2 for the largest week, P7, and for
  MINUSMA's deaths, P3): a count off by the tolerance factor adds 1;
* ``abs`` terms for shares: ``((model - record) / tolerance)**2`` (the share of zero-death weeks, tolerance 0.15,
  P7);
* hinge terms for the qualitative patterns, zero when the pattern's threshold is met:
  ``(max(0, threshold - model) / scale)**2`` for a minimum (``min``), ``(max(0, model - threshold) / scale)**2``
  for a maximum (``max``): the 2012 peak of the north and the mid-2013 ratio (P1, scale 0.1), the shift south
  (P2, scale 0.05), pledges to IS and competing claims (P4, P5, scale 1), the tail exponent's range (P8, scale 0.5),
  the share of 2012-2016 spectacular attacks dated 2015-2016 (P9's tolerance on the calibration's years, scale
  0.1; added in the third round, session 4).

A statistic that a sample cannot produce (e.g. no 2015 attack, hence no shift south) adds :data:`MISSING_TERM`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import validation as V

#: the last date of the record the calibration may see
CUTOFF = "2016-12-31"
#: the term added for a statistic a sample cannot produce (as far off as twice a tolerance)
MISSING_TERM = 4.0
#: accept the closest ``ACCEPT_FRACTION`` of the design rows, at least ``ACCEPT_MIN`` (or all, if fewer)
ACCEPT_FRACTION = 0.1
ACCEPT_MIN = 5


@dataclass(frozen=True)
class Term:
    """One term of the distance: a statistic, how it is compared, its target and its scale."""

    statistic: str
    kind: str          # "log", "abs", "min" or "max"
    target: float
    scale: float
    pattern: str
    description: str

    @property
    def name(self) -> str:
        return f"{self.statistic}:{self.kind}" if self.kind in ("min", "max") else self.statistic

    def value(self, model: pd.Series | np.ndarray | float) -> np.ndarray:
        """The term for model values (vectorised); :data:`MISSING_TERM` where a value is missing."""
        m = np.asarray(model, dtype=float)
        if self.kind == "log":
            z = (np.log1p(np.clip(m, 0, None)) - math.log1p(self.target)) / math.log(self.scale)
        elif self.kind == "abs":
            z = (m - self.target) / self.scale
        elif self.kind == "min":
            z = np.maximum(0.0, self.target - m) / self.scale
        elif self.kind == "max":
            z = np.maximum(0.0, m - self.target) / self.scale
        else:
            raise ValueError(f"term kind {self.kind!r}; allowed: log, abs, min, max")
        return np.where(np.isfinite(m), z ** 2, MISSING_TERM)


#: the per-run summary statistics (columns of :func:`run_statistics`)
STATISTICS = {
    **{f"deaths_{y}": f"state-based battle deaths {y}" for y in V.UCDP_YEARS},
    "zero_week_share": "share of weeks 2012-2016 without a state-based death",
    "largest_week": "largest weekly state-based deaths 2012-2016",
    "minusma_deaths": "MINUSMA deaths Jul 2013-Jun 2015",
    "north_peak_2012": "2012 peak share of the north's people under jihadist dominance",
    "north_ratio_2013": "north share mid-2013 / 2012 peak",
    "south_shift": "centre+south share of attacks, 2015 minus 2013-14",
    "pledges_is": "small-group pledges to IS by end 2016",
    "competing_claims": "attacks with competing claims 2012-2016",
    "aq_spectaculars": "AQ-camp spectacular attacks 2015-2016",
    "late_spectacular_share": "share of 2012-2016 spectacular attacks dated 2015-2016",
    "tail_alpha": "tail exponent of deaths per attack",
}

#: the statistics compared with a number of the record (the others are compared with a pattern's threshold)
DEATH_STATISTICS = (*(f"deaths_{y}" for y in V.UCDP_YEARS), "zero_week_share", "largest_week", "minusma_deaths",
                    "aq_spectaculars")


def record_statistics() -> pd.Series:
    """The record's value of each numeric statistic (UCDP GED 20.1 2012-2016; MINUSMA Jul 2013-Jun 2015; AQ-camp
    spectacular attacks 2015-2016)."""
    yearly = V.record_yearly()
    zero, largest = V.record_weekly_statistics()
    values = {f"deaths_{y}": float(yearly.loc[y]) for y in V.UCDP_YEARS}
    values.update(zero_week_share=zero, largest_week=largest, minusma_deaths=float(V.MINUSMA_DEATHS),
                  aq_spectaculars=float(V.AQ_SPECTACULARS_2015_2016))
    return pd.Series(values)


def terms() -> list[Term]:
    """The distance's terms, built from the record and the validation's tolerances."""
    rec = record_statistics()
    T = V.TOL
    out = [Term(f"deaths_{y}", "log", rec[f"deaths_{y}"], T["P6_total_factor"], "P6",
                f"UCDP {y}, log-ratio / ln {T['P6_total_factor']:g}") for y in V.UCDP_YEARS]
    out += [
        Term("zero_week_share", "abs", rec["zero_week_share"], T["P7_zero_share_tol"], "P7",
             f"difference / {T['P7_zero_share_tol']:g}"),
        Term("largest_week", "log", rec["largest_week"], T["P7_max_factor"], "P7",
             f"log-ratio / ln {T['P7_max_factor']:g}"),
        Term("minusma_deaths", "log", rec["minusma_deaths"], T["P3_factor"], "P3",
             f"log-ratio / ln {T['P3_factor']:g}"),
        Term("aq_spectaculars", "log", rec["aq_spectaculars"], T["P6_total_factor"], "P4",
             f"log-ratio / ln {T['P6_total_factor']:g} (Sévaré, Bamako, Ouagadougou)"),
        Term("north_peak_2012", "min", T["P1_peak_min"], 0.1, "P1", f"hinge below {T['P1_peak_min']:g}, / 0.1"),
        Term("north_ratio_2013", "max", T["P1_reversal_max"], 0.1, "P1",
             f"hinge above {T['P1_reversal_max']:g}, / 0.1"),
        Term("south_shift", "min", T["P2_shift_min"], T["P2_shift_min"], "P2",
             f"hinge below {T['P2_shift_min']:g}, / {T['P2_shift_min']:g}"),
        Term("pledges_is", "min", T["P4_pledges_min"], 1.0, "P4", f"hinge below {T['P4_pledges_min']:g}, / 1"),
        Term("competing_claims", "min", T["P5_claims_min"], 1.0, "P5", f"hinge below {T['P5_claims_min']:g}, / 1"),
        Term("late_spectacular_share", "min", T["P9_late_share_min"], 0.1, "P9",
             f"hinge below {T['P9_late_share_min']:g}, / 0.1 (2012-2016: the record's four are in 2015-2016)"),
        Term("tail_alpha", "min", T["P8_alpha_range"][0], 0.5, "P8", f"hinge below {T['P8_alpha_range'][0]:g}, / 0.5"),
        Term("tail_alpha", "max", T["P8_alpha_range"][1], 0.5, "P8", f"hinge above {T['P8_alpha_range'][1]:g}, / 0.5"),
    ]
    return out


def up_to_cutoff(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a run table dated on or before :data:`CUTOFF`."""
    if table.empty or "date" not in table:
        return table
    return table[pd.to_datetime(table["date"]) <= pd.Timestamp(CUTOFF)]


def run_statistics(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per run (index ``run``), one column per :data:`STATISTICS` entry, from the run tables ``world``,
    ``attacks``, ``events`` and ``factions`` (columns in ``validation.COLUMNS``), each cut at :data:`CUTOFF`."""
    t = {name: up_to_cutoff(table) for name, table in tables.items()}
    world, attacks, events, factions = t["world"], t["attacks"], t["events"], t["factions"]
    runs = pd.Index(sorted(world["run"].unique()), name="run")
    out = pd.DataFrame(index=runs)
    yearly = V.yearly_deaths(world).fillna(0.0)
    for y in V.UCDP_YEARS:
        out[f"deaths_{y}"] = yearly.loc[y].reindex(runs)
    weekly = V.weekly_deaths(world).reindex(columns=runs)
    out["zero_week_share"] = (weekly == 0).mean()
    out["largest_week"] = weekly.max()
    out["minusma_deaths"] = V.minusma_deaths(world).reindex(runs)
    peak, _, ratio = V.north_statistics(world)
    out["north_peak_2012"] = peak.reindex(runs)
    out["north_ratio_2013"] = ratio.reindex(runs)
    out["south_shift"] = V.south_shift(attacks)[2].reindex(runs) if len(attacks) else np.nan
    out["pledges_is"] = V.small_pledges_to_is(events, factions, runs).reindex(runs, fill_value=0)
    out["competing_claims"] = (V.competing_claims(attacks).reindex(runs, fill_value=0) if len(attacks)
                               else 0)
    out["aq_spectaculars"] = (V.aq_spectaculars(attacks).reindex(runs, fill_value=0) if len(attacks) else 0)
    out["late_spectacular_share"] = (V.spectacular_timing(attacks, (2012, 2016), 2015)[1].reindex(runs)
                                     if len(attacks) else np.nan)
    out["tail_alpha"] = V.tail_exponents(attacks).reindex(runs) if len(attacks) else np.nan
    return out.astype(float)


def row_statistics(per_run: pd.DataFrame, rows: pd.Series) -> pd.DataFrame:
    """Median of each statistic over the runs (seeds) of each design row; ``rows`` maps run -> design row.

    The median, as in the validation checks (a pattern passes when the median run meets it): skewed statistics
    (the largest week, competing claims, spectacular attacks) have means well above their medians, and a row tuned
    on means would fail the checks it was tuned to. A statistic missing in some seeds is taken over the others;
    ``n_runs`` counts the seeds."""
    grouped = per_run.groupby(rows.reindex(per_run.index).rename("row"))
    out = grouped.median()
    out.insert(0, "n_runs", grouped.size())
    return out


def distance(stats: pd.DataFrame) -> pd.DataFrame:
    """Each term (column ``d_<term>``) and their sum ``distance`` for each row of ``stats`` (columns named as in
    :data:`STATISTICS`)."""
    out = pd.DataFrame(index=stats.index)
    for term in terms():
        out[f"d_{term.name}"] = term.value(stats[term.statistic]) if term.statistic in stats else MISSING_TERM
    out["distance"] = out.sum(axis=1)
    return out


def accept(dist: pd.Series, fraction: float = ACCEPT_FRACTION, minimum: int = ACCEPT_MIN) -> pd.Series:
    """True for the closest ``fraction`` of rows (at least ``minimum``, at most all): the approximate posterior."""
    n = min(len(dist), max(minimum, math.ceil(fraction * len(dist))))
    keep = dist.sort_values(kind="stable").index[:n]
    return pd.Series(dist.index.isin(keep), index=dist.index, name="accepted")


def posterior(rows: pd.DataFrame, bounds: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Per parameter: prior range, posterior median and 5-95% of the accepted rows, and the best row's value.
    ``rows``: one row per design row with the parameters, ``distance`` and ``accepted``."""
    acc = rows[rows["accepted"]]
    best = rows.loc[rows["distance"].idxmin()]
    return pd.DataFrame([{"parameter": p, "prior_low": lo, "prior_high": hi,
                          "posterior_median": float(acc[p].median()), "posterior_q05": float(acc[p].quantile(0.05)),
                          "posterior_q95": float(acc[p].quantile(0.95)), "best_row": int(best["row"]),
                          "best_value": float(best[p]), "n_accepted": int(len(acc)), "n_rows": int(len(rows))}
                         for p, (lo, hi) in bounds.items()])
