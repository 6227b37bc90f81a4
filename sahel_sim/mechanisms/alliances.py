"""Mechanism 7: alliances, splits, pledges and mergers.

A group may split, more likely after its leader is killed (leadership disputes) and when its camp trails while
the rivalry is intense; the splinter takes a share of the units. A group may pledge to the other camp when its
own camp looks weak: smaller groups and splinters are likelier to switch (al-Sahrawi's May 2015 pledge to IS,
rejected by Belmokhtar: Lebovich 2016, CTC Sentinel 9(1)). Small groups of the same camp under pressure may merge.
Mergers of groups that decided to ally are made by the relations layer (:mod:`.relations`); only the comparison
scenario ``scripted_relations`` dates the record's mergers. With the relations layer, a group tied to partners of
its own camp (cooperating or allied) is less likely to leave it: ``pledge_partner_brake``. Every change is an
event in the log.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..agents import ArmedGroup
from ..params import param
from .attention import attention_deficit
from .base import Mechanism
from .relations import COOPERATING, merge_groups

#: colours for groups born by splitting (dark, distinct from the configured factions)


@dataclass
class AlliancesConfig:
    """Splits, pledges and mergers (mechanism 7)."""

    enabled: bool = True
    split_base: float = param(0.0005, lo=0.0, hi=1.0, unit="per week", doc="background split probability")
    split_after_leader_death: float = param(0.02, lo=0.0, hi=1.0, unit="per week",
                                            doc="extra split probability in the months after a leader dies")
    leader_death_window: int = param(26, lo=0, hi=520, unit="weeks")
    split_under_rivalry: float = param(0.04, lo=0.0, hi=1.0, unit="per week",
                                       doc="extra split probability per unit rivalry x camp deficit")
    split_share: float = param(0.2, lo=0.01, hi=0.9, doc="share of the units that leave with a splinter")
    min_fighters_to_split: int = param(80, lo=0, hi=1_000_000, unit="fighters")
    pledge_rate: float = param(0.05, lo=0.0, hi=1.0, unit="per week",
                               doc="pledge probability at full rivalry and full deficit for a tiny group")
    pledge_size_ref: float = param(150.0, lo=1.0, hi=1e6, unit="fighters",
                                    doc="size that halves the pledge rate (rate falls with size squared)")
    splinter_pledge_boost: float = param(3.0, lo=0.0, hi=100.0, doc="pledge multiplier for splinters")
    pledge_local_weight: float = param(0.1, lo=0.0, hi=1.0,
                                       doc="weight of the local (vs global) lag when a group weighs a pledge")
    pledge_threshold: float = param(0.1, lo=0.0, hi=1.0, doc="camp lag below which no group switches")
    pledge_cooldown: int = param(52, lo=0, hi=1000, unit="weeks", doc="time before a group can switch again")
    pledge_partner_brake: float = param(1.0, lo=0.0, hi=100.0, doc="with the relations layer, a pledge is "
                                        "1 + brake x (own-camp partners cooperating or allied) times less likely",
                                        source="assumption, to be inferred (issue 19); Phillips 2014 (ties)")
    merge_rate: float = param(0.002, lo=0.0, hi=1.0, unit="per week",
                              doc="probability that a small group joins a larger same-camp ally")
    merge_size: int = param(40, lo=0, hi=1_000_000, unit="fighters", doc="groups smaller than this may merge")
    splinter_leader_experience: float = param(0.7, lo=0.0, hi=1.0, doc="a splinter leader's experience, relative")
    splinter_experience: float = param(0.8, lo=0.0, hi=1.0, doc="a splinter's organisational experience, relative")
    successor_experience: float = param(0.6, lo=0.0, hi=1.0, doc="a new leader's experience, relative")
    splinter_names: dict[str, list[str]] = param(factory=dict, doc="labels for splinters of each faction")


class Alliances(Mechanism):
    """Splits, pledges and small-group mergers, each an event."""

    name = "alliances"

    def setup(self) -> None:
        self.splinters_made: dict[str, int] = {}

    def step(self) -> None:
        m, cfg, rng = self.model, self.config, self.model.rng
        for g in m.groups():
            if not g.active or not g.units:
                continue
            deficit = m.attention_deficit(g.camp)
            p_split = cfg.split_base + cfg.split_under_rivalry * m.rivalry_intensity * deficit
            if m.week - g.leader_killed_step <= cfg.leader_death_window:
                p_split += cfg.split_after_leader_death
            if g.fighters >= cfg.min_fighters_to_split and len(g.units) >= 2 and rng.random() < p_split:
                self.split(g)
                continue
            if self.try_pledge(g):
                continue
            if g.fighters < cfg.merge_size and rng.random() < cfg.merge_rate:
                allies = [a for a in m.groups() if a is not g and a.camp == g.camp and a.fighters > g.fighters]
                if m.mechanism("relations") is not None:  # only a partner it has decided to cooperate with
                    allies = [a for a in allies if m.relation[g.slot, a.slot] >= COOPERATING]
                if allies:
                    self.merge([g], max(allies, key=lambda a: a.fighters), reason="small group joins an ally")

    def try_pledge(self, g: ArmedGroup) -> bool:
        """A group whose camp trails may switch allegiance to the leading camp.

        The lag that matters here is mostly global: a pledge buys a brand (IS "has the upper hand"); a small
        local following does not make a new IS affiliate switch back.
        """
        m, cfg = self.model, self.config
        deficit = attention_deficit(m.global_share, m.local_share, g.camp, cfg.pledge_local_weight)
        if deficit <= cfg.pledge_threshold or m.week - g.pledge_step < cfg.pledge_cooldown:
            return False
        smallness = 1.0 / (1.0 + (g.fighters / cfg.pledge_size_ref) ** 2)
        boost = cfg.splinter_pledge_boost if g.parent else 1.0
        p = cfg.pledge_rate * min(1.0, m.rivalry_intensity) * min(1.0, 2 * deficit) * smallness * boost
        if m.mechanism("relations") is not None:
            partners = sum(1 for h in m.groups() if h is not g and h.camp == g.camp
                           and m.relation[g.slot, h.slot] >= COOPERATING)
            p /= 1.0 + cfg.pledge_partner_brake * partners
        if m.rng.random() >= p:
            return False
        new_camp = next(c for c in m.global_share if c != g.camp)
        old = g.camp
        g.camp = new_camp
        g.camp_history.append((new_camp, m.week))
        g.pledge_step = m.week
        m.log.add(m.week, m.date, "pledge", g.name, new_camp, f"{g.label} pledges to {new_camp} (was {old})")
        return True

    def split(self, parent: ArmedGroup) -> ArmedGroup | None:
        """A faction of ``parent`` leaves with a share of its units under a new leader."""
        m, cfg = self.model, self.config
        n_units = max(1, int(round(cfg.split_share * len(parent.units))))
        order = m.rng.permutation(len(parent.units))
        leaving = [parent.units[i] for i in order[:n_units]]
        if len(leaving) >= len(parent.units):
            return None
        count = self.splinters_made.get(parent.name, 0)
        names = cfg.splinter_names.get(parent.name, [])
        label = names[count] if count < len(names) else f"{parent.label} splinter {count + 1}"
        child = m.add_group(f"{parent.name}_splinter_{count + 1}", parent.config, label=label, camp=parent.camp,
                            keep_for_pending=True)
        if child is None:  # no free slot on the map layers: the dispute is settled inside the group
            return None
        self.splinters_made[parent.name] = count + 1
        child.parent = parent.name
        child.fixed_color = ""  # a splinter is drawn in its camp's family, whatever its parent's colour
        child.leader = f"splinter leader of {parent.label}"
        child.leader_experience = float(np.clip(parent.leader_experience * cfg.splinter_leader_experience, 0.0, 1.0))
        child.experience = parent.experience * cfg.splinter_experience
        moved = parent.transfer(leaving, child)
        share = moved / max(1, moved + parent.fighters)
        child.funds = parent.funds * share
        parent.funds -= child.funds
        child.operations_budget = parent.operations_budget * share
        parent.operations_budget -= child.operations_budget
        # the splinter inherits the influence its units carried
        m.influence[child.slot] = m.influence[parent.slot] * share
        m.influence[parent.slot] *= 1 - share
        m.log.add(m.week, m.date, "split", child.name, parent.name,
                  f"{label} splits from {parent.label} with {moved} fighters", moved)
        return child

    def merge(self, members: list[ArmedGroup], into: ArmedGroup, reason: str = "") -> None:
        """``members`` join ``into``: their units, funds and influence pass to it."""
        merge_groups(self.model, members, into, reason)
