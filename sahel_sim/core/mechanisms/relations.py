"""Mechanism 7a: relations between armed groups, decided by the groups each week.

Every pair of active jihadist groups holds a state, from hostile to fused:

    fighting < competing < tolerating < cooperating < allied      (and merged: the pair became one group)

Each week a pair weighs what it gains from working together, from terms the literature names:

* **shared enemies and pressure** (+): the armed presence of the state, Barkhane and MINUSMA on the ground each
  group holds; groups that both face it gain from cooperating and, allied long enough, from merging (Bapat & Bond
  2012, "Alliances between militant groups", BJPS 42(4); Christia 2012, *Alliance Formation in Civil Wars*:
  alliances shift under battlefield shocks);
* **overlap** (-): the groups hold the same ground, routes and people (the cosine similarity of their influence,
  weighted by route value and population), and so compete for revenue and recruits;
* **ties** (+): a shared social base (the ``base`` of each faction: Tuareg Ifoghas, Arab Tilemsi, Fulani,
  Maghrebi) and a common parent or leaders' personal ties (the ``ties`` of each faction, splinters tied to their
  parent) (Phillips 2014, "What happens when terrorist groups merge?" / kinship ties; Horowitz & Potter 2014,
  "Allying to kill", JCR 58(2)); a leader killed in the last months breaks the personal ties;
* **brand** (+/-): the same global camp helps; across camps, the AQ-IS rivalry (mechanism ``rivalry``) makes
  cooperating costly in proportion to its intensity.

``cooperation = pressure_weight x pressure + ties_weight x ties + brand_weight x brand - overlap_weight x
overlap`` sets the state the pair aims at (thresholds ``tolerate_at``, ``cooperate_at``, ``ally_at``; below
``tolerate_at`` it competes). A competing pair turns to fighting only when the stronger side's expected gain from
the shared ground beats its cost and the risk to its other fronts: ``fight_gain x overlap x dominance -
fight_cost - front_risk x pressure > 0`` (dominance: the stronger side's share of the pair's fighters, above one
half). Each week a pair moves one step toward its aim with probability ``adjust_rate``; the move is an event
with the terms that drove it. Two groups of the same camp allied for ``merge_after`` weeks merge with probability
``merge_rate`` a week while their cooperation is at least ``merge_at``: the smaller folds into the larger, or,
when both belong to a coalition named in the factions (``formed_by``, e.g. Al Mourabitoun of MUJAO and
Belmokhtar's group), into that coalition. The name is a label; whether and when it forms is decided in the run.

The territory mechanism reads the states: only fighting pairs fight where they meet. Attack choice reads them:
only cooperating or allied groups join each other's spectacular operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..params import param
from .base import Mechanism

if TYPE_CHECKING:
    from ..agents import ArmedGroup

#: the pair states, from hostile to fused (merged pairs are one group and hold no state)
STATES = ("fighting", "competing", "tolerating", "cooperating", "allied")
FIGHTING, COMPETING, TOLERATING, COOPERATING, ALLIED = range(len(STATES))


@dataclass
class RelationsConfig:
    """Relations between armed groups, decided weekly (mechanism 7a). Weights and thresholds are in units of the
    cooperation score, a weighted sum of terms each in [0, 1] (brand in [-1, 1]). None of them is measured in
    the record: each is an assumption to be inferred (issue 19), set so that same-camp groups under the
    forces' pressure come to cooperate and rival camps on the same ground come to fight."""

    enabled: bool = True
    pressure_weight: float = param(2.0, lo=0.0, hi=20.0, unit="score per unit pressure",
                                   source="assumption, to be inferred (issue 19); sign: Bapat & Bond 2012")
    overlap_weight: float = param(1.0, lo=0.0, hi=20.0, unit="score per unit overlap",
                                  source="assumption, to be inferred (issue 19)")
    ties_weight: float = param(1.0, lo=0.0, hi=20.0, unit="score per unit ties",
                               source="assumption, to be inferred (issue 19); sign: Phillips 2014")
    brand_weight: float = param(0.5, lo=0.0, hi=20.0, unit="score per unit brand",
                                source="assumption, to be inferred (issue 19)")
    cross_camp_cost: float = param(1.0, lo=0.0, hi=20.0, unit="brand per unit rivalry intensity",
                                   doc="how much the global AQ-IS rivalry lowers the brand term across camps",
                                   source="assumption, to be inferred (issue 19)")
    parent_tie: float = param(0.5, lo=0.0, hi=1.0, doc="ties of a splinter and its parent, or of factions whose "
                              "leaders are tied (the factions' ``ties``)", source="assumption")
    base_tie: float = param(0.5, lo=0.0, hi=1.0, doc="ties of two factions with the same social base",
                            source="assumption")
    tie_break: float = param(0.5, lo=0.0, hi=1.0, doc="share of the ties lost while either leader was killed in "
                             "the last leader_death_window weeks", source="assumption")
    leader_death_window: int = param(26, lo=0, hi=520, unit="weeks", source="assumption")
    tolerate_at: float = param(0.0, lo=-20.0, hi=20.0, unit="score", source="assumption")
    cooperate_at: float = param(0.6, lo=-20.0, hi=20.0, unit="score", source="assumption")
    ally_at: float = param(1.2, lo=-20.0, hi=20.0, unit="score", source="assumption")
    fight_gain: float = param(4.0, lo=0.0, hi=100.0, unit="score per unit overlap x dominance",
                              source="assumption, to be inferred (issue 19)")
    fight_cost: float = param(1.0, lo=0.0, hi=100.0, unit="score", source="assumption, to be inferred (issue 19)")
    front_risk: float = param(2.0, lo=0.0, hi=100.0, unit="score per unit pressure",
                              doc="the risk of fighting a rival while the forces press the group",
                              source="assumption, to be inferred (issue 19)")
    adjust_rate: float = param(0.05, lo=0.0, hi=1.0, unit="per pair per week",
                               doc="chance a pair moves one step toward the state it aims at",
                               source="assumption, to be inferred (issue 19)")
    merge_after: int = param(13, lo=0, hi=1000, unit="weeks", doc="weeks allied before a merger is weighed",
                             source="assumption")
    merge_at: float = param(1.2, lo=-20.0, hi=20.0, unit="score", source="assumption, to be inferred (issue 19)")
    merge_rate: float = param(0.05, lo=0.0, hi=1.0, unit="per pair per week", source="assumption")
    pressure_scale: float = param(20.0, lo=0.01, hi=1e4, unit="fighter-equivalents",
                                  doc="opposing presence at which the pressure term is one half",
                                  source="assumption (the order of territory.clash_saturation)")


