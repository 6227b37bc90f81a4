"""The named scenarios: what each gives the model as input, and that nothing a group decides is among it."""

from __future__ import annotations

import datetime as dt

import pytest

from sahel_sim import SahelModel, load_config

#: the kinds of scenario event that are exogenous to the groups (a merger is what groups decide)
EXOGENOUS = {"note", "global_shock", "peace_agreement"}


def test_the_projection_to_2019_gives_the_record_s_inputs_of_2017_2019_and_no_outcome():
    """Issue 19, item 8: past 2017 only force levels, the G5 Sahel launch, the election and the global context are
    given (shared/record/README.md, "Inputs 2017-2019"); no split, pledge or merger is dated."""
    cfg = load_config(["scenario=projection_2019"])
    assert cfg.calendar.end == "2019-12-30"
    assert {ev.kind for ev in cfg.scenario.events} <= EXOGENOUS
    late = {ev.label for ev in cfg.scenario.events if ev.date >= "2017-01-01"}
    assert {"G5 Sahel Joint Force launched", "Presidential election (first round)", "al-Baghdadi killed"} <= late
    default = load_config([])
    assert [e for e in cfg.scenario.events if e.date < "2017-01-01"] == list(default.scenario.events)
    for name in ("aqim", "mujao", "ansar_dine", "signers_in_blood", "al_mourabitoun", "jnim"):
        assert cfg.factions[name] == default.factions[name]
    model, default_model = SahelModel(cfg), SahelModel(default)
    barkhane, minusma = model.factions["barkhane"], model.factions["minusma"]
    assert barkhane.troops_on(dt.date(2019, 6, 1)) == pytest.approx(2250)  # half of ~4,500 across five countries
    assert minusma.troops_on(dt.date(2019, 6, 1)) == pytest.approx(11750)  # middle of 11,000-12,500 deployed
    # up to 2017 the projection is the default history: the same forces' schedules
    for name in ("barkhane", "minusma", "fama"):
        for day in (dt.date(2013, 2, 1), dt.date(2015, 6, 1), dt.date(2016, 12, 31)):
            assert model.factions[name].troops_on(day) == default_model.factions[name].troops_on(day)


@pytest.mark.parametrize("scenario", ["history_2012_2017", "projection_2019"])
def test_the_default_and_the_projection_date_no_decision_of_the_groups(scenario):
    """Only the comparison scenarios (scripted_relations, given_venues) may date what groups decide."""
    cfg = load_config([f"scenario={scenario}"])
    assert {ev.kind for ev in cfg.scenario.events} <= EXOGENOUS
    assert all(not f.active_from for n, f in cfg.factions.items() if f.formed_by)
