"""The pattern checks of sahel_sim.analysis.validation on small synthetic tables: one built to pass, one built to
fail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sahel_sim.analysis import validation as V

WEEKS = pd.date_range("2012-01-02", "2017-12-25", freq="7D")
RUNS = ["r0", "r1", "r2"]


def world(north=None, deaths=None, minusma=None) -> pd.DataFrame:
    """A weekly world table for each run; each argument maps a date to a value (or is a constant)."""
    frames = []
    for i, run in enumerate(RUNS):
        df = pd.DataFrame({"date": WEEKS, "run": run})
        for col, f in (("north_jihadist_share", north), ("state_based_deaths", deaths), ("deaths_minusma", minusma)):
            df[col] = [f(d, i) if callable(f) else (f or 0) for d in WEEKS]
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def attacks_table(rows_per_run) -> pd.DataFrame:
    """Attacks from a function run index -> list of dicts (missing columns get defaults)."""
    base = dict(lat=17.0, zone="north", camp="AQ", killed=1, spectacular=False, target="civilian", claimants="",
                competing_claims=False)
    rows = [{**base, **r, "run": run} for i, run in enumerate(RUNS) for r in rows_per_run(i)]
    df = pd.DataFrame(rows)
    df["date"] = pd.to_datetime(df["date"])
    return df


# P1 ---------------------------------------------------------------------------------------------------------------

def north_history(peak: float, after: float):
    return lambda d, i: peak if pd.Timestamp("2012-04-01") <= d < pd.Timestamp("2013-01-15") else after


def test_p1_passes_a_takeover_and_reversal():
    r = V.p1_north_takeover(world(north=north_history(0.8, 0.15)))
    assert r["pass"] and r["model_median"] == pytest.approx(0.15 / 0.8)


@pytest.mark.parametrize("peak, after", [(0.3, 0.05), (0.8, 0.7)])
def test_p1_fails_without_a_takeover_or_without_a_reversal(peak, after):
    assert not V.p1_north_takeover(world(north=north_history(peak, after)))["pass"]


# P2 ---------------------------------------------------------------------------------------------------------------

def spread(south_2015: int):
    def rows(i):
        out = [dict(date=f"{y}-06-0{k + 1}", zone="north", lat=17.0) for y in (2013, 2014) for k in range(5)]
        out += [dict(date=f"2015-06-0{k + 1}", zone="centre" if k < south_2015 else "north",
                     lat=14.5 if k < south_2015 else 17.0) for k in range(5)]
        return out
    return rows


def test_p2_passes_a_shift_south_and_fails_without_one():
    assert V.p2_spread_south(attacks_table(spread(2)))["pass"]
    assert not V.p2_spread_south(attacks_table(spread(0)))["pass"]


# P17 --------------------------------------------------------------------------------------------------------------

def centre_rows(centre_before: int, centre_after: int, killed_centre: int = 1):
    """Ten attacks in Mali a year in 2013-2016 (the first ``centre_*`` of them in the centre, killing
    ``killed_centre`` each, the others in the north killing 1) and two abroad, which the shares leave out."""
    def rows(i):
        out = []
        for y in (2013, 2014, 2015, 2016):
            n = centre_before if y < 2015 else centre_after
            out += [dict(date=f"{y}-03-{k + 1:02d}", zone="centre" if k < n else "north",
                         killed=killed_centre if k < n else 1) for k in range(10)]
            out += [dict(date=f"{y}-05-01", zone="abroad", killed=50)] * 2
        return out
    return rows


def test_p17_measures_the_centres_rise_in_attacks_and_deaths_from_2013_14_to_2015_16():
    table = attacks_table(centre_rows(1, 3, killed_centre=3))
    before, after, shift = V.centre_shift(table)
    assert before.tolist() == pytest.approx([0.1] * 3) and after.tolist() == pytest.approx([0.3] * 3)
    d_before, d_after, _ = V.centre_shift(table, "killed")
    assert d_before.iloc[0] == pytest.approx(3 / 12) and d_after.iloc[0] == pytest.approx(9 / 16)
    r = V.p17_centre_from_2015(table)
    assert r["pass"] and r["model_median"] == pytest.approx(0.2)
    assert "added after looking" in r["description"]


@pytest.mark.parametrize("before, after", [(2, 2), (3, 1), (0, 0)])
def test_p17_fails_when_the_centre_is_no_more_struck_in_2015_16_than_before(before, after):
    assert not V.p17_centre_from_2015(attacks_table(centre_rows(before, after)))["pass"]


# P3 ---------------------------------------------------------------------------------------------------------------

def minusma_weekly(total: float):
    weeks = ((WEEKS >= "2013-07-01") & (WEEKS <= "2015-06-30")).sum()
    return lambda d, i: total / weeks if pd.Timestamp("2013-07-01") <= d <= pd.Timestamp("2015-06-30") else 0.0


def minusma_attacks(minusma_share: int):
    return lambda i: ([dict(date="2014-03-03", target="minusma")] * minusma_share
                      + [dict(date="2014-03-03", target=t) for t in ("civilian", "army", "french", "hotel")])


def test_p3_passes_losses_near_the_record_with_minusma_most_targeted():
    r = V.p3_minusma_losses(world(minusma=minusma_weekly(60)), attacks_table(minusma_attacks(3)))
    assert r["pass"] and r["model_median"] == pytest.approx(60, rel=1e-6) and r["record_value"] == 56


@pytest.mark.parametrize("total, n_minusma", [(5, 3), (400, 3), (60, 0)])
def test_p3_fails_too_few_or_too_many_deaths_or_an_untargeted_minusma(total, n_minusma):
    assert not V.p3_minusma_losses(world(minusma=minusma_weekly(total)), attacks_table(minusma_attacks(n_minusma)))[
        "pass"]


# P4, P5 -----------------------------------------------------------------------------------------------------------

def p4_tables(pledge_fighters: int | None, spectacular_camp: str):
    events = pd.DataFrame([dict(run=run, date=pd.Timestamp("2015-05-11"), kind="pledge", faction="splinter",
                                other="IS") for run in RUNS if pledge_fighters is not None],
                          columns=["run", "date", "kind", "faction", "other"])
    factions = pd.DataFrame([dict(run=run, date=pd.Timestamp("2015-05-11"), faction="splinter", camp="IS",
                                  fighters=pledge_fighters or 0) for run in RUNS])
    attacks = attacks_table(lambda i: [dict(date="2015-11-20", spectacular=True, camp=spectacular_camp,
                                            target="hotel")])
    return events, factions, attacks


def test_p4_passes_small_pledges_and_aq_spectaculars():
    assert V.p4_pledges_and_spectaculars(*p4_tables(40, "AQ"))["pass"]


@pytest.mark.parametrize("fighters, camp", [(None, "AQ"), (2000, "AQ"), (40, "IS")])
def test_p4_fails_without_small_pledges_or_with_is_spectaculars(fighters, camp):
    assert not V.p4_pledges_and_spectaculars(*p4_tables(fighters, camp))["pass"]


def test_p5_competing_claims():
    yes = attacks_table(lambda i: [dict(date="2015-11-20", competing_claims=True)])
    no = attacks_table(lambda i: [dict(date="2015-11-20", competing_claims=False)])
    assert V.p5_competing_claims(yes)["pass"] and not V.p5_competing_claims(no)["pass"]


# P6, P7 -----------------------------------------------------------------------------------------------------------

def record_like_weekly(scale: float = 1.0, flat: bool = False):
    """Weekly deaths reproducing the UCDP record (or spread flat over every week when ``flat``)."""
    rec = V.record_weekly().set_index(["year", "week"])["battle_deaths"]
    yearly = V.record_yearly()

    def f(d, i):
        year, week = d.year, min(d.isocalendar().week, 52)
        if flat:
            return scale * yearly.get(year, 0) / 52
        return scale * rec.get((year, week), 0)
    return f


def test_p6_passes_the_record_itself_and_fails_a_flat_or_late_peak():
    assert V.p6_yearly_battle_deaths(world(deaths=record_like_weekly()))["pass"]
    late_peak = world(deaths=lambda d, i: 20.0 if d.year == 2016 else 2.0)
    r = V.p6_yearly_battle_deaths(late_peak)
    assert not r["pass"] and r["model_median"] > 1
    flat = world(deaths=lambda d, i: 5.0)
    assert not V.p6_yearly_battle_deaths(flat)["pass"]


def test_p6_fails_the_right_shape_at_ten_times_the_level():
    assert not V.p6_yearly_battle_deaths(world(deaths=record_like_weekly(scale=10)))["pass"]


def test_p7_passes_spiky_weeks_and_fails_deaths_every_week():
    assert V.p7_weekly_spikes(world(deaths=record_like_weekly()))["pass"]
    r = V.p7_weekly_spikes(world(deaths=record_like_weekly(flat=True)))
    assert not r["pass"] and r["model_median"] < 0.1


def test_p16_passes_the_record_itself_and_fails_steady_or_poisson_weeks():
    r = V.p16_weekly_bursts(world(deaths=record_like_weekly()))
    assert r["pass"] and r["model_median"] == pytest.approx(r["record_value"], rel=0.05)
    assert not V.p16_weekly_bursts(world(deaths=record_like_weekly(flat=True)))["pass"]
    rng = np.random.default_rng(0)
    poisson = rng.poisson(0.6, (len(RUNS), len(WEEKS)))  # the record's mean number of weeks with deaths, no bursts
    r = V.p16_weekly_bursts(world(deaths=lambda d, i: float(poisson[i, WEEKS.get_loc(d)])))
    assert not r["pass"] and r["model_median"] < 2


# P8 ---------------------------------------------------------------------------------------------------------------

def severity(alpha: float | None):
    def rows(i):
        rng = np.random.default_rng(i)
        if alpha is None:  # thin-tailed: everyone dies in threes and fours
            killed = rng.integers(3, 5, 2000)
        else:
            killed = np.floor((1.0 - rng.random(2000)) ** (-1.0 / (alpha - 1.0))).astype(int)
        return [dict(date="2014-01-06", killed=int(k)) for k in killed]
    return rows


def test_p8_passes_a_power_law_of_exponent_two():
    r = V.p8_severity_tail(attacks_table(severity(2.0)))
    assert r["pass"] and r["model_median"] == pytest.approx(2.0, abs=0.2)


def test_p8_fails_a_thin_tail():
    r = V.p8_severity_tail(attacks_table(severity(None)))
    assert not r["pass"]


# P9 ---------------------------------------------------------------------------------------------------------------

def spectaculars(early: int, late: int):
    """Each run: ``early`` spectacular attacks in 2012-2014 and ``late`` in 2015-2017."""
    return attacks_table(lambda i: [dict(date=f"{2012 + k % 3}-06-04", spectacular=True, target="hotel")
                                    for k in range(early)]
                         + [dict(date=f"{2015 + k % 3}-06-01", spectacular=True, target="hotel")
                            for k in range(late)]
                         + [dict(date="2013-03-04")])  # an ordinary attack, which does not count


def test_p9_passes_spectaculars_in_2015_2017():
    result = V.p9_spectacular_timing(spectaculars(early=1, late=3))
    assert result["pass"] and result["model_median"] == pytest.approx(0.75)


@pytest.mark.parametrize("early, late", [(3, 1), (4, 0), (2, 1)])
def test_p9_fails_spectaculars_that_come_early(early, late):
    result = V.p9_spectacular_timing(spectaculars(early, late))
    assert not result["pass"] and result["model_median"] == pytest.approx(late / (early + late))


def test_p9_leaves_out_runs_without_a_spectacular_attack():
    count, late = V.spectacular_timing(spectaculars(early=0, late=0))
    assert (count == 0).all() and late.isna().all()
    assert not V.p9_spectacular_timing(spectaculars(early=0, late=0))["pass"]


def test_spectacular_timing_over_the_calibrations_years():
    """The calibration's P9 term counts 2012-2016 and the share from 2015: a 2017 attack is outside both."""
    table = spectaculars(early=3, late=3)  # late ones in 2015, 2016, 2017
    count, late = V.spectacular_timing(table, (2012, 2016), 2015)
    assert (count == 5).all() and late.to_numpy() == pytest.approx(2 / 5)
    count, late = V.spectacular_timing(table)
    assert (count == 6).all() and late.to_numpy() == pytest.approx(0.5)