def cooperation_terms(influence: np.ndarray, weight: np.ndarray, opposition: np.ndarray, pressure_scale: float
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The pressure on each group and the overlap of each pair, from the groups' influence layers.

    ``influence`` is (groups, cells), ``weight`` the value of each cell (routes and people), ``opposition`` the
    forces' armed presence per cell. Pressure: the influence-weighted mean of ``opposition / (opposition +
    pressure_scale)`` over a group's ground, in [0, 1). Overlap: the cosine similarity of two groups' weighted
    influence, in [0, 1] (1: the same ground in the same proportions)."""
    # numpy's own reductions, not BLAS products: a matrix product's low bits can depend on the arrays' alignment
    # in memory, and so differ between processes; these sums give the same bits everywhere
    held = influence.sum(axis=1)
    pressed = opposition / (opposition + pressure_scale)
    pressure = np.divide((influence * pressed).sum(axis=1), held, out=np.zeros(len(held)), where=held > 0)
    weighted = influence * weight
    gram = (weighted[:, None, :] * weighted[None, :, :]).sum(axis=2)
    norm = np.sqrt(np.diag(gram))
    denom = np.outer(norm, norm)
    overlap = np.divide(gram, denom, out=np.zeros_like(gram), where=denom > 0)
    return pressure, overlap


def aimed_state(cooperation: float, fight_incentive: float, cfg: RelationsConfig) -> int:
    """The state a pair aims at, from its cooperation score and the stronger side's incentive to fight."""
    if cooperation >= cfg.ally_at:
        return ALLIED
    if cooperation >= cfg.cooperate_at:
        return COOPERATING
    if cooperation >= cfg.tolerate_at:
        return TOLERATING
    return FIGHTING if fight_incentive > 0 else COMPETING


