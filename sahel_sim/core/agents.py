"""Who acts: armed organisations (Mesa agents with identity and decisions) and what they deploy on the map.

Organisations are not on the grid; their deployed units are. A jihadist group (:class:`ArmedGroup`) is a leader,
experience, funds, a camp (AQ or IS) and a set of :class:`FighterUnit` detachments on cells. Forces
(:class:`Force`: Barkhane, MINUSMA, the Malian army) have troops and :class:`Base` agents fixed at places.
Every change of a group's fighters goes through :meth:`ArmedGroup.recruit`, :meth:`ArmedGroup.lose` or
:meth:`ArmedGroup.transfer`, so the fighter balance (start + recruits - losses - transfers = end) always holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
from mesa.discrete_space import CellAgent, FixedAgent

# the faction's config lives in its own module (no Mesa there); it is read from here too
from .faction_config import CAMPS, KINDS, FactionConfig  # noqa: F401
from .params import parse_date

if TYPE_CHECKING:
    from .model import SahelModel

class Organisation(mesa.Agent):
    """An actor with a name, a kind and a record of its losses."""

    def __init__(self, model: SahelModel, name: str, config: FactionConfig):
        super().__init__(model)
        self.name = name
        self.config = config
        self.label = config.label or name
        self.kind = config.kind
        self.fixed_color = config.color  # "" (the default): by camp and kind (sahel_sim.core.palette)
        self.active = True
        self.killed_total = 0  # personnel of this organisation killed (fighters or troops)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    @property
    def color(self) -> str:
        """The colour this organisation is drawn in now: its camp's family (or its kind's, for a force), or the
        colour its config sets (:mod:`sahel_sim.core.palette`)."""
        from .palette import model_colours

        return model_colours(self.model)[self.name]


class ArmedGroup(Organisation):
    """A jihadist organisation: camp, leader, funds, fighters on the map, attention and prestige.

    Its money is in two purses: the treasury (``funds``), which pays the fighters' upkeep, and the operations
    budget (``operations_budget``), a share of every income set aside for spectacular operations, which upkeep
    does not touch (:meth:`earn`). Its state is what its decisions read: attack choice reads capability (fighters,
    operations budget, leader experience, weeks since its last spectacular attack) and motives; alliances read its
    size, its leader's fate and which camp looks like the winner.
    """

    def __init__(self, model: SahelModel, name: str, config: FactionConfig, slot: int):
        super().__init__(model, name, config)
        self.camp = config.camp
        self.camp_history = [(self.camp, model.week)]  # (camp, week joined), current camp last: for its colour
        self.slot = slot  # index into the per-faction layers (influence, presence)
        self.funds = 0.0  # the treasury, thousand USD
        self.operations_budget = 0.0  # thousand USD set aside for spectacular operations
        self.earn(float(config.funds))  # the starting war chest is split as any income is
        self.leader = config.leader or f"leader of {self.label}"
        self.leader_experience = config.leader_experience
        self.experience = config.experience
        self.foreign_focus = config.foreign_focus
        self.parent: str | None = None
        self.founders: list[str] = []  # configured factions a coalition was formed from (mechanisms.relations)
        self.units: list[FighterUnit] = []
        self._fighters = 0  # sum of the units' strengths, kept by FighterUnit.strength and transfer()
        # attention and standing
        self.attention = 0.0  # decaying stock of media attention (attention units)
        self.attention_share = 0.0
        self.prestige = 0.0
        # motives, updated by the mechanisms that own them
        self.retaliation = 0.0  # decaying memory of losses to foreign strikes
        self.last_spectacular_step = -10_000
        self.leader_killed_step = -10_000
        self.pledge_step = -10_000
        # the fighter ledger
        self.fighters_start = 0
        self.recruits_total = 0
        self.losses_total = 0
        self.transfers_total = 0  # net fighters moved out (splits, mergers); negative when received
        self.recruits_week = 0
        self.losses_week = 0
        self.revenue_week = 0.0
        self.attacks_total = 0
        self.spectacular_total = 0

    @property
    def fighters(self) -> int:
        """Fighters in all units (a running total: every change of a unit's strength updates it)."""
        return self._fighters

    @property
    def is_group(self) -> bool:
        return True

    def earn(self, amount: float) -> None:
        """Income (the starting war chest, route revenue, attention-borne funds, in thousand USD): the model's
        ``budget_share`` of it goes to the operations budget, the rest to the treasury."""
        kept = self.model.budget_share * amount
        self.operations_budget += kept
        self.funds += amount - kept

    def recruit(self, n: int, cell=None) -> None:
        """New fighters join, into the unit nearest ``cell`` (or the largest unit)."""
        if n <= 0:
            return
        if not self.units:
            if cell is None:
                return
            FighterUnit(self.model, self, 0, cell)
        unit = self._unit_near(cell) if cell is not None else max(self.units, key=lambda u: u.strength)
        unit.strength += n
        self.recruits_total += n
        self.recruits_week += n

    def lose(self, n: int, unit: FighterUnit | None = None) -> int:
        """Fighters killed or deserted; taken from ``unit`` (or spread over units). Returns the number lost."""
        n = min(int(n), self.fighters)
        if n <= 0:
            return 0
        remaining = n
        targets = [unit] if unit is not None else sorted(self.units, key=lambda u: -u.strength)
        for u in targets:
            take = min(u.strength, remaining)
            u.strength -= take
            remaining -= take
            if remaining == 0:
                break
        if remaining:  # the named unit was too small: take the rest from the others
            for u in sorted(self.units, key=lambda u: -u.strength):
                take = min(u.strength, remaining)
                u.strength -= take
                remaining -= take
        lost = n - remaining
        self.losses_total += lost
        self.losses_week += lost
        self.killed_total += lost
        self.prune_units()
        return lost

    def transfer(self, units: list[FighterUnit], to: ArmedGroup) -> int:
        """Hand whole units to another group (a split, a merger). Returns the fighters moved."""
        moved = 0
        for u in units:
            if u.owner is not self:
                continue
            self.units.remove(u)
            self._fighters -= u.strength
            u.owner = to
            to.units.append(u)
            to._fighters += u.strength
            moved += u.strength
        self.transfers_total += moved
        to.transfers_total -= moved
        return moved

    def prune_units(self) -> None:
        for u in [u for u in self.units if u.strength <= 0]:
            self.units.remove(u)
            u.remove()

    def _unit_near(self, cell) -> FighterUnit:
        cx, cy = cell.coordinate
        return min(self.units, key=lambda u: (u.cell.coordinate[0] - cx) ** 2 + (u.cell.coordinate[1] - cy) ** 2)


class Force(Organisation):
    """A state or foreign force: the Malian army, Barkhane (Serval before August 2014) or MINUSMA.

    ``troops`` follows the configured schedule; losses are counted, not subtracted from the authorised strength,
    because the record gives deployed strength, replenished by rotation. MINUSMA's ``patrol_share`` is the share
    of its effort spent on patrols rather than force protection.
    """

    def __init__(self, model: SahelModel, name: str, config: FactionConfig):
        super().__init__(model, name, config)
        self.camp = ""
        self.schedule = sorted((parse_date(d, name), float(t)) for d, t in config.troops)
        self.troops = 0.0
        self.troop_scale = 1.0  # set by the mechanism driving the force (the classroom slider)
        self.patrol_share = 1.0
        self.recent_losses = 0.0  # decaying memory of personnel killed (MINUSMA's threat perception)
        self.bases: list[Base] = []
        self.strikes_total = 0

    @property
    def is_group(self) -> bool:
        return False

    def troops_on(self, date) -> float:
        """Deployed troops on a date: the last scheduled level at or before it, times ``troop_scale`` (none after
        the force's ``active_until``)."""
        if self.config.active_until and date >= parse_date(self.config.active_until, self.name):
            return 0.0
        level = 0.0
        for d, t in self.schedule:
            if d <= date:
                level = t
            else:
                break
        return level * self.troop_scale

    def active_bases(self) -> list[Base]:
        return [b for b in self.bases if b.active]


class FighterUnit(CellAgent):
    """A detachment of a jihadist group on one cell: ``strength`` fighters."""

    def __init__(self, model: SahelModel, owner: ArmedGroup, strength: int, cell):
        super().__init__(model)
        self._strength = 0
        self.owner = owner
        self.strength = int(strength)
        self.cell = cell
        owner.units.append(self)

    @property
    def strength(self) -> int:
        return self._strength

    @strength.setter
    def strength(self, value: int) -> None:
        self.owner._fighters += value - self._strength  # keeps the owner's total without summing its units
        self._strength = value


class Base(FixedAgent):
    """A base or post of a force at a named place; a target while active."""

    def __init__(self, model: SahelModel, owner: Force, place: str, cell):
        super().__init__(model)
        self.owner = owner
        self.place = place
        self.cell = cell
        self.active = False
        owner.bases.append(self)