def test_spectaculars_by_year_gives_each_years_predictive_shares():
    """Run i has i spectacular attacks in 2015 and one in 2016 (and an ordinary attack in 2013): the record's
    three in 2015 are reached by the runs with at least three, and every run has the record's one in 2016."""
    table = attacks_table(lambda i: [dict(date="2015-06-01", spectacular=True, target="hotel") for _ in range(i)]
                          + [dict(date="2016-03-07", spectacular=True, target="hotel"), dict(date="2013-03-04")])
    out = V.spectaculars_by_year(table).set_index("year")
    n = len(RUNS)
    assert list(out.index) == sorted(V.RECORD_SPECTACULARS) and (out["n_runs"] == n).all()
    assert out.loc[2015, "record"] == 3 and out.loc[2015, "model_mean"] == pytest.approx((n - 1) / 2)
    assert out.loc[2015, "share_runs_at_least_record"] == pytest.approx(sum(i >= 3 for i in range(n)) / n)
    assert out.loc[2015, "share_runs_at_most_record"] == pytest.approx(sum(i <= 3 for i in range(n)) / n)
    assert out.loc[2016, ["share_runs_at_least_record", "share_runs_at_most_record"]].tolist() == [1.0, 1.0]
    # no spectacular attack in 2013 (the ordinary one does not count): every run is at the record's zero
    assert out.loc[2013, "model_mean"] == 0 and out.loc[2013, "share_runs_at_most_record"] == 1.0
    assert out.loc[2017, "share_runs_at_least_record"] == 0.0  # the record's one in 2017 and no run has one


