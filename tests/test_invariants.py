"""Invariants that hold for every valid config and seed, checked with hypothesis over randomly drawn configs.

A config is drawn as Hydra overrides: the seed, a shorter calendar (``calendar.end`` between 2012-06 and 2014-12;
the scenario's later events are dropped), the main mechanisms' strengths and every mechanism's on/off switch. The model
is stepped week by week and, after every week:

* no NaN or infinity in any per-cell field, organisation or world state;
* no negative fighters (nor units), funds, population, troops, presence, attention or violence;
* influence shares in [0, 1] and summing to at most 1 in each cell; state presence, grievance, peace progress,
  attention shares, prestige and MINUSMA's patrol share in [0, 1]; the camps' attention shares sum to 1;
* the fighter ledger of :class:`~sahel_sim.core.agents.ArmedGroup` balances for each group
  (start + recruits - losses - transfers = fighters), a group's fighters are the sum of its units' strengths,
  and transfers between groups sum to zero;
* every fighter unit and base sits on a cell of the map; the groups' presence is non-zero only at the cells
  ``presence_cells`` lists, and zero in free slots;
* the calendar is monotonic: each week's date is the previous one plus ``step_days``.

After the run, on the five tables and the summary:

* no infinity anywhere and no NaN except where a column does not apply (a group's ``troops``, a force's
  ``funds``; ``minusma_patrol_share`` when MINUSMA is switched off); the summary is valid strict JSON;
* no negative fighters, funds, troops, deaths or counts; shares in [0, 1];
* every attack is on an existing cell (and inside the map's extent), dated inside the run, by existing factions
  of its camp; every claim refers to an existing attack and faction; every event is dated inside the run and
  names existing factions (camps, for global shocks and pledges; places, for peace meetings);
* dates in the world, factions, attacks and events tables never go backwards.

The default suite draws a few configs (well under a minute); ``pytest -m slow tests/test_invariants.py`` draws
many more over the full calendar and the full declared ranges.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sahel_sim.core.agents import CAMPS, ArmedGroup, Force
from sahel_sim.core.model import MECHANISM_ORDER, SahelModel, _force_reporters, _group_reporters
from sahel_sim.core.targets import layer_for
from sahel_sim.faces.api import load_config
from sahel_sim.runner.outputs import build_tables, summarise

EPS = 1e-9
MECHANISMS = [key for key, _ in MECHANISM_ORDER]

#: main strengths and the range drawn in the default suite (inside the declared range; the slow suite uses
#: the whole declared range where runs stay affordable)
STRENGTHS = {
    "mechanisms.rivalry.strength": (0.0, 5.0),
    "mechanisms.peace_process.strength": (0.0, 5.0),
    "mechanisms.barkhane.troop_scale": (0.0, 3.0),
    "mechanisms.minusma.size_scale": (0.0, 3.0),
    "mechanisms.attention.salience_weight": (0.0, 5.0),
    "mechanisms.attention.retention": (0.0, 1.0),
    "mechanisms.recruitment.local_rate": (0.0, 2.0),
    "mechanisms.recruitment.foreign_rate": (0.0, 60.0),
    "mechanisms.territory.influence_rate": (0.0, 1.0),
    "mechanisms.territory.upkeep": (0.0, 2.0),
    "mechanisms.claims.false_claim_probability": (0.0, 1.0),
    # up to frequent splits (the incentives rule at its ceiling rate): splinters never take the slots of configured
    # groups still to appear
    "mechanisms.alliances.split.intercept": (-10.0, 5.0),
    "mechanisms.alliances.pledge.intercept": (-10.0, 5.0),
}
WIDE = {**STRENGTHS, "mechanisms.barkhane.troop_scale": (0.0, 10.0), "mechanisms.minusma.size_scale": (0.0, 10.0),
        "mechanisms.attention.salience_weight": (0.0, 10.0), "mechanisms.recruitment.local_rate": (0.0, 10.0),
        "mechanisms.alliances.pledge.rate": (0.0, 1.0), "mechanisms.alliances.merge_rate": (0.0, 1.0),
        "mechanisms.alliances.split.rate": (0.0, 0.2)}


@st.composite
def run_overrides(draw, strengths=STRENGTHS, last_end=dt.date(2014, 12, 31)) -> list[str]:
    """Hydra overrides of one valid run: seed, a shorter calendar, some strengths, the mechanisms' switches."""
    end = draw(st.dates(dt.date(2012, 6, 1), last_end))
    overrides = [f"seed={draw(st.integers(0, 2**32 - 1))}", f"calendar.end={end.isoformat()}"]
    for key in draw(st.lists(st.sampled_from(sorted(strengths)), unique=True, max_size=6)):
        lo, hi = strengths[key]
        overrides.append(f"{key}={draw(st.floats(lo, hi, allow_nan=False)):.4f}")
    for key in draw(st.lists(st.sampled_from(MECHANISMS), unique=True, max_size=4)):
        overrides.append(f"mechanisms.{key}.enabled=false")
    return overrides


