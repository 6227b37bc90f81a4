"""Mechanism 10: the peace process and the spoiler motive.

Dated agreements (15 May and 20 June 2015, the Algiers accord: DIIS 2015) start an implementation track whose
progress grows each week. The process is a sequence of meetings held at sites of the target layer
(:mod:`sahel_sim.core.targets`): each signing is held that week at a meeting host in the capital (the 2015 signing
ceremonies were held in Bamako: public record), and follow-up meetings of the implementation arrive at a generic
rate (one every ``meeting_interval_weeks`` on average, a weekly Bernoulli draw), each at a host site chosen by a
documented rule: uniformly among the capital's active meeting hosts (its peace sites, its highest-ranked hotels,
its first government building) other than the last one used, so that meetings rotate. The negotiation rounds of
2014-15 were held in Algiers, off the map, and are not modelled as meetings. ``schedule: fixed`` keeps the model
as it was before issue 18, a meeting every ``meeting_interval_weeks`` at the configured ``venues`` in rotation
(the comparison scenario ``scenario=given_venues``).

Jihadists were excluded: progress restricts their freedom of movement and their business (more state presence in
the north and centre, less trafficking revenue), so it raises their motive to spoil it, most in the weeks a meeting
is held; attack choice then weighs each site by its relevance to the process (1 where this week's meeting is held).
Attacks on peace-relevant targets set the process back (Kydd & Walter 2006, spoiling).
``strength`` is the process's intensity: the dial of the phase-diagram experiment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..geography import ZONES
from ..params import ConfigError, param
from ..targets import layer_for
from .base import Mechanism


@dataclass
class PeaceProcessConfig:
    """Peace process (mechanism 10)."""

    enabled: bool = True
    strength: float = param(1.0, lo=0.0, hi=5.0, doc="intensity of the process: scales milestones and pace")
    milestone_jump: float = param(0.1, lo=0.0, hi=1.0, doc="progress added by a signed agreement")
    implementation_rate: float = param(0.005, lo=0.0, hi=1.0, unit="per week", doc="pace toward full progress")
    schedule: str = param("rate", choices=("rate", "fixed"),
                          doc="rate: signings and follow-up meetings at host sites of the target layer, the "
                              "follow-ups at a generic rate; fixed: a meeting every meeting_interval_weeks at "
                              "venues, in rotation (the comparison scenario)")
    meeting_interval_weeks: int = param(8, lo=1, hi=520, unit="weeks",
                                        doc="mean interval between follow-up meetings (rate), or their period "
                                            "(fixed)",
                                        source="assumption, to be inferred (issue 19): the agreement's monitoring "
                                               "committee met in Bamako every one to two months from mid-2015 "
                                               "(public record, order of magnitude)")
    at_sites: bool = param(True, doc="whether meetings are held at sites the groups can strike (false: the "
                                     "meetings go ahead at no such place; the counterfactual no_peace_meetings)")
    venues: list[str] = param(factory=list, doc="places of map.places hosting the meetings in rotation (fixed "
                                                "schedule only)")
    setback: float = param(0.002, lo=0.0, hi=1.0, doc="progress lost per unit spectacle of a peace-relevant attack")
    spoiler_gain: float = param(1.0, lo=0.0, hi=10.0, doc="spoiler motive per unit progress")
    meeting_bump: float = param(0.5, lo=0.0, hi=10.0, doc="extra spoiler motive in a meeting week")
    state_support: float = param(0.2, lo=0.0, hi=1.0, doc="state presence added in the north and centre")
    revenue_cut: float = param(0.4, lo=0.0, hi=1.0, doc="share of trafficking revenue lost at full progress")

    def check(self, path: str) -> None:
        if self.schedule == "fixed" and self.at_sites and not self.venues:
            raise ConfigError(f"{path}.venues", "is empty with schedule fixed; allowed: at least one place of "
                              "map.places (or at_sites: false)")


class PeaceProcess(Mechanism):
    """Progress, setbacks, meetings, spoiler motive and the process's effect on movement and business."""

    name = "peace_process"

    def setup(self) -> None:
        m = self.model
        zone = m.world.zone
        self.affected = ((zone == ZONES.index("north")) | (zone == ZONES.index("centre"))).astype(float)
        self.signed_week: int | None = None
        self.signing = False  # a signing this week: a meeting at a host site
        self.last_site: str | None = None
        self.hosts: list = []
        if self.config.schedule == "rate":
            layer = layer_for(m.world.config, m.config.mechanisms.attacks.layer)
            self.hosts = [t for t in layer if t.hosts_meetings]

    def milestone(self, value: float) -> None:
        """A signed agreement: the track starts (or jumps ahead), and the signing is a meeting this week."""
        m = self.model
        if self.signed_week is None:
            self.signed_week = m.week
        self.signing = True
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
        if cfg.schedule == "fixed":
            meeting = (m.week - self.signed_week) % cfg.meeting_interval_weeks == 0
            if meeting and cfg.venues and cfg.at_sites:
                k = (m.week - self.signed_week) // cfg.meeting_interval_weeks
                m.peace_venue = cfg.venues[k % len(cfg.venues)]
                m.log.add(m.week, m.date, "peace_meeting", "", m.peace_venue, "implementation meeting",
                          m.peace_progress)
        else:
            signing, self.signing = self.signing, False
            meeting = signing or bool(m.rng.random() < 1.0 / cfg.meeting_interval_weeks)
            site = self.meeting_site() if meeting and cfg.at_sites else None
            if site is not None:
                m.peace_venue = site
                m.log.add(m.week, m.date, "peace_meeting", "", site,
                          "signing" if signing else "implementation meeting", m.peace_progress)
        m.spoiler_motive = cfg.strength * (cfg.spoiler_gain * m.peace_progress + cfg.meeting_bump * meeting)
        m.peace_state_support = cfg.state_support * m.peace_progress * self.affected
        m.peace_revenue_cut = cfg.revenue_cut * m.peace_progress

    def meeting_site(self) -> str | None:
        """Where this week's meeting is held: one of the active meeting hosts of the target layer, drawn uniformly
        among those other than the last site used (the meetings rotate), or None if there is none."""
        m = self.model
        hosts = [t.id for t in self.hosts if t.active(m.week_end)]
        if len(hosts) > 1 and self.last_site in hosts:
            hosts.remove(self.last_site)
        if not hosts:
            return None
        self.last_site = hosts[int(m.rng.integers(len(hosts)))]
        return self.last_site