def test_spectaculars_by_year_counts_runs_without_an_attack_as_zero():
    table = attacks_table(lambda i: [dict(date="2015-06-01", spectacular=True, target="hotel")] * 3)
    runs = pd.Index([*RUNS, "no_attack"], name="run")
    out = V.spectaculars_by_year(table, runs=runs).set_index("year")
    assert out.loc[2015, "share_runs_at_least_record"] == pytest.approx(len(RUNS) / (len(RUNS) + 1))
    assert out.loc[2015, "model_mean"] == pytest.approx(3 * len(RUNS) / (len(RUNS) + 1))


# all --------------------------------------------------------------------------------------------------------------

def test_validate_returns_one_documented_row_per_pattern():
    tables = {
        "world": world(north=north_history(0.8, 0.15), deaths=record_like_weekly(), minusma=minusma_weekly(60)),
        "attacks": pd.concat([attacks_table(spread(2)), attacks_table(minusma_attacks(3)),
                              p4_tables(40, "AQ")[2], attacks_table(severity(2.0))], ignore_index=True),
        "events": p4_tables(40, "AQ")[0],
        "factions": p4_tables(40, "AQ")[1],
    }
    results = V.validate(tables)
    assert list(results["pattern"]) == [f"P{i}" for i in range(1, 18)]
    for col in ("description", "source", "record", "tolerance", "model_median", "model_q05", "model_q95", "pass"):
        assert results[col].notna().all()
    assert (results["model_q05"] <= results["model_median"] + 1e-9).all()
    for p in V.PATTERNS:
        assert p.check.__doc__ and p.name in p.check.__doc__ and "Record" in p.check.__doc__