# --- checks during the run ---------------------------------------------------------------------------------------

def in_unit_interval(a, what: str) -> None:
    a = np.asarray(a, dtype=float)
    assert np.isfinite(a).all(), f"{what}: not finite"
    assert a.size == 0 or (a.min() >= -EPS and a.max() <= 1 + EPS), f"{what}: outside [0, 1] ({a.min()}, {a.max()})"


def non_negative(a, what: str) -> None:
    a = np.asarray(a, dtype=float)
    assert np.isfinite(a).all(), f"{what}: not finite"
    assert a.size == 0 or a.min() >= 0, f"{what}: negative ({a.min()})"


def check_week(m: SahelModel) -> None:
    """Every invariant of the model's state after a week."""
    w = m.world
    when = f"week {m.week} ({m.date})"
    assert m.date == m.calendar.date_of(m.week), when
    # per-cell fields
    in_unit_interval(m.influence, f"{when}: influence")
    assert m.influence.sum(axis=0).max() <= 1 + EPS, f"{when}: influence shares of a cell sum above 1"
    in_unit_interval(m.state_presence, f"{when}: state presence")
    in_unit_interval(m.grievance, f"{when}: grievance")
    for name in ("violence", "foreign_presence", "un_presence", "presence"):
        non_negative(getattr(m, name), f"{when}: {name}")
    non_negative(m.grid.population.data, f"{when}: population")
    # the groups' presence is non-zero only at the cells listed in presence_cells (compute_presence clears those
    # alone), and the rows of free slots are zero
    listed = np.zeros(m.presence.size, dtype=bool)
    listed[m.presence_cells] = True
    assert not m.presence.reshape(-1)[~listed].any(), f"{when}: presence outside presence_cells"
    assert not m.presence[m._free_slots].any(), f"{when}: presence in a free slot"
    # world state
    in_unit_interval(m.peace_progress, f"{when}: peace progress")
    for name in ("rivalry_intensity", "spoiler_motive", "total_attention"):
        non_negative(getattr(m, name), f"{when}: {name}")
    for name in ("global_share", "local_share"):
        shares = getattr(m, name)
        in_unit_interval(list(shares.values()), f"{when}: {name}")
        assert math.isclose(sum(shares.values()), 1.0, abs_tol=1e-9), f"{when}: {name} sums to {sum(shares.values())}"
    # organisations
    transfers = 0
    for f in m.factions.values():
        who = f"{when}: {f.name}"
        non_negative(f.killed_total, f"{who} killed_total")
        if isinstance(f, ArmedGroup):
            strengths = [u.strength for u in f.units]
            assert all(isinstance(s, (int, np.integer)) and s >= 0 for s in strengths), f"{who} units {strengths}"
            assert f.fighters == sum(strengths), f"{who}: {f.fighters} fighters but units hold {sum(strengths)}"
            non_negative([f.fighters, f.funds, f.operations_budget, f.attention, f.retaliation, f.recruits_total,
                          f.losses_total], f"{who} fighters/funds/budget/attention/retaliation/recruits/losses")
            in_unit_interval([f.attention_share, f.prestige, f.leader_experience, f.experience],
                             f"{who} attention share/prestige/experience")
            assert f.fighters_start + f.recruits_total - f.losses_total - f.transfers_total == f.fighters, (
                f"{who}: ledger {f.fighters_start} + {f.recruits_total} - {f.losses_total} - {f.transfers_total} "
                f"!= {f.fighters}")
            assert f.active or f.fighters == 0, f"{who}: inactive with {f.fighters} fighters"
            assert f.camp in CAMPS, f"{who}: camp {f.camp!r}"
            for u in f.units:
                x, y = u.cell.coordinate
                assert 0 <= x < w.nx and 0 <= y < w.ny and u.owner is f, f"{who}: unit off the map or owner"
            transfers += f.transfers_total
        elif isinstance(f, Force):
            non_negative([f.troops, f.recent_losses], f"{who} troops/recent losses")
            in_unit_interval(f.patrol_share, f"{who} patrol share")
            for b in f.bases:
                x, y = b.cell.coordinate
                assert 0 <= x < w.nx and 0 <= y < w.ny and b.place in w.places, f"{who}: base {b.place}"
    assert transfers == 0, f"{when}: fighters transferred between groups do not balance ({transfers})"


