"""Summaries of the in-sample record (2012-2016) and of runs, computed by the same functions (issue 19, item 1).

Every summary is a number per run (or per record) with a documented source, a scale (the difference that counts
as one unit of distance in a calibration) and a role: a **calibration** target, which inference may fit, or a
**held-out** pattern, which it must not see and which validation checks afterwards. The split is written here,
before any inference run, so that calibration and validation never use the same target (docs/inference.md).

The weekly battle-death series is UCDP GED 20.1's state-based deaths in Mali (``sahel_sim/data``, CC BY 4.0); the
model's counterpart is its ``state_based_deaths`` (forces killed, and jihadists killed by or fighting the forces).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..validation import (
    MINUSMA_DEATHS,
    MINUSMA_PERIOD,
    RECORD_SPECTACULARS,
    UCDP_YEARS,
    merger_weeks,
    record_weekly,
)

CALIBRATION = "calibration"
HELD_OUT = "held-out"
#: the role of the summaries added to the calibration targets in the **second set** (``SECOND_SET_NAMES``):
#: pre-registered on 2026-12-04 (session 10) *after* the first set's identification check showed the nine
#: calibration summaries identify little (docs/inference.md, "The second set of summaries"); a fit on the first set
#: never sees them, and for a fit on the second set they are targets, not validation
SECOND = "second set"
#: the role of the summaries added in the **third set** (``THIRD_SET_NAMES``): pre-registered on 2026-12-04
#: (session 11) *after* the channel comparison showed that neither earlier set tells the worlds with and without
#: the rivalry's action on attack choice apart (docs/inference.md, "The third set of summaries"); chosen from what
#: outbidding does in the model (attack choice answers the rival camp's moves), not from their values in any run
THIRD = "third set"
#: a year summary of an event that did not happen by the end of 2016 (the in-sample record's end): censored there
CENSORED_YEAR = 2017.0
#: weeks after a global IS shock in which an AQ-camp spectacular attack counts as following it: the length of the
#: Radisson Blu window (9 Nov-31 Dec 2015, 7.6 weeks), rounded up
SHOCK_WINDOW_DAYS = 56
#: days before and after the first pledge to IS over which AQ-camp spectacular attacks are compared
PLEDGE_WINDOW_DAYS = 364
#: the record's spectacular attacks in the map's region 2012-2016 and their camp (record README, timeline and
#: Figures: every one by AQ-camp groups)
RECORD_SPECTACULAR_DATES = ("2015-03-07", "2015-08-07", "2015-11-20", "2016-01-15")
#: the global IS shocks of the record (record README timeline; the scenario's global_shock events of camp IS)
RECORD_IS_SHOCKS = ("2015-11-13", "2016-03-22", "2016-07-14")
#: the record's first pledge to IS (Lebovich 2016: al-Sahrawi, ~13 May 2015)
RECORD_FIRST_IS_PLEDGE = "2015-05-13"


@dataclass(frozen=True)
class Summary:
    """One summary statistic: its name, what it measures, where the record's value comes from, the scale of one
    unit of distance, and its role (calibration target or held-out pattern)."""

    name: str
    description: str
    source: str
    scale: float
    role: str


def weekly_statistics(weekly: np.ndarray) -> dict[str, float]:
    """The texture of a weekly count series: total, share of weeks with none, variance-to-mean ratio (1 for a
    Poisson series; bursts make it large), largest week, and lag-1 autocorrelation (campaigns make it positive).

    >>> s = weekly_statistics(np.array([0, 0, 10, 0, 2]))
    >>> s["zero_share"], s["largest_week"]
    (0.6, 10.0)
    """
    w = np.asarray(weekly, dtype=float)
    mean = w.mean() if len(w) else float("nan")
    var = w.var(ddof=1) if len(w) > 1 else float("nan")
    varies = len(w) > 2 and w[:-1].std() > 0 and w[1:].std() > 0
    lag1 = float(np.corrcoef(w[:-1], w[1:])[0, 1]) if varies else 0.0
    return {"total": float(w.sum()), "zero_share": float((w == 0).mean()) if len(w) else float("nan"),
            "variance_to_mean": float(var / mean) if mean > 0 else float("nan"),
            "largest_week": float(w.max()) if len(w) else float("nan"), "lag1_autocorrelation": lag1}


#: the summaries, their sources, scales and roles (fixed 2026-12-04, before any inference run: issue 19)
SUMMARIES: tuple[Summary, ...] = (
    *(Summary(f"deaths_{y}", f"state-based battle deaths in {y}", "UCDP GED 20.1", 150.0, CALIBRATION)
      for y in UCDP_YEARS),
    Summary("weekly_zero_share", "share of weeks 2012-2016 without a battle death", "UCDP GED 20.1", 0.05,
            CALIBRATION),
    Summary("weekly_variance_to_mean", "variance-to-mean ratio of weekly battle deaths 2012-2016",
            "UCDP GED 20.1", 10.0, CALIBRATION),
    Summary("weekly_lag1_autocorrelation", "lag-1 autocorrelation of weekly battle deaths 2012-2016",
            "UCDP GED 20.1", 0.1, CALIBRATION),
    Summary("weekly_largest", "largest week of battle deaths 2012-2016", "UCDP GED 20.1", 50.0, HELD_OUT),
    Summary("minusma_deaths", "MINUSMA peacekeepers killed Jul 2013-Jun 2015", "DIIS 2015 (record README)", 20.0,
            CALIBRATION),
    *(Summary(f"spectaculars_{y}", f"spectacular attacks in the map's region in {y}",
              "record README timeline (P9)", 1.0, HELD_OUT) for y in sorted(RECORD_SPECTACULARS) if y <= 2016),
    Summary("al_mourabitoun_year", "year MUJAO and Belmokhtar's group are first in one group (NaN: never)",
            "Lebovich 2016 (22 Aug 2013)", 1.0, HELD_OUT),
    # the second set (SECOND): what the four worlds change, pre-registered 2026-12-04 before any run computed them
    Summary("spectaculars_aq_2015_2016", "spectacular attacks by AQ-camp groups in the map's region, 2015-2016",
            "record README timeline and Figures (La Terrasse, Sévaré, Radisson Blu, Ouagadougou: 4)", 1.0, SECOND),
    Summary("spectaculars_is_2015_2016", "spectacular attacks by IS-camp groups in the map's region, 2015-2016",
            "record README Figures (the IS-aligned splinter carried out none: 0)", 1.0, SECOND),
    Summary("first_spectacular", "decimal year of the first spectacular attack in the map's region in 2012-2016 "
            f"({CENSORED_YEAR:.0f}: none by the end of 2016)",
            "record README timeline (La Terrasse, Bamako, 7 Mar 2015; In Amenas and Arlit lie outside the map)",
            1.0, SECOND),
    Summary("first_is_pledge", f"decimal year of a group's first pledge to IS ({CENSORED_YEAR:.0f}: none by the end of "
            "2016)", "Lebovich 2016 (al-Sahrawi, ~13 May 2015)", 1.0, SECOND),
    Summary("al_mourabitoun_merger", "decimal year MUJAO and Belmokhtar's group are first in one group "
            f"({CENSORED_YEAR:.0f}: not by the end of 2016)", "Lebovich 2016 (22 Aug 2013)", 1.0, SECOND),
    # the third set (THIRD): what outbidding alone changes, pre-registered 2026-12-04 before any run computed them
    Summary("aq_spectaculars_after_is_shocks", "AQ-camp spectacular attacks in the map's region 2012-2016 within "
            f"{SHOCK_WINDOW_DAYS} days after a global IS shock (each attack counted once)",
            "record README timeline (Paris 13 Nov 2015 -> Radisson Blu 20 Nov 2015; none after Brussels or Nice: 1)",
            1.0, THIRD),
    Summary("aq_spectaculars_pledge_change", "AQ-camp spectacular attacks in the map's region in the "
            f"{PLEDGE_WINDOW_DAYS} days after the first pledge to IS minus those in the {PLEDGE_WINDOW_DAYS} days "
            "before it, within 2012-2016 (NaN: no pledge by the end of 2016)",
            "record README timeline (after 13 May 2015: Sevare, Radisson Blu, Ouagadougou; before: La Terrasse: "
            "3 - 1 = 2)", 1.0, THIRD),
)

#: held-out summaries that a second-set target contains or restates: for a fit that saw the target they are not
#: independent checks (the spectaculars of 2015 and 2016 sum to the two camps' counts; the merger's year is the
#: censored merger summary)
OVERLAPS: dict[str, tuple[str, ...]] = {
    "spectaculars_aq_2015_2016": ("spectaculars_2015", "spectaculars_2016"),
    "spectaculars_is_2015_2016": ("spectaculars_2015", "spectaculars_2016"),
    "al_mourabitoun_merger": ("al_mourabitoun_year",),
    "aq_spectaculars_after_is_shocks": ("spectaculars_2015", "spectaculars_2016"),
    "aq_spectaculars_pledge_change": ("spectaculars_2015", "spectaculars_2016"),
}

#: the second set of calibration summaries: the first set and the summaries of role SECOND
SECOND_SET_NAMES: tuple[str, ...] = tuple(s.name for s in SUMMARIES if s.role in (CALIBRATION, SECOND))
#: the third set of calibration summaries: the second set and the summaries of role THIRD
THIRD_SET_NAMES: tuple[str, ...] = tuple(s.name for s in SUMMARIES if s.role in (CALIBRATION, SECOND, THIRD))


def spectaculars_after_shocks(spectacular_dates: pd.Series, shock_dates: pd.Series) -> float:
    """How many of these spectacular attacks fall within :data:`SHOCK_WINDOW_DAYS` days after one of the shocks
    (on the day of a shock or up to the window's end; an attack after two shocks counts once).

    >>> spectaculars_after_shocks(pd.Series(pd.to_datetime(["2015-11-20", "2016-01-15"])),
    ...                           pd.Series(pd.to_datetime(["2015-11-13", "2016-03-22"])))
    1.0
    """
    if len(spectacular_dates) == 0 or len(shock_dates) == 0:
        return 0.0
    attacks = pd.to_datetime(spectacular_dates).to_numpy()[:, None]
    shocks = pd.to_datetime(shock_dates).to_numpy()[None, :]
    after = (attacks >= shocks) & (attacks <= shocks + np.timedelta64(SHOCK_WINDOW_DAYS, "D"))
    return float(after.any(axis=1).sum())


def pledge_change(spectacular_dates: pd.Series, pledge: pd.Timestamp | None) -> float:
    """Spectacular attacks in the :data:`PLEDGE_WINDOW_DAYS` days after ``pledge`` minus those in as many days
    before it (NaN without a pledge).

    >>> pledge_change(pd.Series(pd.to_datetime(["2015-03-07", "2015-08-07", "2015-11-20", "2016-01-15"])),
    ...               pd.Timestamp("2015-05-13"))
    2.0
    """
    if pledge is None or pd.isna(pledge):
        return float("nan")
    when = pd.to_datetime(spectacular_dates)
    window = pd.Timedelta(days=PLEDGE_WINDOW_DAYS)
    after = ((when > pledge) & (when <= pledge + window)).sum()
    before = ((when >= pledge - window) & (when < pledge)).sum()
    return float(after - before)

#: the record's value of each summary where it is a fact rather than a series
_RECORD_FACTS = {"minusma_deaths": float(MINUSMA_DEATHS), "al_mourabitoun_year": 2013.64,
                 **{f"spectaculars_{y}": float(n) for y, n in RECORD_SPECTACULARS.items() if y <= 2016},
                 "spectaculars_aq_2015_2016": float(RECORD_SPECTACULARS[2015] + RECORD_SPECTACULARS[2016]),
                 "spectaculars_is_2015_2016": 0.0, "al_mourabitoun_merger": 2013.64}


def decimal_year(when: pd.Timestamp | None) -> float:
    """A date as a decimal year (1 Jan = .0), censored at :data:`CENSORED_YEAR` when missing or later.

    >>> round(decimal_year(pd.Timestamp("2015-05-13")), 2), decimal_year(None)
    (2015.36, 2017.0)
    """
    if when is None or pd.isna(when):
        return CENSORED_YEAR
    return min(when.year + (when.day_of_year - 1) / 365.25, CENSORED_YEAR)


_RECORD_FACTS["first_spectacular"] = decimal_year(pd.Timestamp(min(RECORD_SPECTACULAR_DATES)))
_RECORD_FACTS["first_is_pledge"] = decimal_year(pd.Timestamp(RECORD_FIRST_IS_PLEDGE))
_RECORD_FACTS["aq_spectaculars_after_is_shocks"] = spectaculars_after_shocks(
    pd.Series(pd.to_datetime(RECORD_SPECTACULAR_DATES)), pd.Series(pd.to_datetime(RECORD_IS_SHOCKS)))
_RECORD_FACTS["aq_spectaculars_pledge_change"] = pledge_change(
    pd.Series(pd.to_datetime(RECORD_SPECTACULAR_DATES)), pd.Timestamp(RECORD_FIRST_IS_PLEDGE))


def record_summaries(years: tuple[int, ...] = UCDP_YEARS) -> pd.Series:
    """Every summary of the record, by name; the yearly and weekly ones over ``years`` (default: the in-sample
    2012-2016; a training window's fit passes fewer, see :func:`window_names`; a year outside them is NaN)."""
    rec = record_weekly()
    rec = rec[rec["year"].isin(years)]
    weekly = weekly_statistics(rec["battle_deaths"].to_numpy())
    out = {f"deaths_{y}": float(rec.loc[rec["year"] == y, "battle_deaths"].sum()) if y in years else float("nan")
           for y in UCDP_YEARS}
    out.update({"weekly_zero_share": weekly["zero_share"], "weekly_variance_to_mean": weekly["variance_to_mean"],
                "weekly_lag1_autocorrelation": weekly["lag1_autocorrelation"],
                "weekly_largest": weekly["largest_week"]})
    out.update(_RECORD_FACTS)
    return pd.Series(out)[[s.name for s in SUMMARIES]]


def run_summaries(world: pd.DataFrame, attacks: pd.DataFrame, events: pd.DataFrame,
                  years: tuple[int, ...] = UCDP_YEARS) -> pd.Series:
    """Every summary of one run, from its ``world``, ``attacks`` and ``events`` tables (as written by a run); the
    yearly and weekly ones over ``years``, as in :func:`record_summaries`."""
    in_years = world[world["date"].dt.year.isin(years)]
    weekly = weekly_statistics(in_years["state_based_deaths"].to_numpy())
    out = {f"deaths_{y}": float(in_years.loc[in_years["date"].dt.year == y, "state_based_deaths"].sum())
           if y in years else float("nan") for y in UCDP_YEARS}
    out.update({"weekly_zero_share": weekly["zero_share"], "weekly_variance_to_mean": weekly["variance_to_mean"],
                "weekly_lag1_autocorrelation": weekly["lag1_autocorrelation"],
                "weekly_largest": weekly["largest_week"]})
    lo, hi = (pd.Timestamp(d) for d in MINUSMA_PERIOD)
    out["minusma_deaths"] = float(world.loc[world["date"].between(lo, hi), "deaths_minusma"].sum())
    spectacular = attacks[attacks["spectacular"].astype(bool)] if len(attacks) else attacks
    for y in (y for y in sorted(RECORD_SPECTACULARS) if y <= 2016):
        out[f"spectaculars_{y}"] = float((spectacular["date"].dt.year == y).sum()) if len(spectacular) else 0.0
    ev = events.assign(run=0)
    when = merger_weeks(ev, ("mujao", "signers_in_blood"), runs=pd.Index([0])).iloc[0]
    out["al_mourabitoun_year"] = (when.year + (when.day_of_year - 1) / 365.25) if pd.notna(when) else float("nan")
    # the second set: perpetrators' camps, timing, pledges (by the end of 2016)
    late = spectacular[spectacular["date"].dt.year.between(2015, 2016)] if len(spectacular) else spectacular
    for camp in ("AQ", "IS"):
        out[f"spectaculars_{camp.lower()}_2015_2016"] = float((late["camp"] == camp).sum()) if len(late) else 0.0
    in_sample = spectacular[spectacular["date"].dt.year <= 2016] if len(spectacular) else spectacular
    out["first_spectacular"] = decimal_year(in_sample["date"].min() if len(in_sample) else None)
    pledges = events[(events["kind"] == "pledge") & (events["other"] == "IS")] if len(events) else events
    out["first_is_pledge"] = decimal_year(pledges["date"].min() if len(pledges) else None)
    out["al_mourabitoun_merger"] = decimal_year(when)
    # the third set: AQ-camp spectaculars after the rival camp's moves (global IS shocks, the first IS pledge)
    aq = in_sample[in_sample["camp"] == "AQ"]["date"] if len(in_sample) else pd.Series([], dtype="datetime64[ns]")
    shocks = (events[(events["kind"] == "global_shock") & (events["other"] == "IS")
                     & (pd.to_datetime(events["date"]).dt.year <= 2016)]["date"]
              if len(events) else pd.Series([], dtype="datetime64[ns]"))
    out["aq_spectaculars_after_is_shocks"] = spectaculars_after_shocks(aq, shocks)
    first = pledges["date"].min() if len(pledges) else None
    out["aq_spectaculars_pledge_change"] = pledge_change(aq, first if first is None or first.year <= 2016 else None)
    return pd.Series(out)[[s.name for s in SUMMARIES]]


def training_years(end_year: int) -> tuple[int, ...]:
    """The record's years a fit on 2012 to ``end_year`` sees; refused (naming the field and the allowed range)
    outside 2013-2016: a window needs two years for its weekly texture, and the in-sample record ends in 2016."""
    if not isinstance(end_year, int) or not UCDP_YEARS[1] <= end_year <= UCDP_YEARS[-1]:
        raise ValueError(f"train_end: {end_year!r}; allowed: a year from {UCDP_YEARS[1]} to {UCDP_YEARS[-1]} (the "
                         f"training window is {UCDP_YEARS[0]} to that year)")
    return tuple(y for y in UCDP_YEARS if y <= end_year)


def window_names(end_year: int = UCDP_YEARS[-1]) -> list[str]:
    """The calibration summaries a fit on the record's 2012 to ``end_year`` may see: the yearly deaths of those
    years, the weekly texture over them, and the MINUSMA losses only when the window holds their whole period (Jul
    2013 to Jun 2015): a fit on 2012-2014 does not see them, as they run into 2015. With the default end (2016),
    every calibration summary."""
    years = training_years(end_year)
    last = pd.Timestamp(f"{years[-1]}-12-31")
    names = []
    for s in SUMMARIES:
        if s.role != CALIBRATION:
            continue
        if s.name.startswith("deaths_") and int(s.name.split("_")[1]) not in years:
            continue
        if s.name == "minusma_deaths" and pd.Timestamp(MINUSMA_PERIOD[1]) > last:
            continue
        names.append(s.name)
    return names


#: the pre-registered sets of calibration summaries a fit can use: the first (the calibration role), the second
#: (:data:`SECOND_SET_NAMES`, pre-registered after the first's identification check) and the third
#: (:data:`THIRD_SET_NAMES`, after the channel comparison); docs/inference.md
SUMMARY_SETS: tuple[str, ...] = ("first", "second", "third")


def set_names(summary_set: str = "first", end_year: int = UCDP_YEARS[-1]) -> list[str]:
    """The summaries of a pre-registered set that a fit on the record's 2012 to ``end_year`` sees: for the first
    set, :func:`window_names`; for the second and third, :data:`SECOND_SET_NAMES` and :data:`THIRD_SET_NAMES`,
    which have a meaning for the whole in-sample record (2012-2016) only. Refuses (ValueError naming ``summaries``
    and what is allowed) an unknown set, a year outside 2013-2016, and a second or third set with a shorter window.

    >>> set_names("second") == list(SECOND_SET_NAMES), set_names("first", 2016) == window_names(2016)
    (True, True)
    """
    if summary_set not in SUMMARY_SETS:
        raise ValueError(f"summaries: {summary_set!r}; allowed: {', '.join(SUMMARY_SETS)}")
    if summary_set == "first":
        return window_names(end_year)
    years = training_years(end_year)
    if end_year != UCDP_YEARS[-1]:
        raise ValueError(f"summaries: {summary_set!r} with the {years[0]}-{end_year} window; allowed: 'first' (the "
                         f"{summary_set} set is of {UCDP_YEARS[0]}-{UCDP_YEARS[-1]} only: its spectaculars and "
                         "pledges fall in 2015-2016)")
    return list(SECOND_SET_NAMES if summary_set == "second" else THIRD_SET_NAMES)


def summary_table() -> pd.DataFrame:
    """The summaries as a documented table: name, description, source, record value, scale, role."""
    record = record_summaries()
    return pd.DataFrame([{"summary": s.name, "description": s.description, "source": s.source,
                          "record": float(record[s.name]), "scale": s.scale, "role": s.role} for s in SUMMARIES])


def distance(run: pd.Series, record: pd.Series, role: str = CALIBRATION) -> float:
    """Root mean square of the scaled differences over the summaries of one role (NaN summaries count as 3
    scales: an event the record has and the run never made)."""
    names = [s.name for s in SUMMARIES if s.role == role]
    scales = np.array([s.scale for s in SUMMARIES if s.role == role])
    diff = (run[names].to_numpy(float) - record[names].to_numpy(float)) / scales
    diff = np.where(np.isfinite(diff), diff, 3.0)
    return float(np.sqrt(np.mean(diff ** 2)))
