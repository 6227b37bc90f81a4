"""A run end to end: tables, events, reproducibility, new factions by config alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sahel_sim import run
from sahel_sim.core.agents import ArmedGroup
from tests.conftest import SHORT, make_model


def test_a_run_produces_tidy_tables(short_run):
    r = short_run
    assert {"week", "date", "faction", "camp", "fighters", "funds", "operations_budget",
            "attention_share"} <= set(r.factions.columns)
    assert r.world["week"].tolist() == list(range(len(r.world)))
    assert len(r.attacks) > 0
    assert {"date", "x", "y", "lat", "lon", "region", "perpetrators", "claimants", "target", "killed", "hostages",
            "spectacle", "spectacular"} <= set(r.attacks.columns)
    assert r.attacks["killed"].ge(0).all()
    assert r.summary["weeks"] == len(r.world)


def test_the_calendar_is_weekly_and_covers_the_run(short_run):
    dates = short_run.world["date"]
    assert dates.iloc[0] == pd.Timestamp("2012-01-02")
    assert (dates.diff().dropna() == pd.Timedelta(days=7)).all()
    assert dates.iloc[-1] <= pd.Timestamp("2014-06-30")


def test_dated_events_fire_on_their_week():
    """In the comparison scenario with the record's mergers dated (the default has none: issue 17)."""
    ev = run([*SHORT, "scenario=scripted_relations"], seed=7).events
    merger = ev[(ev["kind"] == "merger") & (ev["other"] == "al_mourabitoun")]
    assert set(merger["faction"]) == {"mujao", "signers_in_blood"}
    assert (merger["date"] <= pd.Timestamp("2013-08-22")).all()
    assert (merger["date"] > pd.Timestamp("2013-08-14")).all()
    serval = ev[(ev["kind"] == "deployment") & (ev["faction"] == "barkhane")]
    assert serval["date"].min() > pd.Timestamp("2013-01-04") and serval["value"].iloc[0] == 4000


def test_same_seed_same_tables_different_seed_differs():
    a = run(SHORT, seed=11)
    b = run(SHORT, seed=11)
    c = run(SHORT, seed=12)
    for name in ("factions", "world", "attacks", "events", "claims"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.summary == b.summary
    assert not a.attacks.equals(c.attacks)


def test_a_new_faction_is_added_by_config_alone(tmp_path):
    """A user's own factions file (in their own config folder) adds Ansar al-Islam: no code changes."""
    (tmp_path / "factions").mkdir()
    (tmp_path / "factions" / "with_ansar_al_islam.yaml").write_text(
        "defaults:\n  - history\n"
        "ansar_al_islam:\n  label: Ansar al-Islam\n  kind: jihadist\n  camp: AQ\n  fighters: 200\n"
        "  units: 2\n  home: [ouagadougou]\n  color: '#ff00ff'\n")
    m = make_model(f"hydra.searchpath=[file://{tmp_path}]", "factions=with_ansar_al_islam")
    group = m.factions["ansar_al_islam"]
    assert isinstance(group, ArmedGroup) and group.fighters == 200 and group.camp == "AQ"
    m.run()
    table = m.datacollector.get_agenttype_vars_dataframe(ArmedGroup)
    assert "ansar_al_islam" in set(table["faction"])


def test_influence_shares_stay_in_unit_interval(short_run):
    m = make_model()
    for _ in range(60):
        m.step()
        total = m.influence.sum(axis=0)
        assert m.influence.min() >= 0 and total.max() <= 1 + 1e-9
        assert np.isfinite(m.state_presence).all() and m.state_presence.min() >= 0


def test_fighter_ledger_balances():
    m = make_model()
    m.run()
    for g in [f for f in m.factions.values() if isinstance(f, ArmedGroup)]:
        assert g.fighters_start + g.recruits_total - g.losses_total - g.transfers_total == g.fighters, g.name


def test_the_2012_takeover_of_the_north_is_reversed_after_serval():
    r = run(["calendar.end=2013-12-30"], seed=3)
    w = r.world.set_index("date")["north_jihadist_share"]
    before = w["2012-06-01":"2012-12-31"].mean()
    after = w["2013-06-01":"2013-12-31"].mean()
    assert before > 0.3 and after < before / 2


@pytest.mark.parametrize("mechanism", ["rivalry", "peace_process", "barkhane", "minusma", "territory", "attacks",
                                       "claims", "attention", "recruitment", "alliances"])
def test_every_mechanism_can_be_switched_off(mechanism):
    m = make_model(f"mechanisms.{mechanism}.enabled=false")
    assert mechanism not in {x.name for x in m.mechanisms}
    for _ in range(30):
        m.step()


def test_the_default_config_forecasts_past_the_calibration_period_to_2019():
    """Calibration uses the record up to 2016 only (#8); the same config must run on to 2019 (out of sample)."""
    r = run(["calendar.end=2019-12-30"], seed=7, figure=False)
    dates = r.world["date"]
    assert dates.iloc[-1] == pd.Timestamp("2019-12-30")
    late = r.world[dates.dt.year.isin([2018, 2019])]
    assert len(late) >= 104
    assert np.isfinite(late.select_dtypes("number").to_numpy(dtype=float)).all()
    assert r.factions.loc[r.factions["date"].dt.year == 2019, "fighters"].sum() > 0