# --- checks on the outputs ---------------------------------------------------------------------------------------

def numeric(df: pd.DataFrame) -> pd.DataFrame:
    return df.select_dtypes(include=["number"])


def check_tables(m: SahelModel, tables: dict[str, pd.DataFrame], summary: dict) -> None:
    start, last = pd.Timestamp(m.calendar.start), pd.Timestamp(m.calendar.date_of(m.calendar.n_steps - 1))
    names = set(m.factions)
    w = m.world
    for name, df in tables.items():
        assert not np.isinf(numeric(df).to_numpy(dtype=float)).any(), f"{name}: infinity"
    # world: one row a week, finite, dates step by step_days
    world = tables["world"]
    assert len(world) == m.calendar.n_steps == m.steps
    may_be_nan = set() if m.force("minusma") is not None else {"minusma_patrol_share"}
    bad = [c for c in numeric(world).columns if c not in may_be_nan and world[c].isna().any()]
    assert not bad, f"world: NaN in {bad}"
    assert (world["date"].diff().dropna() == pd.Timedelta(days=m.config.calendar.step_days)).all()
    assert world["date"].iloc[0] == start and world["date"].iloc[-1] == last
    for col in ("is_global_share", "is_local_share", "north_jihadist_share", "state_presence_mali",
                "mean_grievance_mali", "peace_progress"):
        in_unit_interval(world[col], f"world.{col}")
    counts = [c for c in world.columns if c.startswith("deaths_") or c in (
        "attacks", "spectacular_attacks", "killed_in_attacks", "state_based_deaths", "rivalry_intensity")]
    non_negative(world[counts].to_numpy(dtype=float), f"world counts {counts}")
    # factions: a group's own columns and a force's own columns are finite; nothing negative
    factions = tables["factions"]
    assert set(factions["faction"]) <= names
    groups, forces = factions[factions["kind"] == "jihadist"], factions[factions["kind"] != "jihadist"]
    for rows, reporters, what in ((groups, _group_reporters(), "group"), (forces, _force_reporters(), "force")):
        cols = [c for c in reporters if c in numeric(factions).columns]
        assert not rows[cols].isna().any().any(), f"factions: NaN in a {what}'s own columns"
        non_negative(rows[cols].to_numpy(dtype=float), f"factions: {what} columns {cols}")
    in_unit_interval(groups["attention_share"], "factions.attention_share")
    in_unit_interval(groups["prestige"], "factions.prestige")
    for _, dates in factions.groupby("faction")["date"]:
        assert dates.is_monotonic_increasing and dates.between(start, last).all()
    # attacks: on the map, in the run, by existing factions of the attack's camp
    attacks = tables["attacks"]
    if len(attacks):
        assert attacks["x"].between(0, w.nx - 1).all() and attacks["y"].between(0, w.ny - 1).all()
        cfg = w.config
        assert attacks["lon"].between(cfg.lon_min, cfg.lon_max).all()
        assert attacks["lat"].between(cfg.lat_min, cfg.lat_max).all()
        assert attacks["date"].between(start, last).all() and attacks["date"].is_monotonic_increasing
        assert attacks["step"].between(0, m.calendar.n_steps - 1).all()
        assert attacks["camp"].isin(CAMPS).all()
        assert attacks["attack_id"].is_unique
        non_negative(attacks[["killed", "hostages", "attackers_killed", "spectacle", "attention"]].to_numpy(
            dtype=float), "attacks: tolls, spectacle, attention")
        sites = {t.id: t for t in layer_for(w.config, m.config.mechanisms.attacks.layer)}
        assert attacks["place"].map(lambda p: p == "" or p in sites).all(), "attacks: unknown target"
        kinds = {t.id: (t.kind, t.city) for t in sites.values()}
        assert all(kinds.get(p, ("", "")) == (k, c) for p, k, c in
                   zip(attacks["place"], attacks["target_kind"], attacks["city"], strict=True)), "attacks: kind, city"
        assert attacks["region"].map(lambda r: r in w.region_names or r in w.country_names).all()
        for row in attacks.itertuples():
            perpetrators = row.perpetrators.split(";")
            assert perpetrators and set(perpetrators) <= names, f"attack {row.attack_id}: {row.perpetrators}"
            assert set(filter(None, row.claimants.split(";"))) <= names, f"attack {row.attack_id}: {row.claimants}"
            assert row.victim_force == "" or m.force(row.victim_force) is not None, row.victim_force
    # claims: of existing attacks, by existing factions
    claims = tables["claims"]
    assert claims["attack_id"].isin(attacks["attack_id"]).all() and claims["claimant"].isin(names).all()
    # events: in the run, naming existing factions, camps or places
    events = tables["events"]
    assert events["date"].between(start, last).all() and events["step"].is_monotonic_increasing
    assert events["faction"].map(lambda f: f == "" or f in names).all(), "events: unknown faction"
    for kind, other in zip(events["kind"], events["other"], strict=True):
        hosts = {t.id for t in layer_for(w.config, m.config.mechanisms.attacks.layer)} | set(w.places)
        allowed = (CAMPS if kind in ("global_shock", "pledge") else hosts if kind == "peace_meeting"
                   else w.region_names if kind == "militia_formed" else names)
        assert other == "" or other in allowed, f"event {kind}: unknown {other!r}"
    # the summary is strict JSON and agrees with the tables
    json.dumps(summary, allow_nan=False)
    assert summary["weeks"] == len(world) and summary["attacks"] == len(attacks)
    assert all(g["fighters"] >= 0 for g in summary["groups_at_end"].values())