class Relations(Mechanism):
    """The pair states of the armed groups: weekly decisions, fighting, cooperation and mergers."""

    name = "relations"

    def setup(self) -> None:
        m = self.model
        slots = m.config.max_groups
        m.relation = np.full((slots, slots), COMPETING, dtype=np.int8)
        self.since = np.zeros((slots, slots), dtype=np.int64)  # week the pair entered its state
        self.peace_since = np.zeros((slots, slots), dtype=np.int64)  # week the pair last stopped fighting
        self.holder: list[str | None] = [None] * slots  # the group whose relations each row holds
        self.spells: list[int] = []  # lengths of finished non-aggression spells, weeks
        w = m.world
        self.cell_weight = (1.0 + w.route + np.log10(1.0 + w.population) / 6.0).ravel()
        self.coalitions = {name: fc for name, fc in m.config.factions.items() if fc.formed_by}
        self.week_terms: dict[tuple[str, str], dict] = {}  # this week's terms of every pair (a, b) weighed
        self.joint_operations = 0
        self.joint_claims = 0
        self.fights_started = 0  # pairs that turned to fighting
        self.truces = 0  # fighting pairs that stopped
        self.refresh()

    # --- who is in the table ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Give every group new to its row (a splinter, a group appearing) its first relations: a splinter
        competes with its parent and inherits the parent's other relations; any other newcomer starts from
        ``initial_state``."""
        from ..agents import ArmedGroup  # here, not at the top: reading a config imports no Mesa

        m = self.model
        groups = m.groups()
        for g in groups:
            if self.holder[g.slot] == g.name:
                continue
            self.holder[g.slot] = g.name
            parent = m.factions.get(g.parent) if g.parent else None
            for h in groups:
                if h is g:
                    continue
                if isinstance(parent, ArmedGroup) and parent.active and h is not parent:
                    state = int(m.relation[parent.slot, h.slot])
                elif h is parent:
                    state = COMPETING
                else:
                    state = self.initial_state(g, h)
                self.start_pair(g, h, state)

    def initial_state(self, a: ArmedGroup, b: ArmedGroup) -> int:
        """Relations before any decision (2012): the groups of one camp that share ties cooperate (the coalition
        that took the north: AQIM, MUJAO, Ansar Dine; DIIS 2015), others of one camp tolerate each other, rival
        camps compete."""
        if a.camp != b.camp:
            return COMPETING
        return COOPERATING if self.ties(a, b) > 0 else TOLERATING

    def start_pair(self, a: ArmedGroup, b: ArmedGroup, state: int) -> None:
        """A pair's first state (a group new to the table): its non-aggression spell, if any, starts now."""
        m = self.model
        m.relation[a.slot, b.slot] = m.relation[b.slot, a.slot] = state
        self.since[a.slot, b.slot] = self.since[b.slot, a.slot] = m.week
        self.peace_since[a.slot, b.slot] = self.peace_since[b.slot, a.slot] = m.week

    def set_state(self, a: ArmedGroup, b: ArmedGroup, state: int) -> None:
        """A pair decides a new state; a non-aggression spell ends when it turns to fighting (recorded) and starts
        when it stops."""
        m = self.model
        old = int(m.relation[a.slot, b.slot])
        if old == FIGHTING and state != FIGHTING:
            self.peace_since[a.slot, b.slot] = self.peace_since[b.slot, a.slot] = m.week
            self.truces += 1
        elif state == FIGHTING and old != FIGHTING:
            self.spells.append(int(m.week - self.peace_since[a.slot, b.slot]))
            self.fights_started += 1
        m.relation[a.slot, b.slot] = m.relation[b.slot, a.slot] = state
        self.since[a.slot, b.slot] = self.since[b.slot, a.slot] = m.week

    # --- the terms ----------------------------------------------------------------------------------------------
    def ties(self, a: ArmedGroup, b: ArmedGroup) -> float:
        """Shared social base, common parent and leaders' ties, in [0, 1]; weakened while a leader's death is
        recent."""
        cfg, m = self.config, self.model
        ties = 0.0
        if a.config.base and a.config.base == b.config.base:
            ties += cfg.base_tie
        names_a = {a.name, a.parent, *a.config.ties, *a.founders}
        names_b = {b.name, b.parent, *b.config.ties, *b.founders}
        if names_a & names_b - {None, ""}:
            ties += cfg.parent_tie
        recent = min(m.week - a.leader_killed_step, m.week - b.leader_killed_step)
        if recent <= cfg.leader_death_window:
            ties *= 1.0 - cfg.tie_break
        return min(1.0, ties)

    def brand(self, a: ArmedGroup, b: ArmedGroup) -> float:
        """The global brand: +1 within a camp; across camps, minus the rivalry's intensity (x cross_camp_cost)."""
        if a.camp == b.camp:
            return 1.0
        return -min(1.0, self.config.cross_camp_cost * self.model.rivalry_intensity)

    # --- the week -----------------------------------------------------------------------------------------------
    def step(self) -> None:
        m, cfg = self.model, self.config
        self.refresh()
        self.week_terms = {}
        groups = [g for g in m.groups() if g.units]
        if len(groups) < 2:
            return
        slots = [g.slot for g in groups]
        influence = m.influence[slots].reshape(len(slots), -1)
        # only the cells some group holds count in either term: the sums run over those
        held = np.flatnonzero(influence.any(axis=0))
        territory = m.mechanism("territory")
        # the forces' armed presence as territory measured it this week (before the state's presence moved)
        opposition = (territory.week_opposition if territory is not None and territory.week_opposition is not None
                      else np.zeros(m.influence.shape[1:]))
        pressure, overlap = cooperation_terms(influence[:, held], self.cell_weight[held],
                                              opposition.ravel()[held], cfg.pressure_scale)
        rng = m.rng
        merges: list[tuple[ArmedGroup, ArmedGroup, dict]] = []
        for i, a in enumerate(groups):
            for j in range(i + 1, len(groups)):
                b = groups[j]
                terms = {"pressure": float(min(pressure[i], pressure[j])), "overlap": float(overlap[i, j]),
                         "ties": self.ties(a, b), "brand": self.brand(a, b)}
                score = (cfg.pressure_weight * terms["pressure"] + cfg.ties_weight * terms["ties"]
                         + cfg.brand_weight * terms["brand"] - cfg.overlap_weight * terms["overlap"])
                strong = max(a.fighters, b.fighters) / max(1, a.fighters + b.fighters)
                stronger_pressure = float(pressure[i] if a.fighters >= b.fighters else pressure[j])
                fight = (cfg.fight_gain * terms["overlap"] * strong - cfg.fight_cost
                         - cfg.front_risk * stronger_pressure)
                terms["fight"], terms["utility"] = fight, score
                self.week_terms[a.name, b.name] = terms
                state = int(m.relation[a.slot, b.slot])
                aim = aimed_state(score, fight, cfg)
                if aim != state and rng.random() < cfg.adjust_rate:
                    new = state + (1 if aim > state else -1)
                    self.set_state(a, b, new)
                    m.log.add(m.week, m.date, "relation", a.name, b.name,
                              f"{a.label} and {b.label}: {STATES[state]} -> {STATES[new]}", score,
                              state=STATES[new], terms={**terms, "probability": cfg.adjust_rate})
                    state = new
                if (state == ALLIED and a.camp == b.camp and score >= cfg.merge_at
                        and m.week - self.since[a.slot, b.slot] >= cfg.merge_after and rng.random() < cfg.merge_rate):
                    merges.append((a, b, {**terms, "probability": cfg.merge_rate}))
        self.log_joint_operations()
        merged: set[str] = set()
        for a, b, terms in merges:
            if a.name in merged or b.name in merged or not (a.active and b.active):
                continue
            into = self.merge(a, b, terms)
            merged.update({a.name, b.name} - {into.name} if into else set())

    def log_joint_operations(self) -> None:
        """Every operation of this week mounted by two groups is an event with the pair's terms (the partner
        joined because the pair cooperates: 7.8), and whether they claimed it together (7.9)."""
        m = self.model
        for attack in m.attacks_this_week:
            if len(attack.perpetrators) < 2:
                continue
            lead, partner = attack.perpetrators[:2]
            terms = self.week_terms.get((lead, partner)) or self.week_terms.get((partner, lead))
            a, b = m.factions.get(lead), m.factions.get(partner)
            state = STATES[int(m.relation[a.slot, b.slot])] if a is not None and b is not None else ""
            joint_claim = lead in attack.claimants and partner in attack.claimants
            self.joint_operations += 1
            self.joint_claims += joint_claim
            m.log.add(m.week, m.date, "joint_operation", lead, partner,
                      f"{attack.target} at {attack.place or attack.region}"
                      + (", claimed jointly" if joint_claim else ""), float(joint_claim), state=state,
                      terms=None if terms is None else dict(terms))

    # --- mergers ------------------------------------------------------------------------------------------------
    def merge(self, a: ArmedGroup, b: ArmedGroup, terms: dict) -> ArmedGroup | None:
        """``a`` and ``b`` become one group. The name of a coalition of the factions (``formed_by``) labels the
        merger when every configured faction the two groups are made of belongs to that coalition and they hold
        more than half of its members (the smallest such coalition; an active coalition absorbs a partner that
        fits it); otherwise the larger group absorbs the
        smaller. Names are labels: whether and when groups merge is decided here, in the run."""
        from ..agents import ArmedGroup  # here, not at the top: reading a config imports no Mesa

        m = self.model
        made_of = identity(a) | identity(b)
        into = None
        for name, fc in sorted(self.coalitions.items(), key=lambda kv: len(self.expanded(kv[0]))):
            if not (made_of - {name} <= self.expanded(name) and self.covers(name, made_of - {name})):
                continue
            existing = m.factions.get(name)
            if isinstance(existing, ArmedGroup):
                if existing.active and existing in (a, b):
                    into = existing
                    break
                continue  # the coalition formed once and is gone: its name is not reused
            into = m.create_coalition(name, fc)
            if into is not None:
                break
        if into is None:
            into = a if a.fighters >= b.fighters else b
        if into is not a and into is not b:
            self.inherit(into, a if a.fighters >= b.fighters else b)
        members = [g for g in (a, b) if g is not into]
        reason = f"after {m.week - self.since[a.slot, b.slot]} weeks allied"
        into.founders = sorted(identity(into) | made_of - {into.name}) if into.name in self.coalitions \
            else sorted(made_of)
        merge_groups(m, members, into, reason, terms)
        return into

    def covers(self, coalition: str, made_of: set[str]) -> bool:
        """Whether factions ``made_of`` hold more than half of a coalition's direct members (a member that is
        itself a coalition is held through any of its own members)."""
        direct = self.coalitions[coalition].formed_by
        held = sum(1 for d in direct
                   if made_of & ({d} | (self.expanded(d) if d in self.coalitions else set())))
        return 2 * held > len(direct)

    def expanded(self, coalition: str) -> set[str]:
        """The configured factions a coalition may be made of: its ``formed_by``, and theirs in turn."""
        out: set[str] = set()
        todo = [coalition]
        while todo:
            for member in self.coalitions[todo.pop()].formed_by:
                if member not in out:
                    out.add(member)
                    if member in self.coalitions:
                        todo.append(member)
        return out

    def inherit(self, new: ArmedGroup, model_group: ArmedGroup) -> None:
        """A coalition starts with the relations of its largest member."""
        self.holder[new.slot] = new.name
        for h in self.model.groups():
            if h is not new and h is not model_group:
                self.start_pair(new, h, int(self.model.relation[model_group.slot, h.slot]))

    def fighting_pairs(self) -> np.ndarray:
        """Boolean (slots, slots): which pairs fight where they meet."""
        return self.model.relation == FIGHTING

    def summary(self) -> dict:
        """Non-aggression spells (weeks a pair went without fighting): those that ended in fighting (count, mean,
        median), and those still running at the end (count, mean: censored), over pairs of groups active at the end;
        joint operations and how many were claimed jointly."""
        m = self.model
        groups = [g for g in m.groups() if self.holder[g.slot] == g.name]
        ongoing = [int(m.week - self.peace_since[a.slot, b.slot]) for i, a in enumerate(groups) for b in groups[i + 1:]
                   if m.relation[a.slot, b.slot] != FIGHTING]
        return {"fights_started": int(self.fights_started), "truces": int(self.truces),
                "non_aggression_spells": len(self.spells),
                "non_aggression_mean_weeks": float(np.mean(self.spells)) if self.spells else 0.0,
                "non_aggression_median_weeks": float(np.median(self.spells)) if self.spells else 0.0,
                "non_aggression_ongoing": len(ongoing),
                "non_aggression_ongoing_mean_weeks": float(np.mean(ongoing)) if ongoing else 0.0,
                "joint_operations": int(self.joint_operations), "joint_claims": int(self.joint_claims)}


