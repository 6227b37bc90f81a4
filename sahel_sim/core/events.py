"""The run's event log: every attack, claim, split, pledge, merger, leader death and dated scenario event.

Attacks are kept as :class:`Attack` records; organisational and calendar events as :class:`Event` records. Both
become tidy tables (one row per event, one per attack x claimant) in :mod:`sahel_sim.runner.outputs`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np
import pandas as pd

from . import frames
from .frames import Irregular


@dataclass
class Attack:
    """One attack: where, by whom, on what, with what toll and spectacle, and who claimed it."""

    id: int
    step: int
    date: dt.date
    x: int
    y: int
    lon: float
    lat: float
    region: str
    zone: str
    target: str
    place: str
    perpetrators: list[str]
    camp: str
    joint: bool
    killed: int
    hostages: int
    foreigners: bool
    attackers_killed: int
    spectacle: float
    spectacular: bool
    victim_force: str = ""
    peace_relevance: float = 0.0
    target_kind: str = ""  # the kind of the site of the target layer ("" for the group's own area)
    city: str = ""  # the city the site belongs to ("" for the group's own area)
    claimants: list[str] = field(default_factory=list)
    credited: list[str] = field(default_factory=list)
    competing_claims: bool = False
    credit: float = 1.0  # share of the attention credited (unclaimed attacks are partly attributed)
    attention: float = 0.0


#: the terms a group weighed in a decision (a change of relations, a split, a pledge, a merger, a joint operation),
#: each a column of the events table (``term_<name>``; NaN where the event weighed no such term), then the
#: decision's total ``utility`` and the ``probability`` of the move that week. What each term is: docs/ODD.md 7.12.
TERMS = ("pressure", "overlap", "ties", "brand", "fight", "succession", "restraint", "attention", "funds",
         "commitment", "partners", "size", "switched", "grievance", "absence", "competition", "abuse", "militia",
         "threat", "recruits")
#: the events table's columns of a decision: the terms, the utility and the probability
DECISION_COLUMNS = (*(f"term_{t}" for t in TERMS), "utility", "probability")


@dataclass
class Event:
    """A non-attack event: split, pledge, merger, leader death, deployment, global shock, peace milestone, change of
    relations between two groups (``state``: the pair's new state), joint operation. A decision carries the terms
    that drove it (``terms``: keys of :data:`TERMS`, ``utility``, ``probability``)."""

    step: int
    date: dt.date
    kind: str
    faction: str = ""
    other: str = ""
    detail: str = ""
    value: float = 0.0
    state: str = ""
    terms: dict[str, float] | None = None


class EventLog:
    """Accumulates the run's events in memory; tables are built once at the end."""

    def __init__(self) -> None:
        self.attacks: list[Attack] = []
        self.events: list[Event] = []

    def add_attack(self, attack: Attack) -> None:
        self.attacks.append(attack)

    def add(self, step: int, date: dt.date, kind: str, faction: str = "", other: str = "", detail: str = "",
            value: float = 0.0, state: str = "", terms: dict[str, float] | None = None) -> Event:
        """Log an event; a decision passes the terms that drove it (names of :data:`TERMS`, ``utility``,
        ``probability``)."""
        if terms is not None:
            unknown = set(terms) - {*TERMS, "utility", "probability"}
            if unknown:
                raise KeyError(f"unknown decision terms {sorted(unknown)}; allowed: {', '.join(TERMS)}, utility, "
                               "probability")
        event = Event(step, date, kind, faction, other, detail, float(value), state, terms)
        self.events.append(event)
        return event

    def attacks_frame(self) -> pd.DataFrame:
        """One row per attack; perpetrators and claimants joined with ';'."""
        try:
            return self._attacks_by_column()
        except Irregular:
            return self._attacks_by_row()

    def claims_frame(self) -> pd.DataFrame:
        """One row per (attack, claimant): whether the claimant took part (claim accuracy)."""
        try:
            return self._claims_by_column()
        except Irregular:
            return self._claims_by_row()

    def events_frame(self) -> pd.DataFrame:
        """One row per organisational or calendar event, with the terms of each decision (:data:`TERMS`)."""
        try:
            return self._events_by_column()
        except Irregular:
            return self._events_by_row()

    # Each table is built column by column (one numpy call per column, :mod:`sahel_sim.core.frames`) when every column
    # holds one kind of value, which is the case in every run; otherwise (no rows, a None, mixed kinds) row by
    # row with pandas, as it always was. Both give the same table (tests/test_frames.py).

    def _attacks_by_column(self) -> pd.DataFrame:
        a = self.attacks
        if not a:
            raise Irregular("no attacks")
        names = ("id", "step", "date", "x", "y", "lon", "lat", "region", "zone", "target", "place", "target_kind",
                 "city", "camp", "joint",
                 "killed", "hostages", "foreigners", "attackers_killed", "victim_force", "spectacle", "spectacular",
                 "competing_claims", "attention")
        v = dict(zip(names, zip(*map(attrgetter(*names), a), strict=True), strict=True))
        return frames.frame({
            "attack_id": frames.column(v["id"]),
            "step": frames.integers(v["step"], np.int32),
            "date": frames.dates_ns(v["date"]),
            "x": frames.integers(v["x"], np.int16),
            "y": frames.integers(v["y"], np.int16),
            "lon": frames.column(v["lon"]),
            "lat": frames.column(v["lat"]),
            "region": frames.column(v["region"]),
            "zone": frames.column(v["zone"]),
            "target": frames.column(v["target"]),
            "place": frames.column(v["place"]),
            "target_kind": frames.column(v["target_kind"]),
            "city": frames.column(v["city"]),
            "perpetrators": frames.column([";".join(x.perpetrators) for x in a]),
            "camp": frames.column(v["camp"]),
            "joint": frames.booleans(v["joint"]),
            "killed": frames.integers(v["killed"], np.int32),
            "hostages": frames.integers(v["hostages"], np.int32),
            "foreigners": frames.booleans(v["foreigners"]),
            "attackers_killed": frames.integers(v["attackers_killed"], np.int32),
            "victim_force": frames.column(v["victim_force"]),
            "spectacle": frames.column(v["spectacle"]),
            "spectacular": frames.booleans(v["spectacular"]),
            "claimants": frames.column([";".join(x.claimants) for x in a]),
            "competing_claims": frames.booleans(v["competing_claims"]),
            "attention": frames.column(v["attention"]),
        })

    def _claims_by_column(self) -> pd.DataFrame:
        pairs = [(a, c) for a in self.attacks for c in a.claimants]
        if not pairs:
            raise Irregular("no claims")
        return frames.frame({
            "attack_id": frames.column([a.id for a, _ in pairs]),
            "date": frames.dates_ns([a.date for a, _ in pairs]),
            "claimant": frames.column([c for _, c in pairs]),
            "true_claim": frames.booleans([c in a.perpetrators for a, c in pairs]),
            "spectacular": frames.booleans([a.spectacular for a, _ in pairs]),
        })

    def _events_by_column(self) -> pd.DataFrame:
        e = self.events
        if not e:
            raise Irregular("no events")
        value = frames.column([x.value for x in e])
        if value.dtype != np.float64:
            raise Irregular("values not floats")
        return frames.frame({
            "step": frames.integers([x.step for x in e], np.int32),
            "date": frames.dates_ns([x.date for x in e]),
            "kind": frames.column([x.kind for x in e]),
            "faction": frames.column([x.faction for x in e]),
            "other": frames.column([x.other for x in e]),
            "detail": frames.column([x.detail for x in e]),
            "value": value,
            "state": frames.column([x.state for x in e]),
            **dict(zip(DECISION_COLUMNS, _decision_columns(e), strict=True)),
        })

    def _attacks_by_row(self) -> pd.DataFrame:
        cols = ["attack_id", "step", "date", "x", "y", "lon", "lat", "region", "zone", "target", "place",
                "target_kind", "city", "perpetrators", "camp", "joint", "killed", "hostages", "foreigners",
                "attackers_killed", "victim_force", "spectacle", "spectacular", "claimants", "competing_claims",
                "attention"]
        rows = [(a.id, a.step, pd.Timestamp(a.date), a.x, a.y, a.lon, a.lat, a.region, a.zone, a.target, a.place,
                 a.target_kind, a.city, ";".join(a.perpetrators), a.camp, a.joint, a.killed, a.hostages, a.foreigners,
                 a.attackers_killed, a.victim_force, a.spectacle, a.spectacular, ";".join(a.claimants),
                 a.competing_claims, a.attention) for a in self.attacks]
        frame = pd.DataFrame(rows, columns=cols)
        return frame.astype({"step": "int32", "x": "int16", "y": "int16", "killed": "int32",
                             "hostages": "int32", "attackers_killed": "int32", "joint": bool,
                             "foreigners": bool, "spectacular": bool, "competing_claims": bool,
                             "date": "datetime64[ns]"})

    def _claims_by_row(self) -> pd.DataFrame:
        rows = [(a.id, pd.Timestamp(a.date), c, c in a.perpetrators, a.spectacular)
                for a in self.attacks for c in a.claimants]
        frame = pd.DataFrame(rows, columns=["attack_id", "date", "claimant", "true_claim", "spectacular"])
        return frame.astype({"true_claim": bool, "spectacular": bool, "date": "datetime64[ns]"})

    def _events_by_row(self) -> pd.DataFrame:
        names = [*TERMS, "utility", "probability"]
        rows = [(e.step, pd.Timestamp(e.date), e.kind, e.faction, e.other, e.detail, e.value, e.state,
                 *(float((e.terms or {}).get(t, np.nan)) for t in names)) for e in self.events]
        frame = pd.DataFrame(rows, columns=["step", "date", "kind", "faction", "other", "detail", "value", "state",
                                            *DECISION_COLUMNS])
        return frame.astype({"step": "int32", "date": "datetime64[ns]", "value": float,
                             **dict.fromkeys(DECISION_COLUMNS, float)})


def _decision_columns(events: list[Event]) -> list[np.ndarray]:
    """The decision columns of the events table (:data:`DECISION_COLUMNS`), NaN where an event has no such term."""
    out = []
    for name in (*TERMS, "utility", "probability"):
        out.append(np.array([np.nan if e.terms is None else float(e.terms.get(name, np.nan)) for e in events],
                            dtype=np.float64))
    return out
