"""Mechanism 10: the peace process and the spoiler motive.

Dated agreements (15 May and 20 June 2015, the Algiers accord: DIIS 2015) start an implementation track whose
progress grows each week, with meetings at venues in Bamako (the Radisson Blu hosted the delegations planning
it). Jihadists were excluded: progress restricts their freedom of movement and their business (more state
presence in the north and centre, less trafficking revenue), so it raises their motive to spoil it, most in the
weeks a meeting is held. Attacks on peace-relevant targets set the process back (Kydd & Walter 2006, spoiling).
``strength`` is the process's intensity: the dial of the phase-diagram experiment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..geography import ZONES
from ..params import param
from .base import Mechanism


@dataclass
class PeaceProcessConfig:
    """Peace process (mechanism 10)."""

    enabled: bool = True
    strength: float = param(1.0, lo=0.0, hi=5.0, doc="intensity of the process: scales milestones and pace")
    milestone_jump: float = param(0.1, lo=0.0, hi=1.0, doc="progress added by a signed agreement")
    implementation_rate: float = param(0.005, lo=0.0, hi=1.0, unit="per week", doc="pace toward full progress")
    meeting_interval_weeks: int = param(8, lo=1, hi=520, unit="weeks")
    venues: list[str] = param(factory=lambda: ["radisson_blu"], doc="places hosting meetings, in rotation")
    setback: float = param(0.002, lo=0.0, hi=1.0, doc="progress lost per unit spectacle of a peace-relevant attack")
    spoiler_gain: float = param(1.0, lo=0.0, hi=10.0, doc="spoiler motive per unit progress")
    meeting_bump: float = param(0.5, lo=0.0, hi=10.0, doc="extra spoiler motive in a meeting week")
    state_support: float = param(0.2, lo=0.0, hi=1.0, doc="state presence added in the north and centre")
    revenue_cut: float = param(0.4, lo=0.0, hi=1.0, doc="share of trafficking revenue lost at full progress")


class PeaceProcess(Mechanism):
    """Progress, setbacks, meetings, spoiler motive and the process's effect on movement and business."""

    name = "peace_process"

    def setup(self) -> None:
        m = self.model
        zone = m.world.zone
        self.affected = ((zone == ZONES.index("north")) | (zone == ZONES.index("centre"))).astype(float)
        self.signed_week: int | None = None

    def milestone(self, value: float) -> None:
        """A signed agreement: the track starts (or jumps ahead)."""
        m = self.model
        if self.signed_week is None:
            self.signed_week = m.week
        m.peace_progress = float(min(1.0, m.peace_progress + self.config.strength * self.config.milestone_jump
                                     * (value if value > 0 else 1.0)))

    def step(self) -> None:
        m, cfg = self.model, self.config
        m.peace_venue = None
        if self.signed_week is None:
            return
        setback = sum(a.spectacle * a.peace_relevance for a in m.attacks_last_week)
        progress = m.peace_progress + cfg.strength * cfg.implementation_rate * (1.0 - m.peace_progress)
        m.peace_progress = float(np.clip(progress - cfg.setback * setback, 0.0, 1.0))
        meeting = (m.week - self.signed_week) % cfg.meeting_interval_weeks == 0
        if meeting and cfg.venues:
            k = (m.week - self.signed_week) // cfg.meeting_interval_weeks
            m.peace_venue = cfg.venues[k % len(cfg.venues)]
            m.log.add(m.week, m.date, "peace_meeting", "", m.peace_venue, "implementation meeting",
                      m.peace_progress)
        m.spoiler_motive = cfg.strength * (cfg.spoiler_gain * m.peace_progress + cfg.meeting_bump * meeting)
        m.peace_state_support = cfg.state_support * m.peace_progress * self.affected
        m.peace_revenue_cut = cfg.revenue_cut * m.peace_progress