# P10-P15: the groups' mergers, pledges and splits ------------------------------------------------------------------

def relation_events(rows_per_run) -> pd.DataFrame:
    """Events (run, date, kind, faction, other) from a function run index -> list of (date, kind, faction, other)."""
    rows = [dict(run=run, date=pd.Timestamp(d), kind=k, faction=f, other=o)
            for i, run in enumerate(RUNS) for d, k, f, o in rows_per_run(i)]
    return pd.DataFrame(rows, columns=["run", "date", "kind", "faction", "other"])


def camps_table(events: pd.DataFrame, camp: str = "AQ") -> pd.DataFrame:
    """Every group named in ``events`` in ``camp`` on every event's date."""
    names = set(events["faction"]) | set(events["other"])
    return pd.DataFrame([dict(run=r.run, date=r.date, faction=n, camp=camp, fighters=100)
                         for r in events.itertuples() for n in names])


@pytest.mark.parametrize("date, ok", [("2013-08-19", True), ("2012-03-05", False), ("2016-01-04", False)])
def test_p10_asks_for_mujao_and_belmokhtar_together_around_august_2013(date, ok):
    ev = relation_events(lambda i: [(date, "merger", "mujao", "al_mourabitoun"),
                                    (date, "merger", "signers_in_blood", "al_mourabitoun")])
    assert V.p10_al_mourabitoun(ev)["pass"] is ok


