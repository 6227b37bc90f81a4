"""Mechanism 6: recruitment and grievance.

Local recruits come from the population where a group holds influence, in proportion to grievance and to the
group's prestige; foreign recruits follow global attention. Grievance is a per-cell field that relaxes toward its
regional baseline, is raised by civilian harm from foreign strikes (intervention can fuel the insurgency it
fights: Bennett 2008, JASSS 11(4)7) and eased by UN patrols. Baselines: northern (Tuareg) grievances and the
central Fulani grievances that the Macina Liberation Front recruited on (HRW 2016; Jamestown 2015).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..geography import ZONES
from ..params import param
from .base import Mechanism


@dataclass
class GrievanceBaseline:
    """Baseline grievance by zone, in [0, 1]."""

    north: float = param(0.5, lo=0.0, hi=1.0)
    centre: float = param(0.3, lo=0.0, hi=1.0)
    south: float = param(0.1, lo=0.0, hi=1.0)
    abroad: float = param(0.15, lo=0.0, hi=1.0)


@dataclass
class RecruitmentConfig:
    """Recruitment and grievance (mechanism 6)."""

    enabled: bool = True
    local_rate: float = param(0.4, lo=0.0, hi=1e3,
                              unit="recruits per week per 100,000 persons at full grievance and influence")
    prestige_boost: float = param(3.0, lo=0.0, hi=100.0, doc="recruitment multiplier per unit prestige")
    foreign_rate: float = param(20.0, lo=0.0, hi=1e4,
                                unit="foreign recruits per week per unit attention share and salience")
    salience_floor: float = param(0.5, lo=0.0, hi=10.0,
                                  doc="global salience of jihadism for foreign recruits without rivalry (added to it)")
    relaxation: float = param(0.01, lo=0.0, hi=1.0, unit="per week", doc="grievance return to baseline")
    harm_grievance: float = param(0.02, lo=0.0, hi=1.0, doc="grievance added per civilian killed in a strike")
    harm_radius: int = param(2, lo=0, hi=20, unit="cells")
    un_relief: float = param(0.01, lo=0.0, hi=1.0, unit="per week per unit UN presence",
                             doc="grievance eased by UN patrols")
    baseline: GrievanceBaseline = field(default_factory=GrievanceBaseline)


def grievance_baseline(zone: np.ndarray, baseline: GrievanceBaseline) -> np.ndarray:
    """Baseline grievance of every cell, from its zone."""
    by_zone = np.array([getattr(baseline, z) for z in ZONES])
    return by_zone[zone]


def expected_local_recruits(influence: np.ndarray, population: np.ndarray, grievance: np.ndarray,
                            prestige: np.ndarray, rate: float, boost: float) -> np.ndarray:
    """Expected weekly local recruits of each group: people x grievance x influence, scaled by prestige."""
    pool = population * grievance / 1e5
    return rate * (1.0 + boost * prestige) * (influence * pool).sum(axis=(1, 2))  # no BLAS: same bits everywhere


def add_harm(grievance: np.ndarray, x: int, y: int, civilians: int, per_civilian: float, radius: int) -> None:
    """Civilian harm raises grievance in the cell and around it (in place, capped at 1)."""
    nx, ny = grievance.shape
    x0, x1, y0, y1 = max(0, x - radius), min(nx, x + radius + 1), max(0, y - radius), min(ny, y + radius + 1)
    grievance[x0:x1, y0:y1] = np.minimum(1.0, grievance[x0:x1, y0:y1] + per_civilian * civilians)


class Recruitment(Mechanism):
    """Grievance dynamics, then local and foreign recruits for every group."""

    name = "recruitment"

    def setup(self) -> None:
        self.baseline = grievance_baseline(self.model.world.zone, self.config.baseline)

    def step(self) -> None:
        m, cfg = self.model, self.config
        m.grievance += cfg.relaxation * (self.baseline - m.grievance)
        m.grievance -= cfg.un_relief * m.un_presence * m.grievance
        np.clip(m.grievance, 0.0, 1.0, out=m.grievance)
        groups = m.groups()
        if not groups:
            return
        slots = [g.slot for g in groups]
        prestige = np.array([g.prestige for g in groups])
        # the communal layer adds its grievance where the state is absent (0 without it: mechanisms.communal)
        grievance = m.grievance + m.communal_recruitment
        local = expected_local_recruits(m.influence[slots], m.world.population, grievance, prestige,
                                        cfg.local_rate, cfg.prestige_boost)
        salience = m.rivalry_intensity + cfg.salience_floor
        for g, lam in zip(groups, local, strict=True):
            if not g.units:
                continue
            n = int(m.rng.poisson(lam + cfg.foreign_rate * g.attention_share * salience))
            if n:
                g.recruit(n, self._best_cell(g))

    def _best_cell(self, group):
        """Recruits join near the group's best recruiting ground: its unit in the most aggrieved cell."""
        m = self.model
        unit = max(group.units, key=lambda u: m.grievance[u.cell.coordinate] * (1 + u.strength / 1000))
        return unit.cell
