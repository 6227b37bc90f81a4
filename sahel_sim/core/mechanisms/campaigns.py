"""Mechanism 3b: campaign dynamics, a self-exciting attack hazard.

An attack raises its perpetrator's short-run propensity to attack again, and, more weakly, its rivals': a
campaign, once begun, is pressed on while it has momentum, and a rival answers a rival's blow to hold its
audience. The hazard of group ``g`` in week ``t`` is a discrete-time Hawkes intensity

    hazard_g(t) = (1 - n) x tempo_g(t) + excitation_g(t)
    excitation_g(t + 1) = d x excitation_g(t) + (1 - d) x (n x attacks_g(t) + r x attacks by g's rivals(t))

with ``d = 0.5 ** (1 / half_life)`` the weekly decay of the kernel. ``n`` is the branching ratio of a group's own
attacks (the expected number of further attacks by the same group that one attack triggers, summed over the
kernel); ``r`` that of a rival's attack. The background ``(1 - n) x tempo`` keeps a group's long-run rate at its
tempo (:meth:`~sahel_sim.core.mechanisms.attack_choice.AttackChoice.tempo`) when it has no rivals: the kernel moves
attacks in time, into bursts, rather than adding them; a rival's excitation adds attacks.

Rivals: with the relations layer on, the groups a group is fighting or competing with
(:mod:`sahel_sim.core.mechanisms.relations`); without it, the groups of the other global camp.

Self-exciting point processes fit the clustering of insurgent and terrorist attacks (Lewis, Mohler, Brantingham
& Bertozzi 2012, "Self-exciting point process models of civilian deaths in Iraq", Security Journal 25(3); Porter
& White 2012, "Self-exciting hurdle models for terrorist activity", Annals of Applied Statistics 6(1); Mohler 2013,
"Modeling and estimation of multi-source clustering in crime and security data", AoAS 7(3)); an organisation's
attacks come faster as it gains experience (Clauset & Gleditsch 2012, "The developmental dynamics of terrorist
organizations", PLoS ONE 7(11)). The values here are assumptions to be inferred (issue 19).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..params import ConfigError, param
from .base import Mechanism
from .relations import COMPETING

if TYPE_CHECKING:
    from ..agents import ArmedGroup

_ASSUMPTION = "assumption, to be inferred (issue 19)"


@dataclass
class CampaignsConfig:
    """Campaign dynamics (mechanism 3b): the self-exciting part of the attack hazard."""

    enabled: bool = True
    half_life: float = param(2.0, lo=0.1, hi=52.0, unit="weeks",
                             doc="half-life of the excitation an attack leaves",
                             source=_ASSUMPTION + "; order of weeks as the triggering kernels fitted to insurgent "
                                    "violence in Iraq (Lewis et al. 2012) and Indonesia (Porter & White 2012)")
    self_branching: float = param(0.4, lo=0.0, hi=0.95, unit="attacks per attack",
                                  doc="further attacks by the same group one attack triggers, over the kernel "
                                      "(the share of a group's attacks that are triggered, in the long run)",
                                  source=_ASSUMPTION + "; a sizeable triggered share as in Lewis et al. 2012 and "
                                         "Mohler 2013")
    rival_branching: float = param(0.1, lo=0.0, hi=0.5, unit="attacks per rival attack",
                                   doc="further attacks by each rival one attack triggers, over the kernel",
                                   source=_ASSUMPTION + "; sign: outbidding among competing groups (Bloom 2004; "
                                          "Conrad & Greene 2015)")

    def check(self, path: str) -> None:
        if self.self_branching + self.rival_branching >= 1.0:
            raise ConfigError(f"{path}.rival_branching",
                              f"{self.rival_branching} with self_branching {self.self_branching} sums to >= 1 (an "
                              "explosive cascade between two rivals); allowed: self_branching + rival_branching < 1")

    @property
    def decay(self) -> float:
        """Share of the excitation left after one week."""
        return 0.5 ** (1.0 / self.half_life)


def excite(excitation: float, decay: float, own_attacks: int, rival_attacks: int, self_branching: float,
           rival_branching: float) -> float:
    """Next week's excitation (operations per week) of a group: last week's, decayed, plus what this week's
    attacks (its own and its rivals') leave. The kernel ``(1 - d) d^k`` sums to one, so an attack adds, over the
    weeks, ``self_branching`` (or ``rival_branching``) expected operations in all.

    >>> round(excite(0.0, 0.5, 2, 0, 0.4, 0.1), 3)
    0.4
    >>> round(excite(0.4, 0.5, 0, 1, 0.4, 0.1), 3)
    0.25
    """
    return decay * excitation + (1.0 - decay) * (self_branching * own_attacks + rival_branching * rival_attacks)


class Campaigns(Mechanism):
    """Keeps each group's excitation from the week's attacks; attack choice adds it to next week's hazard."""

    name = "campaigns"

    def setup(self) -> None:
        self.model.campaign_background = 1.0 - self.config.self_branching

    def rivals(self, group: ArmedGroup, others: list[ArmedGroup]) -> list[ArmedGroup]:
        """The groups whose attacks excite ``group``: fighting or competing with it (relations layer), or of the
        other camp."""
        m = self.model
        if m.mechanism("relations") is not None:
            return [g for g in others if g is not group and m.relation[group.slot, g.slot] <= COMPETING]
        return [g for g in others if g is not group and g.camp != group.camp]

    def step(self) -> None:
        m, cfg = self.model, self.config
        attacks: dict[str, int] = {}
        for a in m.attacks_this_week:
            for name in a.perpetrators:
                attacks[name] = attacks.get(name, 0) + 1
        groups = m.groups()
        excitation = {}
        for g in groups:
            own = attacks.get(g.name, 0)
            rival = sum(attacks.get(r.name, 0) for r in self.rivals(g, groups))
            excitation[g.name] = excite(m.campaign_excitation.get(g.name, 0.0), cfg.decay, own, rival,
                                        cfg.self_branching, cfg.rival_branching)
        m.campaign_excitation = excitation
