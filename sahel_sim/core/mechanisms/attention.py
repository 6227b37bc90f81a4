"""Mechanism 2: the media-attention market.

Every attack yields attention from its *spectacle*: target type, place (the capital or the remote north),
killed, hostages, foreigners involved, multiplied by the current global salience of jihadist violence. Attention
is scarce and decays: a group's share is its stock over everyone's stock plus a background. Attention buys funds
(donations, ransoms' price) and prestige; a camp's attention deficit (its lag behind the other camp, globally and
locally) decides which camp looks like the loser, and hence the outbidding pressure on it.

The spectacle score is always computed (it defines which attacks count as *spectacular*), even when the market
itself is switched off. Literature: Bloom (2004); Kydd & Walter (2006); Conrad & Greene (2015).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..params import param
from .base import Mechanism


@dataclass
class SpectacleConfig:
    """How an attack's spectacle is scored, and the score from which an attack counts as spectacular.

    score = target weight + capital bonus + killed weight * ln(1 + killed) + hostage weight * ln(1 + hostages)
    + foreigner bonus. With the defaults a hotel siege in the capital with 20 dead scores ~9, a road ambush
    killing nine peacekeepers ~3.8 (foreigners), a camp bombing killing 77 (Gao, Jan 2017) ~5.
    """

    capital_bonus: float = param(1.5, lo=0.0, hi=10.0, doc="extra spectacle of an attack in the capital")
    killed_weight: float = param(0.8, lo=0.0, hi=10.0, doc="spectacle per unit ln(1 + killed)")
    hostage_weight: float = param(0.3, lo=0.0, hi=10.0, doc="spectacle per unit ln(1 + hostages)")
    foreigner_bonus: float = param(1.0, lo=0.0, hi=10.0, doc="extra spectacle when foreigners are victims")
    threshold: float = param(5.0, lo=0.0, hi=100.0, doc="score from which an attack is spectacular")


@dataclass
class AttentionConfig:
    """Media-attention market (mechanism 2)."""

    enabled: bool = True
    retention: float = param(0.85, lo=0.0, hi=1.0, unit="per week",
                             doc="share of attention kept from one week to the next (0.85: half-life ~4 weeks)")
    salience_weight: float = param(1.0, lo=0.0, hi=10.0,
                                   doc="extra attention per unit global salience (rivalry intensity)")
    background: float = param(2.0, lo=0.0, hi=1000.0, unit="attention units",
                              doc="attention held by everything else (shares are stock / (total + background))")
    funds_per_attention: float = param(5.0, lo=0.0, hi=1000.0, unit="thousand USD per attention unit",
                                       doc="donations and sponsorship bought by attention")
    prestige_smoothing: float = param(0.1, lo=0.0, hi=1.0, doc="weekly weight of the current share in prestige")
    local_weight: float = param(0.3, lo=0.0, hi=1.0,
                                doc="weight of local (vs global) attention in a camp's standing and deficit")
    spectacle: SpectacleConfig = field(default_factory=SpectacleConfig)


def spectacle_score(cfg: SpectacleConfig, target_weight: float, in_capital: bool, killed: int, hostages: int,
                    foreigners: bool) -> float:
    """The spectacle of one attack (dimensionless)."""
    return (target_weight + cfg.capital_bonus * in_capital + cfg.killed_weight * math.log1p(killed)
            + cfg.hostage_weight * math.log1p(hostages) + cfg.foreigner_bonus * foreigners)


def share_deficit(shares: dict[str, float], camp: str) -> float:
    """How far a camp trails the leading other camp in one attention market (0 when it leads)."""
    others = [v for c, v in shares.items() if c != camp]
    return max(0.0, max(others, default=0.0) - shares.get(camp, 0.0))


def attention_deficit(global_share: dict[str, float], local_share: dict[str, float], camp: str,
                      local_weight: float) -> float:
    """A camp's attention deficit: its lag behind the leading camp globally and locally, weighted.

    The global lag is what H-global is about (IS "has the upper hand" in the global competition); the local lag
    is which camp looks like the winner in the Sahel itself.
    """
    return ((1 - local_weight) * share_deficit(global_share, camp)
            + local_weight * share_deficit(local_share, camp))


class AttentionMarket(Mechanism):
    """Credits attention to claimants, decays stocks, and updates shares, prestige, funds and camp standing."""

    name = "attention"

    def step(self) -> None:
        m, cfg = self.model, self.config
        groups = m.groups()
        for g in groups:
            g.attention *= cfg.retention
        salience = 1.0 + cfg.salience_weight * m.rivalry_intensity
        for attack in m.attacks_this_week:
            credited = attack.credited or attack.perpetrators
            gain = attack.spectacle * salience * attack.credit
            attack.attention = gain
            for name in credited:
                g = m.factions.get(name)
                if g is not None and g.active:
                    g.attention += gain / len(credited)
                    g.earn(cfg.funds_per_attention * gain / len(credited))
        total = sum(g.attention for g in groups) + cfg.background
        camp_attention = dict.fromkeys(m.global_share, 0.0)
        for g in groups:
            g.attention_share = g.attention / total
            g.prestige += cfg.prestige_smoothing * (g.attention_share - g.prestige)
            camp_attention[g.camp] = camp_attention.get(g.camp, 0.0) + g.attention
        camp_total = sum(camp_attention.values())
        if camp_total > 0:
            m.local_share = {c: v / camp_total for c, v in camp_attention.items()}
        m.total_attention = float(np.float64(total - cfg.background))
