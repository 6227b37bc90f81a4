"""Mechanism 3: attack choice, outbidding against local logic.

Each week every jihadist group draws how many operations it mounts (a Poisson tempo that grows with its size and
its motives) and, for each, picks a target by a logit over the options in its reach: the sites of the target
layer (:mod:`sahel_sim.core.targets`: hotels, restaurants, embassies, UN and French camps and convoys, army posts and
checkpoints, government buildings, markets, mines and other economic sites, peace-process sites) and the group's
own area. An option's utility adds the value of its target type and of the site itself (its symbolism, the media
attention it would draw from a group that is outbidding, its casualty potential and its protection), and

* an **outbidding** term: the target's spectacle x the group's camp attention deficit x rivalry intensity
  (H-global: Bloom 2004; Conrad & Greene 2015; Farrell 2020), and
* **local** terms: spoiling the peace process (peace-relevant targets x spoiler motive), retaliation against
  foreign forces (foreign targets x recent losses to strikes), territorial gain (army posts in cells the group
  contests) and revenue protection (forces on trafficking routes) (H-local: Kydd & Walter 2006),

minus risk and distance. Spectacular options (hotels and venues) need capability: fighters, funds, an experienced
leader and planning time since the last one; an ally of the same camp within reach may join (a joint
operation: Horowitz & Potter 2014). What gets hit is an output: the attacks table records the target's id, kind
and city. Deaths are heavy-tailed (:mod:`sahel_sim.core.severity`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..events import Attack
from ..geography import PLACE_KINDS, ZONES, km_between
from ..params import ConfigError, param
from ..severity import power_law_draw
from ..targets import TARGET_KINDS, Target, TargetLayerConfig, layer_for
from .attention import spectacle_score
from .base import Mechanism, draw_by_counts, draw_index
from .relations import COOPERATING

if TYPE_CHECKING:
    from ..agents import ArmedGroup


@dataclass
class TargetConfig:
    """A kind of target. ``place_kinds`` lists the places of that kind; empty means the group's own area.

    ``force`` names whose personnel die (a faction of kind state/foreign_force/peacekeeping, by role:
    state, barkhane, minusma) or "" for civilians.
    """

    place_kinds: list[str] = param(factory=list)
    weight: float = param(0.5, lo=0.0, hi=10.0, doc="spectacle weight of the target type")
    appeal: float = param(0.0, lo=-10.0, hi=10.0, doc="baseline utility")
    x_min_killed: float = param(1.0, lo=0.0, hi=100.0, unit="persons", doc="lower bound of the deaths power law")
    hostage_probability: float = param(0.0, lo=0.0, hi=1.0)
    hostage_x_min: float = param(5.0, lo=0.0, hi=1000.0, unit="persons")
    foreigner_probability: float = param(0.0, lo=0.0, hi=1.0)
    foreign: bool = False
    peace_relevance: float = param(0.0, lo=0.0, hi=1.0)
    territorial: bool = False
    risk: float = param(0.2, lo=0.0, hi=1.0, doc="defence: cuts deaths and deters")
    team: int = param(5, lo=1, hi=500, unit="fighters", doc="attackers committed")
    attacker_death_probability: float = param(0.1, lo=0.0, hi=1.0, doc="chance each attacker dies, if in contact")
    no_death_probability: float = param(0.3, lo=0.0, hi=1.0,
                                        doc="chance an attack is stand-off or fails: nobody dies on either side")
    needs_capability: bool = False
    needs_state_presence: float = param(0.0, lo=0.0, hi=1.0,
                                        doc="least state presence in the cell for an area target to exist")
    force: str = param("", choices=("", "state", "barkhane", "minusma"))

    def check(self, path: str) -> None:
        kinds = tuple(dict.fromkeys((*PLACE_KINDS, *TARGET_KINDS)))
        for k in self.place_kinds:
            if k not in kinds:
                raise ConfigError(f"{path}.place_kinds",
                                  f"{k!r} is not a place or target kind; allowed: {', '.join(kinds)}")


def _default_targets() -> dict[str, TargetConfig]:
    """Target types, their spectacle and toll. Tolls: record README attack list (2013-2016). The types market,
    government and economic (added with the target layer, issue 18) are assumptions, to be inferred (issue 19)."""
    return {
        "civilian": TargetConfig(weight=0.3, appeal=0.0, x_min_killed=1, risk=0.0, team=3,
                                 attacker_death_probability=0.02, no_death_probability=0.4),
        "army_patrol": TargetConfig(weight=0.5, appeal=0.3, x_min_killed=1, risk=0.2, territorial=True, team=10,
                                    attacker_death_probability=0.1, force="state", needs_state_presence=0.15,
                                    no_death_probability=0.4),
        "army": TargetConfig(place_kinds=["army_post", "checkpoint"], weight=0.6, appeal=0.3, x_min_killed=2, risk=0.3,
                             territorial=True, team=20, attacker_death_probability=0.1, force="state",
                             peace_relevance=0.2, no_death_probability=0.3),
        "minusma": TargetConfig(place_kinds=["un_base", "un_convoy"], weight=1.0, appeal=-1.0, x_min_killed=1, risk=0.4,
                                foreign=True, peace_relevance=0.3, team=6, attacker_death_probability=0.15,
                                foreigner_probability=1.0, force="minusma", no_death_probability=0.85),
        "french": TargetConfig(place_kinds=["french_base", "french_convoy"], weight=1.5, appeal=-2.0,
                               x_min_killed=1, risk=0.7, foreign=True, team=6, attacker_death_probability=0.3,
                               foreigner_probability=1.0,
                               force="barkhane", no_death_probability=0.7),
        "hotel": TargetConfig(place_kinds=["hotel", "venue", "restaurant", "embassy"], weight=3.0, appeal=-5.0,
                              x_min_killed=4, risk=0.3,
                              hostage_probability=0.6, hostage_x_min=10, foreigner_probability=0.7, foreign=True,
                              needs_capability=True, team=4, attacker_death_probability=0.6,
                              no_death_probability=0.1),
        "peace": TargetConfig(place_kinds=["peace_site"], weight=1.5, appeal=-1.0, x_min_killed=3, risk=0.3,
                              peace_relevance=1.0, team=3, attacker_death_probability=0.9, force="state",
                              no_death_probability=0.2),
        "government": TargetConfig(place_kinds=["government"], weight=1.0, appeal=-1.0, x_min_killed=2, risk=0.5,
                                   peace_relevance=0.4, team=4, attacker_death_probability=0.5, force="state",
                                   no_death_probability=0.4),
        "market": TargetConfig(place_kinds=["market"], weight=0.5, appeal=-1.5, x_min_killed=2, risk=0.0, team=2,
                               attacker_death_probability=0.3, no_death_probability=0.3),
        "economic": TargetConfig(place_kinds=["mine", "dam", "airport"], weight=1.0, appeal=-2.0, x_min_killed=1,
                                 risk=0.4, hostage_probability=0.2, hostage_x_min=2, foreigner_probability=0.3,
                                 foreign=True, team=8, attacker_death_probability=0.2, no_death_probability=0.5),
    }


@dataclass
class SpectacularCapabilityConfig:
    """What a spectacular operation needs (Belmokhtar's In Amenas and Bamako attacks: DIIS 2015), and how it is
    paid for: from an operations budget that a share of every income feeds and the fighters' upkeep does not touch
    (:meth:`~sahel_sim.core.agents.ArmedGroup.earn`)."""

    min_fighters: int = param(60, lo=0, hi=100_000, unit="fighters")
    min_funds: float = param(150.0, lo=0.0, hi=1e6, unit="thousand USD", doc="least operations budget")
    budget_share: float = param(0.1, lo=0.0, hi=1.0,
                                doc="share of every income (the starting war chest, route revenue, attention-borne "
                                    "funds) set aside for spectacular operations",
                                source="assumption: an organisation budgets its operations apart from its payroll, "
                                       "as AQIM's accounts and its reproach to Belmokhtar over unaccounted funds show "
                                       "(documents found in Timbuktu, AP, Feb 2013 and May 2013); docs/validation.md, "
                                       "P9")
    min_experience: float = param(0.6, lo=0.0, hi=1.0, doc="leader or organisational experience needed")
    planning_weeks: int = param(12, lo=0, hi=520, unit="weeks", doc="time between two spectacular operations")
    cost: float = param(100.0, lo=0.0, hi=1e6, unit="thousand USD")
    reach_km: float = param(1500.0, lo=0.0, hi=10_000.0, unit="km", doc="reach of a planned operation")


@dataclass
class AttackConfig:
    """Attack choice (mechanism 3)."""

    enabled: bool = True
    base_rate: float = param(0.25, lo=0.0, hi=50.0, unit="operations per week per (100 fighters)^elasticity")
    size_elasticity: float = param(0.5, lo=0.0, hi=1.5)
    motive_tempo: float = param(0.5, lo=0.0, hi=10.0, doc="extra tempo per unit of total motive")
    max_per_week: int = param(6, lo=0, hi=100, unit="operations per group per week")
    reach_km: float = param(250.0, lo=0.0, hi=5000.0, unit="km", doc="reach of an ordinary operation")
    distance_cost: float = param(1.0, lo=0.0, hi=100.0, unit="utility per 1000 km")
    temperature: float = param(1.0, lo=0.01, hi=100.0, doc="logit choice temperature")
    spectacle_taste: float = param(0.2, lo=0.0, hi=10.0, doc="utility per unit spectacle without rivalry")
    outbid_weight: float = param(3.0, lo=0.0, hi=50.0, doc="utility per unit spectacle x deficit x rivalry")
    outbidding: bool = param(True, doc="whether the global rivalry acts on attack choice (the outbidding pressure in "
                                       "the tempo, the spectacle pull and the attention term); false keeps the "
                                       "rivalry as context (pledges, recruitment, attention) but takes its action "
                                       "on attacks away: the channel worlds of docs/inference.md",
                             source="a switch, not a measured quantity")
    spoil_weight: float = param(3.0, lo=0.0, hi=50.0, doc="utility per unit peace relevance x spoiler motive")
    retaliation_weight: float = param(2.0, lo=0.0, hi=50.0, doc="utility of foreign targets per unit retaliation")
    territory_weight: float = param(2.0, lo=0.0, hi=50.0, doc="utility of army targets per unit contest")
    contest_gain: float = param(4.0, lo=0.0, hi=100.0,
                                doc="contest of a cell = gain x own influence x state presence (max 1 at 0.5, 0.5)")
    revenue_weight: float = param(1.0, lo=0.0, hi=50.0, doc="utility of force targets per unit route value")
    risk_weight: float = param(2.0, lo=0.0, hi=50.0, doc="disutility per unit target risk")
    retaliation_scale: float = param(50.0, lo=1.0, hi=1e5, unit="fighters", doc="losses that saturate retaliation")
    joint_probability: float = param(0.5, lo=0.0, hi=1.0, doc="chance an ally joins a spectacular operation")
    rule_restraint: float = param(0.0, lo=0.0, hi=100.0,
                                  doc="disutility of a spectacular target per unit share of the north's people the "
                                      "group rules (0: off)",
                                  source="assumption (off by default): a group ruling territory holds back from "
                                         "provoking intervention, as AQIM's leader urged its allies governing the "
                                         "north in 2012 (the Timbuktu letter, AP, Feb 2013); docs/validation.md, P9")
    alpha: float = param(2.38, lo=1.1, hi=5.0, doc="power-law exponent of deaths",
                         source="Clauset, Young & Gleditsch 2007 (J. Conflict Resolution 51); record README")
    max_killed: int = param(400, lo=1, hi=100_000, unit="persons")
    symbolism_weight: float = param(1.0, lo=0.0, hi=50.0, unit="utility per unit symbolism",
                                    doc="value of a site's foreign, Western, UN or state symbolism",
                                    source="assumption, to be inferred (issue 19)")
    attention_weight: float = param(2.0, lo=0.0, hi=50.0, unit="utility per unit symbolism x outbidding pressure",
                                    doc="media attention: the symbolism of a site weighs more for a group outbidding "
                                        "its rivals (Conrad & Greene 2015)",
                                    source="assumption, to be inferred (issue 19)")
    casualty_weight: float = param(1.0, lo=0.0, hi=50.0, unit="utility per unit casualty potential above 0.5",
                                   doc="value of the people present at a site",
                                   source="assumption, to be inferred (issue 19)")
    protection_weight: float = param(2.0, lo=0.0, hi=50.0, unit="utility per unit protection above the type's risk",
                                     doc="deterrence by a site's guards, walls and troops beyond its type's",
                                     source="assumption, to be inferred (issue 19); as risk_weight")
    crowding: float = param(1.0, lo=0.0, hi=1.0,
                            doc="how far the sites of one target type in reach share its pull: each site's utility "
                                "less crowding x ln(sites of the type in reach); 1: a group in effect chooses the "
                                "kind of operation, then the site, so the type's share does not grow with how many "
                                "sites the layer lists; 0: every site an independent option (as before issue 18)",
                            source="assumption (a nested choice, kind then site; McFadden 1978), to be inferred "
                                   "(issue 19)")
    layer: TargetLayerConfig = field(default_factory=TargetLayerConfig)
    spectacular: SpectacularCapabilityConfig = field(default_factory=SpectacularCapabilityConfig)
    targets: dict[str, TargetConfig] = param(factory=_default_targets)

    def check(self, path: str) -> None:
        if not self.targets:
            raise ConfigError(f"{path}.targets", "is empty; allowed: at least one target type")


@dataclass(frozen=True)
class SiteArrays:
    """The fixed per-site quantities of every point target, all target types in a row (the layer's order within
    a type): the position of the site's type in the config, ids, the value beyond the type's
    (:meth:`AttackChoice.site_value`), symbolism, own peace-process relevance, cell indices, the trafficking
    route's value at the cell, and the type's flags (territorial, a force's target, spectacular)."""

    type: np.ndarray
    names: np.ndarray
    value: np.ndarray
    symbolism: np.ndarray
    relevance: np.ndarray
    x: np.ndarray
    y: np.ndarray
    route: np.ndarray
    territorial: np.ndarray
    force: np.ndarray
    spectacular: np.ndarray


class Options:
    """A group's options this week, in the order of the config's target types (a type's sites in the layer's
    order): the targets in its own area (``own``: type position, type, cell, utility) and the point targets
    ``sites`` (indices into :class:`SiteArrays`) with their ``utility``. Indexing gives the option as the tuple
    (type, place, cell, utility) without building every tuple."""

    def __init__(self, choice: AttackChoice, own: list, sites: np.ndarray, utility: np.ndarray):
        self._choice, self.own, self.sites, self.utility = choice, own, sites, utility
        kind = choice._all_sites.type[sites]
        # an own-area option goes before the point targets of later types
        before = np.searchsorted(kind, [i for i, *_ in own], side="left") if own else np.zeros(0, dtype=int)
        self._positions = before
        self._own_at = [int(b) + r for r, b in enumerate(before.tolist())]  # their indices in the whole order

    def __len__(self) -> int:
        return len(self.own) + len(self.sites)

    def utilities(self) -> np.ndarray:
        """Every option's utility, in order."""
        if not self.own:
            return self.utility
        return np.insert(self.utility, self._positions, [o[3] for o in self.own])

    def __getitem__(self, k: int) -> tuple:
        if k in self._own_at:
            _, tname, cell, u = self.own[self._own_at.index(k)]
            return tname, "", cell, u
        k -= sum(1 for f in self._own_at if f < k)
        site = int(self.sites[k])
        c = self._choice
        return c._type_names[c._all_sites.type[site]], c._all_sites.names[site], c._all_cells[site], \
            float(self.utility[k])

    def tuples(self) -> list[tuple]:
        return [self[k] for k in range(len(self))]


class AttackChoice(Mechanism):
    """Draws each group's operations, picks targets, resolves their toll and records them."""

    name = "attacks"

    def setup(self) -> None:
        m = self.model
        world = m.world
        self.capital_region = world.region[world.place_cell(world.config.capital)]
        # the sites of the target layer per target type: ids and coordinates, fixed for the run
        self.layer = {s.id: s for s in layer_for(world.config, self.config.layer)}
        self.points: dict[str, tuple[list[str], np.ndarray]] = {}
        targets = self.config.targets
        self._type_names = list(targets)
        # every point target in one row (target types in the config's order, a type's sites in the layer's): the
        # per-site quantities attack choice weighs, as arrays, for the utilities of all sites at once
        rows: list[tuple[int, TargetConfig, Target]] = []
        for i, (tname, t) in enumerate(targets.items()):
            sites = [s for s in self.layer.values() if s.kind in t.place_kinds]
            self.points[tname] = ([s.id for s in sites], np.array([[s.lon, s.lat] for s in sites]).reshape(-1, 2))
            rows += [(i, t, s) for s in sites]
        # a unit's cell -> its distance to each point target, computed the first time a unit stands there
        every = np.concatenate([coords for _, coords in self.points.values()])
        self._lon, self._lat = every[:, 0].copy(), every[:, 1].copy()
        self._all_cells = [world.cell_of(s.lon, s.lat) for _, _, s in rows]
        cx = np.array([c[0] for c in self._all_cells], dtype=int)
        cy = np.array([c[1] for c in self._all_cells], dtype=int)
        self._all_sites = SiteArrays(
            type=np.array([i for i, _, _ in rows], dtype=int),
            names=np.array([s.id for _, _, s in rows], dtype=object),
            value=np.array([self.site_value(s, t) for _, t, s in rows], dtype=float),
            symbolism=np.array([s.symbolism for _, _, s in rows], dtype=float),
            relevance=np.array([t.peace_relevance if s.peace_relevance is None else s.peace_relevance
                                for _, t, s in rows], dtype=float),
            x=cx, y=cy, route=world.route[cx, cy] if rows else np.zeros(0),
            territorial=np.array([bool(t.territorial) for _, t, _ in rows], dtype=bool),
            force=np.array([bool(t.force) for _, t, _ in rows], dtype=bool),
            spectacular=np.array([bool(t.needs_capability) for _, t, _ in rows], dtype=bool))
        # the sites with dates of opening or closing (bases, camps), by their index within their type
        self._windowed = {tname: [k for k, n in enumerate(names) if self.layer[n].active_from is not None
                                  or self.layer[n].active_until is not None]
                          for tname, (names, _) in self.points.items()}
        self._km_from_cell: dict[tuple[int, int], np.ndarray] = {}
        self._km_this_week: dict[tuple, np.ndarray] = {}
        self._exists_this_week: dict[tuple[str, str], np.ndarray] = {}
        self._exists_week = None  # the model's week_end the memo above belongs to
        self._ruled: tuple = (None, {})  # (week_end, {group name: share of the north's people it rules})

    def site_value(self, site: Target, t: TargetConfig) -> float:
        """The fixed part of a site's value beyond its type's: symbolism, casualty potential (above the middle)
        and protection (beyond the type's risk). Zero for a map place standing for its type (scenario given_venues)."""
        cfg = self.config
        protection = t.risk if site.protection is None else site.protection
        return (cfg.symbolism_weight * site.symbolism + cfg.casualty_weight * (site.casualty - 0.5)
                - cfg.protection_weight * (protection - t.risk))

    def protection(self, place: str, t: TargetConfig) -> float:
        """A site's protection (its type's risk for the group's own area or a map place standing for its type)."""
        site = self.layer.get(place)
        return t.risk if site is None or site.protection is None else site.protection

    # --- motives ----------------------------------------------------------------------------------------------
    def outbid(self, group: ArmedGroup) -> float:
        """Outbidding pressure: rivalry intensity x the camp's attention deficit (0 with ``outbidding`` off)."""
        if not self.config.outbidding:
            return 0.0
        m = self.model
        return m.rivalry_intensity * m.attention_deficit(group.camp)

    def retaliation(self, group: ArmedGroup) -> float:
        return 1.0 - math.exp(-group.retaliation / self.config.retaliation_scale)

    def ruled_share(self, group: ArmedGroup) -> float:
        """Share of the north's people the group rules: where its own influence is above the state's presence and
        at least 0.1 (:meth:`~sahel_sim.core.model.SahelModel.north_share_held`, as ``north_jihadist_share`` counts the
        groups together). Remembered for the week."""
        m = self.model
        week, shares = self._ruled
        if week is not m.week_end:
            shares = {}
            self._ruled = (m.week_end, shares)
        share = shares.get(group.name)
        if share is None:
            share = shares[group.name] = m.north_share_held(m.influence[group.slot])
        return share

    def capable(self, group: ArmedGroup) -> bool:
        """Whether a group can mount a spectacular operation this week (alone)."""
        c = self.config.spectacular
        return (group.fighters >= c.min_fighters and group.operations_budget >= c.min_funds
                and max(group.leader_experience, group.experience) >= c.min_experience
                and self.model.week - group.last_spectacular_step >= c.planning_weeks)

    def tempo(self, group: ArmedGroup) -> float:
        """Expected operations this week."""
        cfg = self.config
        motive = self.outbid(group) + self.model.spoiler_motive + self.retaliation(group)
        size = (group.fighters / 100.0) ** cfg.size_elasticity
        return cfg.base_rate * size * (1.0 + cfg.motive_tempo * motive)

    def hazard(self, group: ArmedGroup) -> float:
        """Expected operations this week with campaign dynamics: the background share of the tempo plus the
        excitation left by recent attacks (:mod:`sahel_sim.core.mechanisms.campaigns`; the tempo itself without it)."""
        m = self.model
        return self.tempo(group) * m.campaign_background + m.campaign_excitation.get(group.name, 0.0)

    # --- options ----------------------------------------------------------------------------------------------
    def km_to_targets(self, unit_xy: list[tuple[int, int]]) -> np.ndarray:
        """Distance (km) from the nearest of the units (their cells) to every point target, all types in a row.

        Remembered for the week by the units' cells: a group's operations in one week mostly start from the same
        cells."""
        key = tuple(unit_xy)
        km = self._km_this_week.get(key)
        if km is None:
            world, cache = self.model.world, self._km_from_cell
            nearest = None
            for xy in dict.fromkeys(unit_xy):  # each cell once: a minimum does not depend on order or repeats
                row = cache.get(xy)
                if row is None:
                    row = cache[xy] = km_between(world.lon[xy[0]], world.lat[xy[1]], self._lon, self._lat)
                nearest = row if nearest is None else np.minimum(nearest, row)
            km = self._km_this_week[key] = nearest
        return km

    def options(self, group: ArmedGroup, unit_xy: list[tuple[int, int]], capable: bool):
        """(target type, place, cell, utility) for every target in reach of the units (at cells ``unit_xy``)."""
        return self._options(group, unit_xy, capable).tuples()

    def _options(self, group: ArmedGroup, unit_xy: list[tuple[int, int]], capable: bool) -> Options:
        """The options of :meth:`options` as arrays: the utilities of the targets in the group's own area (one per
        such type, at a unit's cell) and of every point target in reach that exists this week, all point targets
        computed at once (the same terms, in the same order of operations, as one target at a time)."""
        m, cfg = self.model, self.config
        outbid = self.outbid(group)
        spoil = m.spoiler_motive
        retaliation = self.retaliation(group)
        spectacle_pull = cfg.spectacle_taste + cfg.outbid_weight * outbid
        # the restraint only weighs on spectacular targets, which a group that is not capable never considers
        restraint = cfg.rule_restraint * self.ruled_share(group) if capable and cfg.rule_restraint > 0 else 0.0
        own: list[tuple[int, str, tuple[int, int], float]] = []  # (type's position, type, cell, utility)
        base = np.zeros(len(cfg.targets))
        considered = np.zeros(len(cfg.targets), dtype=bool)
        for i, (tname, t) in enumerate(cfg.targets.items()):
            b = t.appeal + spectacle_pull * t.weight - cfg.risk_weight * t.risk
            if t.needs_capability:
                b -= restraint
            if t.foreign:
                b += cfg.retaliation_weight * retaliation * (0.5 + group.foreign_focus)
            if t.needs_capability and not capable:
                continue
            if not t.place_kinds:  # the group's own area: the cell of a unit, weighted by its strength
                if t.force and m.force(t.force) is None:  # no such force on the scene: nothing to attack
                    continue
                k = self._pick_unit_index(group)
                x, y = unit_xy[k]
                if m.state_presence[x, y] < t.needs_state_presence:
                    continue
                own.append((i, tname, (int(x), int(y)), b + cfg.territory_weight * t.territorial
                            * self._contest(group, x, y)))
                continue
            base[i], considered[i] = b, True
        a = self._all_sites
        km = self.km_to_targets(unit_xy)
        reach = np.where(a.spectacular & capable, cfg.spectacular.reach_km, cfg.reach_km)
        j = np.flatnonzero(considered[a.type] & (km <= reach) & self._exists_all())
        kind = a.type[j]
        u = base[kind] - cfg.distance_cost * km[j] / 1000.0
        u += a.value[j] + cfg.attention_weight * outbid * a.symbolism[j]
        u += cfg.spoil_weight * spoil * self._peace_relevances(a.names[j], a.relevance[j])
        territorial, force = a.territorial[j], a.force[j]
        if territorial.any():
            u[territorial] += cfg.territory_weight * self._contests(group, a.x[j[territorial]], a.y[j[territorial]])
        if force.any():
            u[force] += cfg.revenue_weight * a.route[j[force]]
        if cfg.crowding > 0:  # a type's pull does not grow with its number of sites
            counts = np.bincount(kind, minlength=len(cfg.targets))
            for i in np.flatnonzero(counts > 1).tolist():
                u[kind == i] -= cfg.crowding * math.log(int(counts[i]))
        return Options(self, own, j, u)

    def _exists(self, tname: str, t: TargetConfig) -> np.ndarray:
        """Whether each site of a target type is active this week and, for a force's target, the force has troops
        (remembered for the week: both change only when a week begins)."""
        memo = self._exists_memo()
        key = (tname, t.force)
        exists = memo.get(key)
        if exists is None:
            m = self.model
            names = self.points[tname][0]
            force = m.force(t.force) if t.force else None
            if t.force and (force is None or force.troops <= 0):  # no such force, or no troops: nothing to hit
                exists = np.zeros(len(names), dtype=bool)
            else:
                exists = np.ones(len(names), dtype=bool)
                for k in self._windowed[tname]:  # the few sites that open or close during the run
                    exists[k] = self.layer[names[k]].active(m.week_end)
            memo[key] = exists
        return exists

    def _exists_all(self) -> np.ndarray:
        """:meth:`_exists` of every point target, all types in a row (remembered for the week)."""
        memo = self._exists_memo()
        exists = memo.get(("", "all"))
        if exists is None:
            parts = [self._exists(tname, t) for tname, t in self.config.targets.items()]
            exists = memo["", "all"] = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
        return exists

    def _exists_memo(self) -> dict:
        """The week's memo of which sites exist, emptied when the week has changed since it was filled (also when
        asked between steps: tests, the app)."""
        if self._exists_week is not self.model.week_end:
            self._exists_this_week.clear()
            self._exists_week = self.model.week_end
        return self._exists_this_week

    def _peace_relevance(self, place: str, relevance: float) -> float:
        """A site's relevance to the peace process this week: 1 where this week's meeting is held, the site's own
        while the process is under way, else 0."""
        m = self.model
        if place and place == m.peace_venue:  # the site hosting this week's peace-process meeting
            return 1.0
        return relevance if m.peace_progress > 0 else 0.0

    def _peace_relevances(self, places: np.ndarray, relevance: np.ndarray) -> np.ndarray:
        """:meth:`_peace_relevance` of many sites at once."""
        m = self.model
        out = relevance.copy() if m.peace_progress > 0 else np.zeros(len(relevance))
        if m.peace_venue:
            out[places == m.peace_venue] = 1.0
        return out

    def _contests(self, group: ArmedGroup, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """:meth:`_contest` of many cells at once."""
        m = self.model
        return self.config.contest_gain * m.influence[group.slot, x, y] * m.state_presence[x, y]

    def _contest(self, group: ArmedGroup, x: int, y: int) -> float:
        """How contested a cell is between the group and the state: both present, neither dominant."""
        m = self.model
        own = m.influence[group.slot, x, y]
        return self.config.contest_gain * own * m.state_presence[x, y]

    def _pick_unit_index(self, group: ArmedGroup) -> int:
        return draw_by_counts(self.model.rng, [u.strength for u in group.units])

    # --- resolution -------------------------------------------------------------------------------------------
    def partner_for(self, group: ArmedGroup, lon: float, lat: float) -> ArmedGroup | None:
        """An ally of the same camp with fighters within planned-operation reach, if one joins. With the relations
        layer, only a group that has decided to cooperate with ``group`` (cooperating or allied) may join."""
        m = self.model
        allies = [g for g in m.groups() if g is not group and g.camp == group.camp and g.units]
        if m.mechanism("relations") is not None:
            allies = [g for g in allies if m.relation[group.slot, g.slot] >= COOPERATING]
        m.rng.shuffle(allies)
        for ally in allies:
            d = min(km_between(m.world.lon[u.cell.coordinate[0]], m.world.lat[u.cell.coordinate[1]], lon, lat)
                    for u in ally.units)
            if d <= self.config.spectacular.reach_km and m.rng.random() < self.config.joint_probability:
                return ally
        return None

    def resolve(self, group: ArmedGroup, tname: str, place: str, cell: tuple[int, int]) -> Attack:
        m, cfg, world = self.model, self.config, self.model.world
        t = cfg.targets[tname]
        rng = m.rng
        x, y = cell
        perpetrators = [group]
        if t.needs_capability:
            lon, lat = world.lon[x], world.lat[y]
            partner = self.partner_for(group, lon, lat)
            if partner is not None:
                perpetrators.append(partner)
            share = cfg.spectacular.cost / len(perpetrators)
            for g in perpetrators:
                g.operations_budget = max(0.0, g.operations_budget - share)
                g.last_spectacular_step = m.week
        skill = max(max(g.leader_experience, g.experience) for g in perpetrators)
        site = self.layer.get(place)
        defence = self.protection(place, t)
        if t.force == "minusma":
            defence = min(1.0, defence + m.un_protection)
        # the toll's scale: the target's x_min, from half (novices) to 1.5 times (veterans), cut by up to 70% by
        # defences, and 30% larger per extra partner of a joint operation (Horowitz & Potter 2014: alliances raise
        # lethality)
        x_min = t.x_min_killed * (0.5 + skill) * (1.0 - 0.7 * defence) * (1.0 + 0.3 * (len(perpetrators) - 1))
        if site is not None and site.casualty != 0.5:  # a crowded site's toll is larger: x (0.5 + casualty potential)
            x_min *= 0.5 + site.casualty
        # a stand-off or failed attack (a mine, rockets or mortar fire that miss, an assault called off) kills
        # nobody on either side; an attack that comes to contact kills a heavy-tailed toll and some attackers
        contact = rng.random() >= t.no_death_probability
        killed = power_law_draw(rng, max(x_min, 1.0), cfg.alpha, cfg.max_killed) if contact else 0
        hostages = (power_law_draw(rng, t.hostage_x_min, cfg.alpha, cfg.max_killed * 2)
                    if rng.random() < t.hostage_probability else 0)
        foreigners = bool(rng.random() < t.foreigner_probability)
        team = min(t.team, group.fighters)
        attackers_killed = int(rng.binomial(team, t.attacker_death_probability)) if contact and team > 0 else 0
        attackers_killed = group.lose(attackers_killed, self._nearest_unit(group, x, y))
        in_capital = world.region[x, y] == self.capital_region and world.in_mali[x, y]
        score = spectacle_score(m.config.mechanisms.attention.spectacle, t.weight, bool(in_capital), killed,
                                hostages, foreigners)
        spectacular = score >= m.config.mechanisms.attention.spectacle.threshold
        own = t.peace_relevance if site is None or site.peace_relevance is None else site.peace_relevance
        relevance = self._peace_relevance(place, own)
        attack = Attack(
            id=len(m.log.attacks), step=m.week, date=m.date, x=x, y=y, lon=float(world.lon[x]),
            lat=float(world.lat[y]), region=world.region_of((x, y)), zone=ZONES[world.zone[x, y]], target=tname,
            place=place, target_kind=site.kind if site else "", city=site.city if site else "",
            perpetrators=[g.name for g in perpetrators], camp=group.camp,
            joint=len(perpetrators) > 1, killed=killed, hostages=hostages, foreigners=foreigners,
            attackers_killed=attackers_killed, spectacle=score, spectacular=bool(spectacular),
            victim_force=t.force, peace_relevance=relevance)
        for g in perpetrators:
            g.attacks_total += 1
            g.spectacular_total += int(spectacular)
        m.record_attack(attack)
        return attack

    def _nearest_unit(self, group: ArmedGroup, x: int, y: int):
        if not group.units:
            return None
        return min(group.units, key=lambda u: (u.cell.coordinate[0] - x) ** 2 + (u.cell.coordinate[1] - y) ** 2)

    # --- the week -------------------------------------------------------------------------------------------
    def choice(self, group: ArmedGroup) -> tuple[list, np.ndarray]:
        """The group's options this week and the logit probability of picking each."""
        opts, p = self._choice(group)
        return opts.tuples(), p

    def _choice(self, group: ArmedGroup) -> tuple[Options, np.ndarray]:
        unit_xy = [u.cell.coordinate for u in group.units]
        opts = self._options(group, unit_xy, self.capable(group))
        if not len(opts):
            return opts, np.zeros(0)
        utils = opts.utilities() / self.config.temperature
        p = np.exp(utils - utils.max())
        return opts, p / p.sum()

    def step(self) -> None:
        m, cfg = self.model, self.config
        self._km_this_week.clear()  # the units have moved since last week
        self._exists_this_week.clear()  # a new week: bases open and close, forces change strength
        for group in m.groups():
            if not group.units:
                continue
            n_ops = min(int(m.rng.poisson(self.hazard(group))), cfg.max_per_week)
            for _ in range(n_ops):
                if not group.units:
                    break
                opts, p = self._choice(group)
                if not len(opts):
                    continue
                tname, place, cell, _ = opts[draw_index(m.rng, p)]
                self.resolve(group, tname, place, cell)
