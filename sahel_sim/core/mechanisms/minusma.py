"""Mechanism 9: MINUSMA, the UN stabilisation mission (from July 2013, UNSC resolution 2100).

Its camps in the north and centre project patrols that protect civilians (easing grievance) and raise state
presence. It is a target for IEDs, rockets and suicide attacks; as its recent losses rise it shifts effort from
patrols to force protection, which cuts the toll of attacks on it but also its patrol presence (DIIS 2015: 56
peacekeepers killed in two years, the most dangerous UN mission).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..params import param
from .barkhane import KernelStack, base_kernels
from .base import Mechanism


@dataclass
class MinusmaConfig:
    """UN stabilisation mission (mechanism 9)."""

    enabled: bool = True
    faction: str = param("minusma", doc="the peacekeeping faction this mechanism drives")
    size_scale: float = param(1.0, lo=0.0, hi=10.0, doc="multiplier on the deployed strength (the slider)")
    max_patrol_share: float = param(0.7, lo=0.0, hi=1.0, doc="share of effort on patrols when unthreatened")
    protection_sensitivity: float = param(0.03, lo=0.0, hi=10.0, unit="per peacekeeper killed recently",
                                          doc="how fast losses turn patrols into force protection")
    loss_retention: float = param(0.97, lo=0.0, hi=1.0, unit="per week", doc="memory of recent losses")
    adjust_rate: float = param(0.1, lo=0.0, hi=1.0, unit="per week", doc="speed of posture change")
    presence_radius_km: float = param(100.0, lo=1.0, hi=2000.0, unit="km")
    protection_effect: float = param(0.6, lo=0.0, hi=1.0, doc="largest cut of deaths by force protection")


def patrol_share_target(max_share: float, sensitivity: float, recent_losses: float) -> float:
    """Patrol share chosen for a given threat: falls as recent losses rise."""
    return max_share / (1.0 + sensitivity * recent_losses)


class Minusma(Mechanism):
    """Posture (patrols vs force protection), patrol presence field, protection level."""

    name = "minusma"

    def setup(self) -> None:
        m = self.model
        self.force = m.factions[self.config.faction]
        self.force.troop_scale = self.config.size_scale
        self.force.patrol_share = self.config.max_patrol_share
        self.kernels = base_kernels(m, self.force, self.config.presence_radius_km)
        self.stack = KernelStack(self.kernels)

    def step(self) -> None:
        m, cfg, force = self.model, self.config, self.force
        force.recent_losses *= cfg.loss_retention
        target = patrol_share_target(cfg.max_patrol_share, cfg.protection_sensitivity, force.recent_losses)
        force.patrol_share += cfg.adjust_rate * (target - force.patrol_share)
        bases = force.active_bases()
        if force.troops <= 0 or not bases:
            m.un_presence[:] = 0.0
            m.un_protection = 0.0
            return
        m.un_presence[:] = self.stack.presence(tuple(b.place for b in bases),
                                               force.troops * force.patrol_share / len(bases), m.un_presence.shape)
        m.un_protection = cfg.protection_effect * (1.0 - force.patrol_share / max(cfg.max_patrol_share, 1e-9))
