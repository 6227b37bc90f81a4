"""Mechanism 8: Barkhane (Serval from 11 January 2013, Barkhane from 1 August 2014).

France's force has a finite number of troops in Mali (the faction's troop schedule) at its bases. Its presence
projects pressure around the bases; each week it strikes, intelligence-led, at jihadist units within reach of its
bases and drones (Niamey, Gao), the larger a unit the likelier it is found, killing fighters and sometimes a
group's leader. Strikes degrade groups but sometimes harm civilians, which raises grievance; strikes also feed
the targeted group's wish to retaliate, and the force's presence makes French targets available (DIIS 2015;
record README).
The first weeks after the force arrives are a ground offensive (Serval, January to April 2013) with a higher
tempo.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..geography import km_between
from ..params import param
from ..severity import power_law_draw
from .base import Mechanism, draw_by_counts
from .recruitment import add_harm


@dataclass
class BarkhaneConfig:
    """French counter-terrorism force (mechanism 8)."""

    enabled: bool = True
    faction: str = param("barkhane", doc="the foreign_force faction this mechanism drives")
    troop_scale: float = param(1.0, lo=0.0, hi=10.0, doc="multiplier on the troop schedule (the slider)")
    strikes_per_1000: float = param(0.3, lo=0.0, hi=100.0, unit="strikes per week per 1,000 troops")
    offensive_weeks: int = param(14, lo=0, hi=520, unit="weeks", doc="length of the opening ground offensive")
    offensive_multiplier: float = param(3.0, lo=1.0, hi=50.0, doc="strike tempo during the offensive")
    reach_km: float = param(700.0, lo=0.0, hi=5000.0, unit="km", doc="strike reach from bases (drones, jets)")
    presence_radius_km: float = param(150.0, lo=1.0, hi=2000.0, unit="km", doc="e-folding radius of presence")
    kill_share: float = param(0.08, lo=0.0, hi=1.0, doc="mean share of a struck unit killed")
    leader_kill_probability: float = param(0.02, lo=0.0, hi=1.0, doc="per strike on a group's largest unit")
    harm_probability: float = param(0.15, lo=0.0, hi=1.0, doc="chance a strike kills civilians")
    harm_alpha: float = param(2.5, lo=1.1, hi=5.0, doc="power-law exponent of civilians killed")
    retaliation_retention: float = param(0.97, lo=0.0, hi=1.0, unit="per week",
                                         doc="memory of losses to strikes (retaliation motive)")


def base_kernels(model, force, radius_km: float) -> dict[str, np.ndarray]:
    """Each base's presence kernel: exp(-distance / radius) over the map, by place name."""
    world = model.world
    return {b.place: np.exp(-world.km_from(world.places[b.place].lon, world.places[b.place].lat) / radius_km)
            for b in force.bases}


class KernelStack:
    """The distance kernels of a force's active bases, stacked once per set of bases: :meth:`presence` is the
    armed presence around the bases: troops per base (in thousands) times each kernel, summed in base order."""

    def __init__(self, kernels: dict[str, np.ndarray]):
        self.kernels = kernels
        self._places: tuple[str, ...] | None = None
        self._stack: np.ndarray | None = None

    def presence(self, places: tuple[str, ...], troops_per_base: float, shape: tuple[int, int]) -> np.ndarray:
        if not places:
            return np.zeros(shape)
        if places != self._places:
            self._places, self._stack = places, np.stack([self.kernels[p] for p in places])
        return ((troops_per_base / 1000.0) * self._stack).sum(axis=0)


class Barkhane(Mechanism):
    """Troop level, presence field, strikes on units and leaders, civilian harm."""

    name = "barkhane"

    def setup(self) -> None:
        m = self.model
        self.force = m.factions[self.config.faction]
        self.force.troop_scale = self.config.troop_scale
        self.kernels = base_kernels(m, self.force, self.config.presence_radius_km)
        self.stack = KernelStack(self.kernels)
        self.arrival_week: int | None = None

    def step(self) -> None:
        m, cfg = self.model, self.config
        force = self.force
        for g in m.groups():
            g.retaliation *= cfg.retaliation_retention
        bases = force.active_bases()
        if force.troops > 0 and self.arrival_week is None:
            self.arrival_week = m.week
        if force.troops <= 0 or not bases:
            m.foreign_presence[:] = 0.0
            return
        per_base = force.troops / len(bases)
        m.foreign_presence[:] = self.stack.presence(tuple(b.place for b in bases), per_base, m.foreign_presence.shape)
        tempo = cfg.strikes_per_1000 * force.troops / 1000.0
        if self.arrival_week is not None and m.week - self.arrival_week < cfg.offensive_weeks:
            tempo *= cfg.offensive_multiplier
        for _ in range(int(m.rng.poisson(tempo))):
            self.strike(bases)

    def targets_in_reach(self, bases) -> list:
        m = self.model
        units = [u for g in m.groups() for u in g.units]
        if not units:
            return []
        xy = np.array([u.cell.coordinate for u in units])
        lon, lat = m.world.lon[xy[:, 0]], m.world.lat[xy[:, 1]]
        reach = np.zeros(len(units), dtype=bool)
        for b in bases:
            p = m.world.places[b.place]
            reach |= km_between(lon, lat, p.lon, p.lat) <= self.config.reach_km
        return [u for u, ok in zip(units, reach, strict=True) if ok]

    def strike(self, bases) -> None:
        """One intelligence-led strike: the bigger a unit, the likelier it is found."""
        m, cfg, rng = self.model, self.config, self.model.rng
        units = self.targets_in_reach(bases)
        if not units:
            return
        unit = units[draw_by_counts(rng, [u.strength for u in units])]  # the bigger, the likelier
        group = unit.owner
        x, y = unit.cell.coordinate
        is_hq = unit is max(group.units, key=lambda u: u.strength)
        killed = group.lose(int(rng.binomial(unit.strength, cfg.kill_share)), unit)
        self.force.strikes_total += 1
        group.retaliation += killed
        m.deaths["jihadists_by_forces"] += killed
        m.log.add(m.week, m.date, "strike", self.force.name, group.name,
                  f"strike at ({m.world.lat[y]:.2f}, {m.world.lon[x]:.2f}) kills {killed}", killed)
        if is_hq and rng.random() < cfg.leader_kill_probability:
            m.leader_killed(group, by=self.force.name)
        if rng.random() < cfg.harm_probability:
            civilians = power_law_draw(rng, 1.0, cfg.harm_alpha, 100)
            m.deaths["civilians"] += civilians
            rec = m.mechanism("recruitment")
            if rec is not None:
                add_harm(m.grievance, x, y, civilians, rec.config.harm_grievance, rec.config.harm_radius)
            m.log.add(m.week, m.date, "civilian_harm", self.force.name, "",
                      f"strike kills {civilians} civilians", civilians)
