"""The simulated world and the order of a week.

:class:`SahelModel` builds the map, the actors and the enabled mechanisms from one validated :class:`SimConfig`,
and runs one week per step:

1. the calendar advances; factions due to appear appear; forces take their scheduled strength; dated events fire
   (global shocks, peace agreements, mergers from the record);
2. the mechanisms act, in this order: global rivalry context -> peace process -> Barkhane -> MINUSMA ->
   territory and revenue (movement, influence, state presence, clashes) -> attack choice -> campaign
   dynamics (self-excitation) -> claims ->
   attention market -> communal layer (communities' grievance, militias, local cells) -> recruitment and
   grievance -> alliances, splits and pledges;
3. the week is recorded (DataCollector; the event log holds attacks and events).

Per-cell fields are numpy arrays, stored as the grid's property layers; organisations are Mesa agents, their
fighter units ``CellAgent`` on an ``OrthogonalMooreGrid``. Every random draw uses the model's own ``rng``.
"""

from __future__ import annotations

import datetime as dt
import gc
import operator
import types
from collections import Counter
from copy import deepcopy
from functools import partial

import mesa
import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

from .agents import ArmedGroup, Base, FactionConfig, FighterUnit, Force, Organisation
from .calendar import Calendar
from .config import SimConfig, validated
from .events import Attack, EventLog
from .geography import ZONES, km_between, world_for
from .mechanisms.alliances import Alliances
from .mechanisms.attack_choice import AttackChoice
from .mechanisms.attention import AttentionMarket, attention_deficit
from .mechanisms.barkhane import Barkhane
from .mechanisms.base import Mechanism
from .mechanisms.campaigns import Campaigns
from .mechanisms.claims import Claims
from .mechanisms.communal import Communal
from .mechanisms.minusma import Minusma
from .mechanisms.peace_process import PeaceProcess
from .mechanisms.recruitment import Recruitment, grievance_baseline
from .mechanisms.relations import Relations, merge_groups
from .mechanisms.rivalry import Rivalry
from .mechanisms.territory import Territory
from .params import parse_date


class MooreGrid(OrthogonalMooreGrid):
    """Mesa's ``OrthogonalMooreGrid`` with the same cells and connections (same keys, same order), connected in
    one pass: Mesa's ``Cell.connect`` clears the neighbourhood caches at every one of the ~8 connections per cell,
    which made building the grid the largest part of building the model. Nothing is cached while a grid is
    being built, so there is nothing to clear."""

    def _connect_cells_2d(self) -> None:
        offsets = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]
        height, width = self.dimensions
        cells, torus = self._cells, self.torus
        for (i, j), cell in cells.items():
            connections = cell.connections
            for di, dj in offsets:
                ni, nj = i + di, j + dj
                if torus:
                    ni, nj = ni % height, nj % width
                if 0 <= ni < height and 0 <= nj < width:
                    connections[(di, dj)] = cells[ni, nj]


#: the mechanisms in the order they act each week (config section name, class)
MECHANISM_ORDER: tuple[tuple[str, type[Mechanism]], ...] = (
    ("rivalry", Rivalry),
    ("peace_process", PeaceProcess),
    ("barkhane", Barkhane),
    ("minusma", Minusma),
    ("territory", Territory),
    ("attacks", AttackChoice),
    ("campaigns", Campaigns),
    ("claims", Claims),
    ("attention", AttentionMarket),
    ("communal", Communal),
    ("recruitment", Recruitment),
    ("relations", Relations),
    ("alliances", Alliances),
)

#: deaths counted as UCDP "state-based" (type 1): forces killed, and jihadists killed by or fighting them
STATE_BASED = ("state_forces", "minusma", "barkhane", "jihadists_by_forces")