def simulate_and_check(overrides: list[str]) -> SahelModel:
    m = SahelModel(load_config(overrides))
    non_negative(m.world.population, "population at start")
    previous = None
    while m.running:
        m.step()
        if previous is not None:
            assert m.date - previous == m.calendar.step, f"calendar: {previous} -> {m.date}"
        previous = m.date
        check_week(m)
    tables = build_tables(m)
    check_tables(m, tables, summarise(m, tables))
    return m


DEFAULT = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)


def describe_draw(overrides: list[str], m: SahelModel) -> None:
    """Hypothesis statistics (``--hypothesis-show-statistics``): what kinds of runs were drawn."""
    event(f"{m.steps // 52 + 1} simulated year(s) or less")
    event(f"{sum(o.endswith('enabled=false') for o in overrides)} mechanism(s) off")


@DEFAULT
@given(run_overrides())
def test_invariants_hold_for_drawn_configs(overrides):
    describe_draw(overrides, simulate_and_check(overrides))


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
@given(run_overrides(strengths=WIDE, last_end=dt.date(2017, 12, 25)))
def test_invariants_hold_for_many_drawn_configs(overrides):
    describe_draw(overrides, simulate_and_check(overrides))


def test_frequent_splits_never_keep_a_configured_faction_from_appearing():
    """Splinters never take the group slots that configured groups still to appear need (Al Mourabitoun)."""
    m = simulate_and_check(["scenario=scripted_relations", "calendar.end=2013-12-31",
                            "mechanisms.alliances.split_base=0.05", "seed=0"])
    assert any(e.kind == "split" for e in m.log.events)
    assert "al_mourabitoun" in m.factions and not m.factions["mujao"].active  # it appeared, and the merger happened