def test_p10_follows_both_groups_into_a_third():
    ev = relation_events(lambda i: [("2013-02-04", "merger", "signers_in_blood", "aqim"),
                                    ("2013-09-02", "merger", "mujao", "aqim")])
    assert V.p10_al_mourabitoun(ev)["pass"]


@pytest.mark.parametrize("members, ok", [(["aqim", "ansar_dine", "flm"], True), (["aqim", "ansar_dine"], False)])
def test_p11_asks_for_three_of_jnim_s_founders_in_one_group_around_2017(members, ok):
    ev = relation_events(lambda i: [("2017-02-27", "merger", m, "jnim") for m in members])
    assert V.p11_jnim(ev)["pass"] is ok


def test_p12_fails_when_rival_camps_merge():
    ev = relation_events(lambda i: [("2016-01-04", "merger", "isgs", "aqim")])
    camps = camps_table(ev)
    assert V.p12_no_cross_camp_mergers(ev, camps)["pass"]
    camps.loc[camps["faction"] == "isgs", "camp"] = "IS"
    assert not V.p12_no_cross_camp_mergers(ev, camps)["pass"]


@pytest.mark.parametrize("date, ok", [("2015-05-11", True), ("2016-03-07", True), ("2013-06-03", False),
                                      ("2017-06-05", False), (None, False)])
def test_p13_asks_for_the_first_pledge_to_is_around_may_2015(date, ok):
    ev = relation_events(lambda i: [("2012-06-04", "split", "aqim_splinter_1", "aqim"),
                                    *([(date, "pledge", "aqim_splinter_1", "IS")] if date else [])])
    assert V.p13_first_pledge(ev)["pass"] is ok


def test_p13_counts_only_the_first_pledge():
    ev = relation_events(lambda i: [("2013-06-03", "pledge", "a", "IS"), ("2015-05-11", "pledge", "b", "IS")])
    assert not V.p13_first_pledge(ev)["pass"]


@pytest.mark.parametrize("date, camp, ok", [("2012-12-10", "AQ", True), ("2013-07-01", "AQ", True),
                                            ("2014-06-02", "AQ", False), ("2012-12-10", "IS", False)])
def test_p14_asks_for_an_aq_camp_split_around_january_2013(date, camp, ok):
    ev = relation_events(lambda i: [(date, "split", "aqim_splinter_1", "aqim")])
    assert V.p14_split_around_serval(ev, camps_table(ev, camp))["pass"] is ok


@pytest.mark.parametrize("n, ok", [(0, False), (1, False), (2, True), (6, True), (7, False)])
def test_p15_asks_for_a_few_splits_in_five_years(n, ok):
    ev = relation_events(lambda i: [(f"201{2 + k % 5}-06-04", "split", f"s{k}", "aqim") for k in range(n)]
                         + [("2017-06-05", "split", "late", "aqim")] * 3)  # 2017 is outside the count
    assert V.p15_split_count(ev, camps_table(ev))["pass"] is ok
