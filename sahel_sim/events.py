"""The run's event log: every attack, claim, split, pledge, merger, leader death and dated scenario event.

Attacks are kept as :class:`Attack` records; organisational and calendar events as :class:`Event` records. Both
become tidy tables (one row per event, one per attack x claimant) in :mod:`sahel_sim.outputs`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd


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
    claimants: list[str] = field(default_factory=list)
    credited: list[str] = field(default_factory=list)
    competing_claims: bool = False
    credit: float = 1.0  # share of the attention credited (unclaimed attacks are partly attributed)
    attention: float = 0.0


@dataclass
class Event:
    """A non-attack event: split, pledge, merger, leader death, deployment, global shock, peace milestone."""

    step: int
    date: dt.date
    kind: str
    faction: str = ""
    other: str = ""
    detail: str = ""
    value: float = 0.0


class EventLog:
    """Accumulates the run's events in memory; tables are built once at the end."""

    def __init__(self) -> None:
        self.attacks: list[Attack] = []
        self.events: list[Event] = []

    def add_attack(self, attack: Attack) -> None:
        self.attacks.append(attack)

    def add(self, step: int, date: dt.date, kind: str, faction: str = "", other: str = "", detail: str = "",
            value: float = 0.0) -> Event:
        event = Event(step, date, kind, faction, other, detail, float(value))
        self.events.append(event)
        return event

    def attacks_frame(self) -> pd.DataFrame:
        """One row per attack; perpetrators and claimants joined with ';'."""
        cols = ["attack_id", "step", "date", "x", "y", "lon", "lat", "region", "zone", "target", "place",
                "perpetrators", "camp", "joint", "killed", "hostages", "foreigners", "attackers_killed",
                "victim_force", "spectacle", "spectacular", "claimants", "competing_claims", "attention"]
        rows = [(a.id, a.step, pd.Timestamp(a.date), a.x, a.y, a.lon, a.lat, a.region, a.zone, a.target, a.place,
                 ";".join(a.perpetrators), a.camp, a.joint, a.killed, a.hostages, a.foreigners,
                 a.attackers_killed, a.victim_force, a.spectacle, a.spectacular, ";".join(a.claimants),
                 a.competing_claims, a.attention) for a in self.attacks]
        frame = pd.DataFrame(rows, columns=cols)
        return frame.astype({"step": "int32", "x": "int16", "y": "int16", "killed": "int32",
                             "hostages": "int32", "attackers_killed": "int32", "joint": bool,
                             "foreigners": bool, "spectacular": bool, "competing_claims": bool,
                             "date": "datetime64[ns]"})

    def claims_frame(self) -> pd.DataFrame:
        """One row per (attack, claimant): whether the claimant took part (claim accuracy)."""
        rows = [(a.id, pd.Timestamp(a.date), c, c in a.perpetrators, a.spectacular)
                for a in self.attacks for c in a.claimants]
        frame = pd.DataFrame(rows, columns=["attack_id", "date", "claimant", "true_claim", "spectacular"])
        return frame.astype({"true_claim": bool, "spectacular": bool, "date": "datetime64[ns]"})

    def events_frame(self) -> pd.DataFrame:
        """One row per organisational or calendar event."""
        rows = [(e.step, pd.Timestamp(e.date), e.kind, e.faction, e.other, e.detail, e.value) for e in self.events]
        frame = pd.DataFrame(rows, columns=["step", "date", "kind", "faction", "other", "detail", "value"])
        return frame.astype({"step": "int32", "date": "datetime64[ns]", "value": float})
