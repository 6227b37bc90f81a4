"""Mechanism 5: territory and revenue.

Each group's units project presence over nearby cells; a group's influence in a cell relaxes toward its share of
all armed presence there, the state's and foreign forces' presence included, so that shares stay in [0, 1] and sum
to at most 1. Influence over trafficking routes and porous borders where the state is weak yields revenue
(UNODC 2009, 2013: cocaine, cigarettes, arms through northern Mali); fighters cost upkeep, and a group that cannot
pay loses fighters. Units in cells held by the state or foreign forces, or next to the rival camp, fight and take
losses; each week units move away from pressure toward routes, people, grievance and their own ground.
The state's presence recovers toward its structural level (raised by foreign and UN presence and peace-process
progress) and is eroded where jihadist influence is strong: the 2012 collapse of the north and its reversal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import param
from .base import Mechanism


@dataclass
class TerritoryConfig:
    """Territory, revenue, clashes and movement (mechanism 5)."""

    enabled: bool = True
    spread_radius: int = param(2, lo=0, hi=10, unit="cells", doc="how far a unit projects presence")
    influence_rate: float = param(0.15, lo=0.0, hi=1.0, unit="per week", doc="speed of influence change")
    half_saturation: float = param(2.0, lo=0.01, hi=1000.0, unit="fighters per cell")
    state_strength: float = param(15.0, lo=0.0, hi=1000.0, unit="fighter-equivalents per unit state presence")
    foreign_strength: float = param(30.0, lo=0.0, hi=1000.0,
                                    unit="fighter-equivalents per unit foreign presence")
    un_strength: float = param(5.0, lo=0.0, hi=1000.0, unit="fighter-equivalents per unit UN presence")
    dominance: float = param(0.5, lo=0.0, hi=1.0, doc="influence from which a cell counts as held")
    revenue_rate: float = param(8.0, lo=0.0, hi=1e4, unit="thousand USD per week per fully held route cell",
                                source="order of magnitude: AQIM spending ~$2M a month (Stratfor 2012)")
    border_value: float = param(0.5, lo=0.0, hi=10.0, doc="route value of a porous border cell")
    upkeep: float = param(0.25, lo=0.0, hi=100.0, unit="thousand USD per fighter per week")
    desertion_rate: float = param(0.02, lo=0.0, hi=1.0, unit="per week", doc="share lost when funds run out")
    clash_lethality: float = param(0.002, lo=0.0, hi=1.0, unit="per week",
                                   doc="weekly loss share of a unit under full hostile pressure")
    exchange_ratio: float = param(0.35, lo=0.0, hi=10.0, doc="state/foreign deaths per jihadist killed in clashes")
    rival_lethality: float = param(0.005, lo=0.0, hi=1.0, unit="per week",
                                   doc="weekly loss share of a unit facing the rival camp")
    state_recovery: float = param(0.02, lo=0.0, hi=1.0, unit="per week")
    state_erosion: float = param(0.08, lo=0.0, hi=1.0, unit="per week per unit jihadist influence")
    foreign_support: float = param(0.4, lo=0.0, hi=10.0, doc="state presence added per unit foreign presence")
    un_support: float = param(0.3, lo=0.0, hi=10.0, doc="state presence added per unit UN presence")
    move_radius: int = param(2, lo=0, hi=20, unit="cells per week")
    route_pull: float = param(1.0, lo=0.0, hi=100.0)
    people_pull: float = param(1.0, lo=0.0, hi=100.0, doc="pull of populated cells (per log10 persons)")
    grievance_pull: float = param(1.0, lo=0.0, hi=100.0)
    home_pull: float = param(1.0, lo=0.0, hi=100.0, doc="pull of the group's own influence")
    pressure_push: float = param(3.0, lo=0.0, hi=100.0, doc="push of state, foreign and UN presence")
    crowding_push: float = param(0.5, lo=0.0, hi=100.0, doc="push per 100 own fighters already in a cell")
    move_noise: float = param(0.3, lo=0.0, hi=100.0, doc="scale of the Gumbel noise of a move")
    max_unit: int = param(300, lo=10, hi=100_000, unit="fighters", doc="a larger unit splits in two")


def spread(field: np.ndarray, radius: int) -> np.ndarray:
    """Presence projected over neighbouring cells: ``radius`` passes of a 3x3 mean filter (edges reflect)."""
    out = field
    for _ in range(radius):
        padded = np.pad(out, [(0, 0)] * (out.ndim - 2) + [(1, 1), (1, 1)], mode="edge")
        acc = np.zeros_like(out)
        nx, ny = out.shape[-2:]
        for dx in range(3):
            for dy in range(3):
                acc += padded[..., dx:dx + nx, dy:dy + ny]
        out = acc / 9.0
    return out


def influence_target(presence: np.ndarray, opposition: np.ndarray, half_saturation: float) -> np.ndarray:
    """Each group's share of all armed presence in each cell (the state and foreign forces included)."""
    return presence / (presence.sum(axis=0) + opposition + half_saturation)


def route_revenue(influence: np.ndarray, route_value: np.ndarray, state: np.ndarray, rate: float,
                  cut: float) -> np.ndarray:
    """Weekly revenue of each group from the routes and borders it holds where the state is weak."""
    taxable = route_value * (1.0 - state)
    return rate * (1.0 - cut) * np.tensordot(influence, taxable, axes=([1, 2], [0, 1]))