def identity(group: ArmedGroup) -> set[str]:
    """The configured factions a group is made of: itself, or the founders of a merged group, or the faction a
    splinter came from."""
    names = set(group.founders) or {group.name}
    if group.parent:
        names.add(group.parent)
    return names


def merge_groups(model, members: list[ArmedGroup], into: ArmedGroup, reason: str = "",
                 terms: dict[str, float] | None = None) -> None:
    """Fold ``members`` into ``into``: units, funds and influence move, the members become inactive. A merger the
    groups decided logs the ``terms`` that drove it (a dated merger of the comparison scenario has none)."""
    m = model
    for g in members:
        if g is into or not g.active:
            continue
        moved = g.transfer(list(g.units), into)
        into.funds += g.funds
        into.operations_budget += g.operations_budget
        g.funds = g.operations_budget = 0.0
        into.experience = max(into.experience, g.experience)
        into.leader_experience = max(into.leader_experience, g.leader_experience)
        m.influence[into.slot] += m.influence[g.slot]
        m.influence[g.slot] = 0.0
        m.deactivate_group(g)
        m.log.add(m.week, m.date, "merger", g.name, into.name,
                  f"{g.label} merges into {into.label}" + (f" ({reason})" if reason else ""), moved,
                  terms=None if terms is None else dict(terms))