def test_invariants_hold_for_the_default_run_with_everything_on():
    """An explicit example (the short history scenario): the invariants hold where the model is calibrated."""
    simulate_and_check(["calendar.end=2014-06-30", "seed=1"])


# --- long and large runs (slow) ------------------------------------------------------------------------------------

LONG_RUN = '''
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
from sahel_sim.faces.api import load_config
from sahel_sim.core.model import SahelModel
from sahel_sim.runner.outputs import build_tables, summarise
from tests.test_invariants import check_tables, check_week

def peak_mb():  # the process's peak resident memory so far (KB on Linux, bytes on macOS)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10

def now_mb():  # resident memory now (Linux); elsewhere the peak so far
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_mb()

t0 = time.perf_counter()
m = SahelModel(load_config({overrides!r}, seed=1))
rss = {{}}
while m.running:
    m.step()
    check_week(m)
    if m.week % 260 == 0:
        rss[m.week] = now_mb()
tables = build_tables(m)
check_tables(m, tables, summarise(m, tables))
print(json.dumps({{"seconds": time.perf_counter() - t0, "peak_mb": peak_mb(), "rss": rss, "weeks": m.steps,
                  "cells": m.world.nx * m.world.ny, "attacks": len(tables["attacks"]),
                  "rows": sum(len(t) for t in tables.values())}}))
'''


def long_run(overrides: list[str]) -> dict:
    """Run ``overrides`` in a fresh process, checking every invariant every week; its time and peak memory."""
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    p = subprocess.run([sys.executable, "-c", LONG_RUN.format(root=root, overrides=overrides)], cwd=root,
                       capture_output=True, text=True, timeout=3600)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_fifty_year_run_completes_with_bounded_memory_and_no_overflow(record_property):
    """2012 to 2061 (2,609 weeks, events clipped): every invariant holds every week, memory stays bounded."""
    r = long_run(["calendar.end=2061-12-26"])
    record_property("seconds", round(r["seconds"], 1))
    record_property("peak_mb", round(r["peak_mb"]))
    print(f"\n50-year run: {r['weeks']} weeks in {r['seconds']:.1f} s, peak memory {r['peak_mb']:.0f} MB, "
          f"{r['attacks']} attacks, {r['rows']} table rows; resident memory (MB) by week "
          f"{ {k: round(v) for k, v in r['rss'].items()} }")
    assert r["weeks"] == 2609
    assert r["peak_mb"] < 1500, "a 50-year run should fit in well under 1.5 GB"
    rss = {int(k): v for k, v in r["rss"].items()}
    growth = rss[max(rss)] - rss[520]  # from year 10 to year 50: no leak, only the recorded history grows
    assert growth < 200, f"memory grew {growth:.0f} MB over 40 simulated years"


@pytest.mark.slow
def test_a_map_four_times_larger_runs_the_whole_scenario(record_property):
    """map.resolution=0.125 (4 x the cells of the default 0.25): the whole 2012-2017 scenario, invariants checked."""
    m = load_config().map
    default_cells = round((m.lon_max - m.lon_min) / m.resolution) * round((m.lat_max - m.lat_min) / m.resolution)
    r = long_run(["map.resolution=0.125"])
    record_property("seconds", round(r["seconds"], 1))
    record_property("peak_mb", round(r["peak_mb"]))
    print(f"\nmap at 0.125 deg: {r['cells']} cells, {r['weeks']} weeks in {r['seconds']:.1f} s, peak memory "
          f"{r['peak_mb']:.0f} MB, {r['attacks']} attacks")
    assert r["cells"] == 4 * default_cells and r["weeks"] == 313
    assert r["peak_mb"] < 2000
