"""Mechanism 4: claims.

After an attack its perpetrators may claim it (more often when it is spectacular), partners of a joint operation
may share the claim, and a group that did not take part may claim it too when it is hungry for attention (its
camp trails) and the attack is worth claiming. Claims decide who is credited with the attention. Competing
claims (separate claimants, at least one of them false or unshared) are recorded, as in the Radisson Blu case:
claimed by Al Mourabitoun with AQIM, and two days later by the Macina Liberation Front (DIIS 2015).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..params import param
from .base import Mechanism


@dataclass
class ClaimsConfig:
    """Claims (mechanism 4)."""

    enabled: bool = True
    claim_probability: float = param(0.35, lo=0.0, hi=1.0, doc="a perpetrator claims an ordinary attack")
    spectacular_claim_probability: float = param(0.95, lo=0.0, hi=1.0, doc="... a spectacular attack")
    share_probability: float = param(0.8, lo=0.0, hi=1.0, doc="a joint operation is claimed jointly")
    false_claim_probability: float = param(0.4, lo=0.0, hi=1.0,
                                           doc="a bystander group claims a spectacular attack, at full deficit")
    false_claim_floor: float = param(0.3, lo=0.0, hi=1.0,
                                     doc="share of the false-claim chance that needs no attention deficit")
    false_claim_reach_km: float = param(800.0, lo=0.0, hi=10_000.0, unit="km")
    unclaimed_credit: float = param(0.3, lo=0.0, hi=1.0,
                                    doc="share of an unclaimed attack's attention the media still attribute")


class Claims(Mechanism):
    """Assigns claimants and credited groups to this week's attacks."""

    name = "claims"

    def step(self) -> None:
        m, cfg, rng = self.model, self.config, self.model.rng
        for attack in m.attacks_this_week:
            p_claim = cfg.spectacular_claim_probability if attack.spectacular else cfg.claim_probability
            lead = attack.perpetrators[0]
            claimants: list[str] = []
            if rng.random() < p_claim:
                claimants.append(lead)
                for partner in attack.perpetrators[1:]:
                    if rng.random() < cfg.share_probability:
                        claimants.append(partner)
            elif len(attack.perpetrators) > 1:
                for partner in attack.perpetrators[1:]:
                    if rng.random() < p_claim:
                        claimants.append(partner)
            separate = 0
            if attack.spectacular:
                for g in m.groups():
                    if g.name in attack.perpetrators or not g.units:
                        continue
                    near = min(abs(u.cell.coordinate[0] - attack.x) + abs(u.cell.coordinate[1] - attack.y)
                               for u in g.units) * m.world.config.resolution * 111.0
                    if near > cfg.false_claim_reach_km:
                        continue
                    hunger = cfg.false_claim_floor + (1 - cfg.false_claim_floor) * min(
                        1.0, 2.0 * m.attention_deficit(g.camp))
                    if rng.random() < cfg.false_claim_probability * hunger:
                        claimants.append(g.name)
                        separate += 1
            attack.claimants = claimants
            attack.competing_claims = separate > 0 and len(claimants) >= 2
            attack.credited = claimants
            if not claimants:
                attack.credited = attack.perpetrators
                attack.credit = cfg.unclaimed_credit
