"""The named scenarios: what each gives the model as input, and that nothing a group decides is among it."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from sahel_sim import SahelModel, load_config
from sahel_sim.core.scenario import ScheduledEventConfig
from sahel_sim.faces.api import config_dir
from sahel_sim.runner import compose

#: the kinds of scenario event that are exogenous to the groups (a merger is what groups decide)
EXOGENOUS = {"note", "global_shock", "peace_agreement"}
#: the named scenarios (every file of configs/scenario/) and the file holding the dated history they share
SCENARIOS = sorted(p.stem for p in (config_dir() / "scenario").glob("*.yaml"))
SHARED_HISTORY = ("scenario", "history", "mali_2012_2017.yaml")


def shared_history(configs=None) -> list[ScheduledEventConfig]:
    """The events of the shared history file, as written."""
    text = (configs or config_dir()).joinpath(*SHARED_HISTORY).read_text()
    return [ScheduledEventConfig(**entry) for entry in yaml.safe_load(text)["scenario"]["history"]]


def test_the_projection_to_2019_gives_the_record_s_inputs_of_2017_2019_and_no_outcome():
    """Issue 19, item 8: past 2017 only force levels, the G5 Sahel launch, the election and the global context are
    given (shared/record/README.md, "Inputs 2017-2019"); no split, pledge or merger is dated."""
    cfg = load_config(["scenario=projection_2019"])
    assert cfg.calendar.end == "2019-12-30"
    assert {ev.kind for ev in cfg.scenario.dated_events} <= EXOGENOUS
    late = {ev.label for ev in cfg.scenario.dated_events if ev.date >= "2017-01-01"}
    assert {"G5 Sahel Joint Force launched", "Presidential election (first round)", "al-Baghdadi killed"} <= late
    default = load_config([])
    assert [e for e in cfg.scenario.dated_events if e.date < "2017-01-01"] == default.scenario.dated_events
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
    assert {ev.kind for ev in cfg.scenario.dated_events} <= EXOGENOUS
    assert all(not f.active_from for n, f in cfg.factions.items() if f.formed_by)


# --- the dated history the scenarios share ------------------------------------------------------------------------


def test_the_four_named_scenarios_are_the_files_of_the_scenario_group():
    assert SCENARIOS == ["given_venues", "history_2012_2017", "projection_2019", "scripted_relations"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_fires_the_one_shared_history_and_adds_only_its_own_events(scenario):
    """The dated history 2012-2017 is written once (configs/scenario/history/mali_2012_2017.yaml): each scenario
    takes it whole, writes none of its events again, and fires each history event and each of its own once, by
    date."""
    cfg = load_config([f"scenario={scenario}"]).scenario
    assert cfg.history == shared_history()
    written = {(ev.date, ev.kind, ev.label) for ev in cfg.history}
    assert not [ev for ev in cfg.events if (ev.date, ev.kind, ev.label) in written]
    fired = cfg.dated_events
    assert sorted(map(repr, fired)) == sorted(map(repr, [*cfg.history, *cfg.events]))
    assert [ev.date for ev in fired] == sorted(ev.date for ev in fired)


def test_the_scenarios_differ_only_by_their_own_events():
    """The default and given_venues add nothing to the history; the comparison of issue 17 adds the record's two
    mergers; the projection adds the inputs of 2017-2019 only."""
    own = {s: load_config([f"scenario={s}"]).scenario.events for s in SCENARIOS}
    assert own["history_2012_2017"] == [] and own["given_venues"] == []
    assert [(ev.kind, ev.into) for ev in own["scripted_relations"]] == [("merger", "al_mourabitoun"),
                                                                         ("merger", "jnim")]
    assert own["projection_2019"] and all(ev.date >= "2017-01-01" for ev in own["projection_2019"])


def test_an_edit_of_the_shared_history_file_reaches_every_scenario(tmp_path, monkeypatch):
    """Changing one event in the one shared file changes what every scenario fires, with nothing else to edit."""
    configs = tmp_path / "configs"
    shutil.copytree(config_dir(), configs)
    path = configs.joinpath(*SHARED_HISTORY)
    text = path.read_text()
    edited = text.replace('magnitude: 0.2, label: "Paris attacks (IS)"', 'magnitude: 0.3, label: "Paris attacks (IS)"')
    assert edited != text
    path.write_text(edited)
    monkeypatch.setattr(compose, "config_dir", lambda: configs)
    for scenario in SCENARIOS:
        cfg = load_config([f"scenario={scenario}"]).scenario
        assert cfg.history == shared_history(configs), scenario
        assert [ev.magnitude for ev in cfg.dated_events if ev.label == "Paris attacks (IS)"] == [0.3], scenario


def test_a_run_without_the_shared_history_fires_only_the_scenario_s_own_events():
    """scenario.history=[] empties the shared history for one run; the scenario's own events still fire."""
    cfg = load_config(["scenario=scripted_relations", "scenario.history=[]"]).scenario
    assert [ev.label for ev in cfg.dated_events] == ["Al Mourabitoun formed", "JNIM formed"]
    assert load_config(["scenario.history=[]"]).scenario.dated_events == []


def test_an_override_of_the_own_events_keeps_the_shared_history():
    """scenario.events=[...] replaces only what the scenario adds (Hydra replaces the list): the history stays."""
    cfg = load_config(["scenario.events=[{date:2016-01-15,kind:note,label:Ouagadougou}]"]).scenario
    assert cfg.history == shared_history()
    assert [ev.label for ev in cfg.dated_events if ev.date.startswith("2016")] == [
        "Ouagadougou", "Brussels attacks (IS)", "Nice attack (IS)"]