class SahelModel(mesa.Model):
    """Armed-group competition in Mali and the Sahel, one week a step.

    Args:
        config: the run's configuration (validated here; a :class:`~sahel_sim.core.params.ConfigError` names the
            field at fault).
        rng: seed for the model's random generators; defaults to ``config.seed``.
    """

    def __init__(self, config: SimConfig, rng: int | None = None):
        validated(config)
        super().__init__(rng=config.seed if rng is None else rng)
        self.config = config
        self.calendar = Calendar(config.calendar)
        self.week = 0
        self.date = self.calendar.date_of(0)
        self.week_end = self.date + self.calendar.step - _ONE_DAY
        self.world = world_for(config.map)
        self._build_grid()
        self._init_context()
        self.log = EventLog()
        self.attacks_this_week: list[Attack] = []
        self.attacks_last_week: list[Attack] = []
        self.deaths: Counter = Counter()
        self.infighting: Counter = Counter()  # jihadist infighting deaths by pair of camps ("AQ-AQ", "AQ-IS", ...)
        self.factions: dict[str, Organisation] = {}
        self._groups_cache: list[ArmedGroup] | None = None
        self._north_pop: tuple[np.ndarray, float] | None = None
        self._deficits: tuple = (None, None, {})  # attention_deficit's memo: (global_share, local_share, by camp)
        self._mali_cells: np.ndarray | None = None
        self._free_slots = list(range(config.max_groups))  # rows of the per-group layers not in use
        self.roles: dict[str, str] = {}
        mech = config.mechanisms
        for key in ("barkhane", "minusma"):
            if getattr(mech, key).enabled:
                self.roles[key] = getattr(mech, key).faction
        state = [n for n, f in config.factions.items() if f.kind == "state"]
        if state:
            self.roles["state"] = state[0]
        self._pending = dict(config.factions)  # factions not yet on the scene
        self._activate_due_factions()
        self.mechanisms: list[Mechanism] = [cls(self, getattr(mech, key)) for key, cls in MECHANISM_ORDER
                                            if getattr(mech, key).enabled]
        self._by_name = {m.name: m for m in self.mechanisms}
        for mechanism in self.mechanisms:
            mechanism.setup()
        self._events_by_week: dict[int, list] = {}
        for ev in config.scenario.dated_events:  # the shared history and the scenario's own, by date
            self._events_by_week.setdefault(self.calendar.step_of(_date(ev.date)), []).append(ev)
        self.datacollector = WeeklyCollector(
            model_reporters=_world_reporters(),
            agenttype_reporters={ArmedGroup: _group_reporters(), Force: _force_reporters()},
        )
        self.running = True

    # --- construction -------------------------------------------------------------------------------------------
    def _build_grid(self) -> None:
        w = self.world
        collecting = gc.isenabled()
        gc.disable()  # thousands of cells at once: the cyclic collector would rescan them while they are made
        try:
            self.grid = MooreGrid((w.nx, w.ny), torus=False, random=self.random)
        finally:
            if collecting:
                gc.enable()
        for name in ("population", "state_presence", "grievance", "route", "violence"):
            self.grid.create_property_layer(name, 0.0, float)
        self.grid.population.data = w.population
        self.grid.route.data = w.route
        self.grid.state_presence.data = w.state_base
        zone_baseline = grievance_baseline(w.zone, self.config.mechanisms.recruitment.baseline)
        self.grid.grievance.data = zone_baseline
        # the per-cell fields the mechanisms read and write, as views of the grid's property layers
        self.state_presence = self.grid.state_presence.data
        self.grievance = self.grid.grievance.data
        self.violence = self.grid.violence.data
        shape = (w.nx, w.ny)
        self.foreign_presence = np.zeros(shape)
        self.un_presence = np.zeros(shape)
        slots = self.config.max_groups
        self.influence = np.zeros((slots, *shape))
        self.presence = np.zeros((slots, *shape))
        self.presence_cells = np.zeros(0, dtype=np.int64)  # flat indices of the non-zero presence cells

    def _init_context(self) -> None:
        """Neutral values of the state written by switchable mechanisms."""
        self.rivalry_intensity = 0.0
        self.global_share = {"AQ": 0.5, "IS": 0.5}
        self.local_share = {"AQ": 0.5, "IS": 0.5}
        self.total_attention = 0.0
        self.peace_progress = 0.0
        self.spoiler_motive = 0.0
        self.peace_venue: str | None = None
        self.peace_state_support: np.ndarray | float = 0.0
        self.peace_revenue_cut = 0.0
        self.un_protection = 0.0
        # campaign dynamics: the share of a group's tempo that is background, and each group's excitation
        # (operations per week) from recent attacks (mechanisms.campaigns)
        self.campaign_background = 1.0
        self.campaign_excitation: dict[str, float] = {}
        # the communal layer's addition to each cell's grievance for jihadist recruitment (mechanisms.communal)
        self.communal_recruitment: np.ndarray | float = 0.0
        # the share of a group's income set aside for spectacular operations (none without attack choice)
        attacks = self.config.mechanisms.attacks
        self.budget_share = attacks.spectacular.budget_share if attacks.enabled else 0.0

    def _activate_due_factions(self) -> None:
        for name, fc in list(self._pending.items()):
            if fc.formed_by or fc.forms_from:  # a coalition forms only by its members' decision
                continue  # (mechanisms.relations), a front from a local cell (mechanisms.communal)
            start = _date(fc.active_from) if fc.active_from else self.calendar.start
            if start > self.date + self.calendar.step - _ONE_DAY:
                continue
            del self._pending[name]
            if fc.kind == "jihadist":
                self._create_group(name, fc)
            elif name in self.roles.values() or fc.kind == "state":
                self._create_force(name, fc)
            if self.week > 0 or fc.active_from:
                self.log.add(self.week, self.date, "appearance", name, "", f"{fc.label or name} appears")

    def _retire_due_factions(self) -> None:
        """Groups past their ``active_until`` date disband: their fighters leave the war (counted as losses)."""
        for g in list(self.groups()):
            end = g.config.active_until
            if end and _date(end) <= self.week_end and g.active and not g.parent:
                disbanded = g.lose(g.fighters)
                self.deactivate_group(g)
                self.log.add(self.week, self.date, "disbanded", g.name, "", f"{g.label} disbands", disbanded)

    def _create_group(self, name: str, fc: FactionConfig) -> ArmedGroup | None:
        group = self.add_group(name, fc, label=fc.label or name, camp=fc.camp)
        if group is None:
            return None
        group.fighters_start = fc.fighters
        if fc.fighters > 0 and fc.units > 0:
            n = min(fc.units, fc.fighters)
            sizes = [fc.fighters // n + (1 if i < fc.fighters % n else 0) for i in range(n)]
            for i, size in enumerate(sizes):
                home = self.world.places[fc.home[i % len(fc.home)]]
                self.new_unit(group, size, self._cell_near(home.lon, home.lat, fc.home_radius_km))
        return group

    def _create_force(self, name: str, fc: FactionConfig) -> Force:
        force = Force(self, name, fc)
        for place, p in self.world.places.items():
            if p.kind == fc.base_kind:
                Base(self, force, place, self.grid._cells[self.world.cell_of(p.lon, p.lat)])
        self.factions[name] = force
        return force

    def _cell_near(self, lon: float, lat: float, radius_km: float):
        d = self.world.km_from(lon, lat)
        xs, ys = np.nonzero(d <= max(radius_km, 1e-9))
        if len(xs) == 0:
            return self.grid._cells[self.world.cell_of(lon, lat)]
        k = int(self.rng.integers(len(xs)))
        return self.grid._cells[(int(xs[k]), int(ys[k]))]

    # --- services for the mechanisms --------------------------------------------------------------------------
    def add_group(self, name: str, fc: FactionConfig, label: str, camp: str,
                  keep_for_pending: bool = False) -> ArmedGroup | None:
        """A new jihadist organisation in the next free slot of the map layers (None when all are taken).

        With ``keep_for_pending`` (a splinter), the slots that configured groups still to appear will need are
        not taken: a split never prevents Al Mourabitoun, the Macina front or JNIM from appearing."""
        pending = sum(1 for f in self._pending.values() if f.kind == "jihadist") if keep_for_pending else 0
        if len(self._free_slots) <= pending:
            return None
        group = ArmedGroup(self, name, fc, self._free_slots.pop(0))
        group.label = label
        group.camp = camp
        group.camp_history = [(camp, self.week)]
        self.factions[name] = group
        self._groups_cache = None
        return group

    def create_coalition(self, name: str, fc: FactionConfig) -> ArmedGroup | None:
        """The coalition ``name`` forms now, empty (its members' units, funds and influence then move into it):
        a merger decided in the run (mechanisms.relations), never a date."""
        if name not in self._pending:
            return None
        group = self.add_group(name, fc, label=fc.label or name, camp=fc.camp)
        if group is None:
            return None
        del self._pending[name]
        self.log.add(self.week, self.date, "appearance", name, "", f"{fc.label or name} forms by merger")
        return group

    def create_front(self, name: str, fighters: int, cells: list[tuple[int, int]], detail: str,
                     terms: dict[str, float]) -> ArmedGroup | None:
        """The faction ``name`` forms now from a local cell (mechanisms.communal): ``fighters`` split over units in
        ``cells``; the event carries the terms that drove it. Never a date."""
        fc = self._pending.get(name)
        if fc is None:
            return None
        group = self.add_group(name, fc, label=fc.label or name, camp=fc.camp)
        if group is None:
            return None
        del self._pending[name]
        group.fighters_start = fighters
        n = max(1, min(len(cells), fighters))
        for i in range(n):
            self.new_unit(group, fighters // n + (1 if i < fighters % n else 0), self.grid._cells[cells[i]])
        self.log.add(self.week, self.date, "appearance", name, "", detail, fighters, terms=terms)
        return group

    def deactivate_group(self, group: ArmedGroup) -> None:
        """A group leaves the scene (merged away): its layer row is cleared and freed for a newcomer."""
        group.active = False
        group.revenue_week = 0.0
        self.influence[group.slot] = 0.0
        self.presence[group.slot] = 0.0
        self._free_slots.append(group.slot)
        self._free_slots.sort()
        self._groups_cache = None

    def new_unit(self, group: ArmedGroup, strength: int, cell) -> FighterUnit:
        return FighterUnit(self, group, strength, cell)

    def groups(self) -> list[ArmedGroup]:
        """Active jihadist groups, in order of appearance (a fixed order keeps runs reproducible)."""
        if self._groups_cache is None:
            self._groups_cache = [f for f in self.factions.values() if isinstance(f, ArmedGroup) and f.active]
        return self._groups_cache

    def slot_span(self) -> int:
        """One past the highest layer row of an active group: rows from here on are all zero (free slots), so the
        per-group layers can be updated on ``[:slot_span()]`` alone."""
        return max((g.slot for g in self.groups()), default=-1) + 1

    def force(self, role: str) -> Force | None:
        """The force playing ``role`` (state, barkhane, minusma), or None when absent or switched off."""
        name = self.roles.get(role)
        f = self.factions.get(name) if name else None
        return f if isinstance(f, Force) else None

    def attention_deficit(self, camp: str) -> float:
        """How far ``camp`` trails the leading camp in attention (global and, with the market on, local).

        Remembered until ``global_share`` or ``local_share`` is replaced (the mechanisms assign new dicts once a
        week), since it is asked for dozens of times a week."""
        memo = self._deficits
        if memo[0] is not self.global_share or memo[1] is not self.local_share:
            memo = self._deficits = (self.global_share, self.local_share, {})
        deficit = memo[2].get(camp)
        if deficit is None:
            local_weight = self.config.mechanisms.attention.local_weight if "attention" in self._by_name else 0.0
            deficit = memo[2][camp] = attention_deficit(self.global_share, self.local_share, camp, local_weight)
        return deficit

    def mechanism(self, name: str) -> Mechanism | None:
        return self._by_name.get(name)

    def unit_roster(self) -> tuple[list[FighterUnit], np.ndarray]:
        """Every unit of the active groups, group by group in order of appearance, and its group's layer row."""
        units: list[FighterUnit] = []
        slots: list[int] = []
        for g in self.groups():
            units += g.units
            slots += [g.slot] * len(g.units)
        return units, np.array(slots, dtype=np.int64)

    def compute_presence(self, roster: tuple | None = None) -> None:
        """Fighters per cell for every group slot; ``presence_cells`` lists the flat indices of the cells held.

        ``roster``: ``(units, slots, flat cells)`` of every unit as :meth:`unit_roster` lists them, when the caller
        knows where they stand (the territory mechanism, just after moving them)."""
        # the layers are non-zero only at last week's cells (a freed slot's row is cleared when it is freed)
        self.presence.reshape(-1)[self.presence_cells] = 0.0
        if roster is not None:
            units, slots, cells = roster
        else:
            units, slots = self.unit_roster()
        if units:
            nx, ny = self.presence.shape[1:]
            if roster is None:
                xy = np.array([c for u in units for c in u.cell.coordinate], dtype=np.int64)
                cells = xy[0::2] * ny + xy[1::2]
            flat = slots * (nx * ny) + cells  # np.ravel_multi_index((slot, x, y))
            np.add.at(self.presence.reshape(-1), flat, np.array([u.strength for u in units], dtype=np.int64))
            self.presence_cells = flat
        else:
            self.presence_cells = np.zeros(0, dtype=np.int64)

    def record_attack(self, attack: Attack) -> None:
        """Log an attack and book its toll on the forces, the civilians and the perpetrators."""
        self.log.add_attack(attack)
        self.attacks_this_week.append(attack)
        force = self.force(attack.victim_force) if attack.victim_force else None
        if force is not None:
            force.killed_total += attack.killed
            force.recent_losses += attack.killed
            self.deaths["state_forces" if attack.victim_force == "state" else attack.victim_force] += attack.killed
            self.deaths["jihadists_by_forces"] += attack.attackers_killed
        else:
            self.deaths["civilians"] += attack.killed
            self.deaths["jihadists_other"] += attack.attackers_killed
        self.violence[attack.x, attack.y] += attack.killed

    def leader_killed(self, group: ArmedGroup, by: str) -> None:
        """A group's leader dies: a less experienced successor takes over; a split becomes likelier."""
        self.log.add(self.week, self.date, "leader_death", group.name, by, f"{group.leader} killed")
        alliances = self.config.mechanisms.alliances
        group.leader = f"successor {self.week} of {group.label}"
        group.leader_experience *= alliances.successor_experience
        group.leader_killed_step = self.week

    # --- the week -----------------------------------------------------------------------------------------------
    def step(self) -> None:
        self.week = self.steps - 1
        self.date = self.calendar.date_of(self.week)
        self.week_end = self.date + self.calendar.step - _ONE_DAY
        self._begin_week()
        for mechanism in self.mechanisms:
            mechanism.step()
        self._end_week()
        self.datacollector.collect(self)
        if self.week + 1 >= self.calendar.n_steps:
            self.running = False

    def run(self) -> SahelModel:
        """Run the whole calendar."""
        while self.running:
            self.step()
        return self

    def _begin_week(self) -> None:
        self.attacks_last_week = self.attacks_this_week
        self.attacks_this_week = []
        self.deaths = Counter()
        for g in self.groups():
            g.recruits_week = g.losses_week = 0
        self._activate_due_factions()
        self._retire_due_factions()
        for f in self.factions.values():
            if isinstance(f, Force):
                troops = f.troops_on(self.week_end)  # a level dated inside this week applies this week
                if troops != f.troops:
                    self.log.add(self.week, self.date, "deployment", f.name, "", f"{f.label}: {troops:.0f} troops",
                                 troops)
                f.troops = troops
                for b in f.bases:
                    b.active = troops > 0 and self.world.place_active(b.place, self.week_end)
        for ev in self._events_by_week.get(self.week, []):
            self._fire(ev)

    def _fire(self, ev) -> None:
        detail = ev.label or ev.kind
        if ev.kind == "global_shock":
            rivalry = self.mechanism("rivalry")
            if rivalry is not None:
                rivalry.apply_shock(ev.camp, ev.magnitude)
            self.log.add(self.week, self.date, "global_shock", "", ev.camp, detail, ev.magnitude)
        elif ev.kind == "peace_agreement":
            peace = self.mechanism("peace_process")
            if peace is not None:
                peace.milestone(ev.magnitude)
            self.log.add(self.week, self.date, "peace_agreement", "", "", detail, ev.magnitude)
        elif ev.kind == "merger":
            into = self.factions.get(ev.into)
            if not isinstance(into, ArmedGroup) or not into.active:
                return
            members = [self.factions[n] for n in ev.factions if isinstance(self.factions.get(n), ArmedGroup)]
            members = [g for g in members if g.active and g.camp == into.camp]  # groups that left the camp stay out
            merge_groups(self, members, into, reason=detail)
        else:
            self.log.add(self.week, self.date, "note", "", "", detail)

    def _end_week(self) -> None:
        self.violence *= 0.8  # recent violence fades over about a month

    # --- indicators ---------------------------------------------------------------------------------------------
    def north_jihadist_share(self) -> float:
        """Share of the northern population living under jihadist dominance: where the groups' combined
        influence exceeds the state's presence (and is at least 0.1, so that empty desert does not count)."""
        return self.north_share_held(self.influence[:self.slot_span()].sum(axis=0))

    def north_share_held(self, influence: np.ndarray) -> float:
        """Share of the northern population in cells where ``influence`` (one group's, or the groups' together)
        exceeds the state's presence and is at least 0.1."""
        pop, total = self.north_population()
        held = (influence > self.state_presence) & (influence >= 0.1)
        return float((pop * held).sum() / total)

    def north_population(self) -> tuple[np.ndarray, float]:
        """The people of each cell of the north (0 elsewhere) and their total (at least 1): fixed for the run."""
        if self._north_pop is None:
            w = self.world
            pop = w.population * (w.zone == ZONES.index("north"))
            self._north_pop = (pop, max(float(pop.sum()), 1.0))
        return self._north_pop

    def mean_in_mali(self, field: np.ndarray) -> float:
        """Mean of a per-cell field over the cells of Mali."""
        if self._mali_cells is None:
            self._mali_cells = np.flatnonzero(self.world.in_mali)
        return float(np.take(field, self._mali_cells).mean())

    def held_cells(self, group: ArmedGroup) -> int:
        return int(np.count_nonzero(self.influence[group.slot] >= self.config.mechanisms.territory.dominance))

    def state_based_deaths(self) -> int:
        return int(sum(self.deaths[k] for k in STATE_BASED))

    def distance_km(self, a: tuple[int, int], b: tuple[int, int]) -> float:
        w = self.world
        return float(km_between(w.lon[a[0]], w.lat[a[1]], w.lon[b[0]], w.lat[b[1]]))


_ONE_DAY = dt.timedelta(days=1)


def _date(value) -> dt.date:
    return parse_date(value, "date")


def _world_reporters() -> dict:
    return {
        "rivalry_intensity": "rivalry_intensity",
        "is_global_share": lambda m: m.global_share["IS"],
        "is_local_share": lambda m: m.local_share.get("IS", 0.0),
        "aq_attention_deficit": lambda m: m.attention_deficit("AQ"),
        "is_attention_deficit": lambda m: m.attention_deficit("IS"),
        "peace_progress": "peace_progress",
        "spoiler_motive": "spoiler_motive",
        "minusma_patrol_share": lambda m: m.force("minusma").patrol_share if m.force("minusma") else np.nan,
        "north_jihadist_share": lambda m: m.north_jihadist_share(),
        "state_presence_mali": lambda m: m.mean_in_mali(m.state_presence),
        "mean_grievance_mali": lambda m: m.mean_in_mali(m.grievance),
        "attacks": lambda m: len(m.attacks_this_week),
        "spectacular_attacks": lambda m: sum(a.spectacular for a in m.attacks_this_week),
        "killed_in_attacks": lambda m: sum(a.killed for a in m.attacks_this_week),
        "state_based_deaths": lambda m: m.state_based_deaths(),
        "deaths_state_forces": lambda m: m.deaths["state_forces"],
        "deaths_minusma": lambda m: m.deaths["minusma"],
        "deaths_barkhane": lambda m: m.deaths["barkhane"],
        "deaths_jihadists_by_forces": lambda m: m.deaths["jihadists_by_forces"],
        "deaths_civilians": lambda m: m.deaths["civilians"],
        "deaths_jihadist_infighting": lambda m: m.deaths["jihadist_vs_jihadist"],
    }


def _group_reporters() -> dict:
    return {
        "faction": "name", "label": "label", "camp": "camp", "active": "active",
        "fighters": "fighters", "funds": "funds", "operations_budget": "operations_budget",
        "attention_share": "attention_share",
        "prestige": "prestige", "territory_cells": lambda g: g.model.held_cells(g) if g.active else 0,
        "recruits": "recruits_week", "losses": "losses_week", "revenue": "revenue_week",
        "units": lambda g: len(g.units), "leader_experience": "leader_experience",
        "attacks_total": "attacks_total", "spectacular_total": "spectacular_total",
        "killed_total": "killed_total",
    }


def _force_reporters() -> dict:
    return {"faction": "name", "label": "label", "troops": "troops", "killed_total": "killed_total",
            "patrol_share": "patrol_share", "bases_active": lambda f: len(f.active_bases())}


#: values stored as they are; anything else is deep-copied, as Mesa's DataCollector does
_IMMUTABLE = (str, int, float, bool, tuple, np.generic, type(None))


def _stored(value):
    return value if isinstance(value, _IMMUTABLE) else deepcopy(value)


def _model_getter(reporter):
    """``get(model)`` for a model reporter, called as Mesa's DataCollector calls each kind."""
    if isinstance(reporter, str):
        return operator.attrgetter(reporter)
    if isinstance(reporter, list):
        return lambda m: reporter[0](*reporter[1])
    if isinstance(reporter, types.FunctionType | partial):
        return reporter
    return lambda m: reporter()  # a bound method: Mesa calls it without arguments


def _agent_getter(reporter):
    """``get(agent)`` for an agent-type reporter, as Mesa's DataCollector calls each kind."""
    if isinstance(reporter, str):
        return operator.attrgetter(reporter)
    if isinstance(reporter, list):
        return lambda a: reporter[0](a, *reporter[1])
    return reporter


#: the exact types whose values are immutable (instances of :data:`_IMMUTABLE`): a record made of these alone is
#: stored as it is without asking :func:`_stored` value by value
_PLAIN = frozenset({str, int, float, bool, type(None), np.float64, np.int64, np.bool_})


def _as_tuple(get):
    """``get`` returning a one-value tuple."""
    return lambda a: (get(a),)


def _row_getter(reporters: list):
    """``row(agent)``: the tuple of an agent's reporter values, in reporter order, in as few calls as possible.

    A run of attribute-name reporters becomes one ``operator.attrgetter`` of all the names (which reads them in
    order); every other reporter is called as :func:`_agent_getter` calls it.
    """
    parts = []
    names: list[str] = []
    for reporter in [*reporters, None]:
        if isinstance(reporter, str):
            names.append(reporter)
            continue
        if len(names) > 1:
            parts.append(operator.attrgetter(*names))
        elif names:
            parts.append(_as_tuple(operator.attrgetter(names[0])))
        names = []
        if reporter is not None:
            parts.append(_as_tuple(_agent_getter(reporter)))
    if len(parts) == 1:
        return parts[0]

    def row(agent) -> tuple:
        values = ()
        for part in parts:
            values += part(agent)
        return values

    return row


class WeeklyCollector(mesa.DataCollector):
    """Mesa's DataCollector with the same reporters, records and tables, for less work each week.

    Reporters are prepared once (attribute names become ``operator.attrgetter``, a run of them one getter of all
    the names); immutable values (all the reporters here return numbers, strings or booleans) are stored as they
    are instead of deep-copied, which gives equal values of the same types.
    """

    def __init__(self, model_reporters: dict, agenttype_reporters: dict):
        super().__init__(model_reporters=model_reporters, agenttype_reporters=agenttype_reporters)
        self._model_getters = [(name, _model_getter(r)) for name, r in model_reporters.items()]
        self._agent_rows = {cls: _row_getter(list(reps.values())) for cls, reps in agenttype_reporters.items()}

    def records_of(self, agent_type: type) -> list[tuple]:
        """Every record of one agent type, in the order collected: ``(time, unique_id, *reporter values)``."""
        return [record for records in self._agenttype_records.values() if agent_type in records
                for record in records[agent_type]]

    def collect(self, model) -> None:
        time = model.time
        if self.model_reporters:
            self._collection_steps.append(time)
            if not self._validated:
                for name, reporter in self.model_reporters.items():
                    self._validate_model_reporter(name, reporter, model)
            values = [get(model) for _, get in self._model_getters]
            if not _PLAIN.issuperset(map(type, values)):
                values = [_stored(v) for v in values]
            for (name, _), value in zip(self._model_getters, values, strict=True):
                self.model_vars[name].append(value)
        if not self.agenttype_reporters:
            return
        records = self._agenttype_records[time] = {}
        for cls, row in self._agent_rows.items():
            agents = (model.agents_by_type[cls] if cls in model.agent_types
                      else [a for a in model.agents if isinstance(a, cls)])
            rows = []
            for a in agents:
                values = row(a)
                if not _PLAIN.issuperset(map(type, values)):
                    values = tuple(map(_stored, values))
                rows.append((time, a.unique_id, *values))
            records[cls] = rows