class Territory(Mechanism):
    """Presence, influence, state presence, revenue and upkeep, clashes, and unit movement."""

    name = "territory"

    def setup(self) -> None:
        w = self.model.world
        self.route_value = np.maximum(w.route, self.config.border_value * w.border)
        self.people = np.log10(1.0 + w.population) / 6.0  # ~1 for a city of a million
        self.model.compute_presence()

    def opposition(self) -> np.ndarray:
        """Armed presence opposed to the jihadists, in fighter-equivalents per cell."""
        m, cfg = self.model, self.config
        state_force = m.force("state")
        state_factor = (state_force.troops / 10_000.0) if state_force is not None else 0.0
        return (cfg.state_strength * state_factor * m.state_presence + cfg.foreign_strength * m.foreign_presence
                + cfg.un_strength * m.un_presence)

    def step(self) -> None:
        m, cfg = self.model, self.config
        self.move_units()
        m.compute_presence()
        spread_presence = spread(m.presence, cfg.spread_radius)
        opposition = self.opposition()
        target = influence_target(spread_presence, opposition, cfg.half_saturation)
        m.influence += cfg.influence_rate * (target - m.influence)
        # the state recovers toward its supported level and is eroded by jihadist influence
        jihadist = m.influence.sum(axis=0)
        support = np.clip(m.world.state_base + cfg.foreign_support * m.foreign_presence
                          + cfg.un_support * m.un_presence + m.peace_state_support, 0.0, 1.0)
        m.state_presence += cfg.state_recovery * (support - m.state_presence)
        m.state_presence -= cfg.state_erosion * jihadist * m.state_presence
        np.clip(m.state_presence, 0.0, 1.0, out=m.state_presence)
        self.collect_revenue()
        self.clash(opposition, spread_presence)
        self.split_large_units()

    def collect_revenue(self) -> None:
        m, cfg = self.model, self.config
        revenue = route_revenue(m.influence, self.route_value, m.state_presence, cfg.revenue_rate,
                                m.peace_revenue_cut)
        for g in m.groups():
            g.revenue_week = float(revenue[g.slot])
            g.funds += g.revenue_week - cfg.upkeep * g.fighters
            if g.funds < 0:
                g.funds = 0.0
                g.lose(int(m.rng.binomial(g.fighters, cfg.desertion_rate)))

    def clash(self, opposition: np.ndarray, spread_presence: np.ndarray) -> None:
        """Units under state/foreign pressure or facing the rival camp lose fighters; forces lose some too."""
        m, cfg, rng = self.model, self.config, self.model.rng
        camp_presence = {c: np.zeros(opposition.shape) for c in m.global_share}
        for g in m.groups():
            camp_presence[g.camp] = camp_presence.get(g.camp, 0) + spread_presence[g.slot]
        state_deaths = 0
        for g in m.groups():
            rival = sum(v for c, v in camp_presence.items() if c != g.camp)
            for unit in list(g.units):
                x, y = unit.cell.coordinate
                hostile = opposition[x, y]
                pressure = hostile / (hostile + cfg.half_saturation + 10.0)
                p = cfg.clash_lethality * pressure
                rival_here = rival[x, y] if np.ndim(rival) else 0.0
                p_rival = cfg.rival_lethality * rival_here / (rival_here + cfg.half_saturation + 10.0)
                lost = g.lose(int(rng.binomial(unit.strength, min(1.0, p + p_rival))), unit)
                if lost and p > 0:
                    force_share = p / (p + p_rival)
                    state_deaths += int(rng.binomial(lost, min(1.0, cfg.exchange_ratio * force_share)))
                    m.deaths["jihadist_vs_state"] += int(round(lost * force_share))
                    m.deaths["jihadist_vs_jihadist"] += lost - int(round(lost * force_share))
                elif lost:
                    m.deaths["jihadist_vs_jihadist"] += lost
        if state_deaths:
            state = m.force("state")
            if state is not None:
                state.killed_total += state_deaths
            m.deaths["state_forces"] += state_deaths

    def move_units(self) -> None:
        """Each unit moves to the most attractive cell within reach (with Gumbel noise)."""
        m, cfg, rng = self.model, self.config, self.model.rng
        r = cfg.move_radius
        if r == 0:
            return
        base = (cfg.route_pull * self.route_value + cfg.people_pull * self.people
                + cfg.grievance_pull * m.grievance
                - cfg.pressure_push * (m.state_presence * 0.5 + m.foreign_presence + 0.3 * m.un_presence))
        nx, ny = base.shape
        for g in m.groups():
            if not g.units:
                continue
            field = base + cfg.home_pull * m.influence[g.slot] - cfg.crowding_push * m.presence[g.slot] / 100.0
            for unit in g.units:
                x, y = unit.cell.coordinate
                x0, x1, y0, y1 = max(0, x - r), min(nx, x + r + 1), max(0, y - r), min(ny, y + r + 1)
                window = field[x0:x1, y0:y1] + cfg.move_noise * rng.gumbel(size=(x1 - x0, y1 - y0))
                i, j = np.unravel_index(int(np.argmax(window)), window.shape)
                if (x0 + i, y0 + j) != (x, y):
                    unit.cell = m.grid._cells[(x0 + i, y0 + j)]

    def split_large_units(self) -> None:
        """A unit larger than ``max_unit`` fighters divides in two on the same cell."""
        m = self.model
        for g in m.groups():
            for unit in [u for u in g.units if u.strength > self.config.max_unit]:
                half = unit.strength // 2
                unit.strength -= half
                m.new_unit(g, half, unit.cell)
