"""The configuration of one actor of the conflict (:class:`FactionConfig`): what ``factions`` in the config holds.

It configures the organisations of :mod:`sahel_sim.core.agents` (Mesa agents), and lives in a module of its own
so that reading and checking a config does not import Mesa: a sweep's main process composes and checks configs but
runs no model (importing Mesa, with networkx and scipy, costs ~0.4 s of its start-up).
"""

from __future__ import annotations

from dataclasses import dataclass

from .params import ConfigError, param, parse_date

KINDS = ("jihadist", "foreign_force", "peacekeeping", "state")
CAMPS = ("AQ", "IS")


@dataclass
class FactionConfig:
    """One actor of the conflict. A new faction is added by adding an entry to ``factions`` in the config.

    Jihadist groups need ``camp`` (AQ or IS), ``fighters``, ``units`` and ``home`` places where their units start;
    forces (foreign_force, peacekeeping, state) need ``troops`` (a schedule of [date, troops] steps) and
    ``base_kind``, the kind of place where they are based. ``active_from`` delays a faction's appearance;
    ``active_until`` ends it; ``formed_by`` (a merger) and ``forms_from`` (a local cell of the communal layer: the
    Macina Liberation Front) make it form in the run instead.

    Rules (checked before a run): ``kind`` is one of jihadist, foreign_force, peacekeeping, state; a jihadist
    group's ``camp`` is AQ or IS, a force's is empty; a group with fighters has at least one unit and at least one
    ``home`` place, every one an entry of ``map.places``; ``active_from``/``active_until`` are ISO dates, the
    second after the first; a force's ``troops`` is a non-empty list of [date, troops >= 0] pairs with ascending
    dates, and its ``base_kind`` is french_base, un_base or army_post.
    """

    label: str = ""
    kind: str = param("jihadist", choices=KINDS)
    camp: str = param("", doc="AQ or IS for jihadist groups; empty for forces")
    active_from: str = ""
    active_until: str = ""
    fighters: int = param(0, lo=0, hi=1_000_000, unit="fighters")
    units: int = param(1, lo=0, hi=500, unit="units", doc="fighter detachments on the map at start")
    home: list[str] = param(factory=list, doc="places where the group's units start")
    home_radius_km: float = param(80.0, lo=0.0, hi=2000.0, unit="km")
    funds: float = param(0.0, lo=0.0, hi=1e7, unit="thousand USD")
    leader: str = ""
    leader_experience: float = param(0.5, lo=0.0, hi=1.0, doc="0 novice, 1 Belmokhtar-like veteran")
    experience: float = param(0.5, lo=0.0, hi=1.0, doc="organisational sophistication")
    foreign_focus: float = param(0.5, lo=0.0, hi=1.0, doc="weight of foreign/UN targets against local ones")
    base: str = param("", doc="the social base the group recruits from (e.g. tuareg_ifoghas, arab_tilemsi, fulani, "
                      "maghrebi): shared bases tie groups (mechanisms.relations)")
    ties: list[str] = param(factory=list, doc="factions the group's leaders are personally tied to, or that it "
                            "came from, before the run starts (mechanisms.relations)")
    formed_by: list[str] = param(factory=list, doc="a coalition's name for a merger of these factions: the faction "
                                 "never appears on a date; it forms only if two of them decide to merge in the run "
                                 "(mechanisms.relations); the name is a label")
    forms_from: str = param("", choices=("", "local_cell"),
                            doc="local_cell: the group never appears on a date; it forms from a local cell of the "
                                "communal layer when the cell's recruits pass mechanisms.communal.front_threshold "
                                "(its fighters and cells are the cell's; fighters, units and home are not used)")
    troops: list[list] = param(factory=list, doc="[date, troops] steps for forces")
    base_kind: str = param("", doc="place kind of the force's bases: french_base, un_base, army_post")
    color: str = param("", doc="fixed drawing colour; empty (the default): the camp's colour family at the time "
                           "shown, or the forces' (sahel_sim/core/palette.py)")
    source: str = ""

    def check(self, path: str) -> None:
        if self.kind == "jihadist":
            if self.camp not in CAMPS:
                raise ConfigError(f"{path}.camp", f"{self.camp!r} is not a camp; allowed: {', '.join(CAMPS)}")
        elif self.camp:
            raise ConfigError(f"{path}.camp", f"{self.camp!r} given for a {self.kind}; allowed: empty")
        for name in ("active_from", "active_until"):
            if getattr(self, name):
                parse_date(getattr(self, name), f"{path}.{name}")
        if self.active_from and self.active_until and (
                parse_date(self.active_until, path) <= parse_date(self.active_from, path)):
            raise ConfigError(f"{path}.active_until", "must come after active_from; allowed: a later date")
        if self.kind != "jihadist":
            if not self.troops:
                raise ConfigError(f"{path}.troops", "is empty; allowed: at least one [date, troops] step for a force")
            for i, row in enumerate(self.troops):
                if len(row) != 2:
                    raise ConfigError(f"{path}.troops[{i}]", f"{row!r} is not a pair; allowed: [date, troops]")
                parse_date(row[0], f"{path}.troops[{i}]")
                if not isinstance(row[1], (int, float)) or isinstance(row[1], bool) or row[1] < 0:
                    raise ConfigError(f"{path}.troops[{i}]", f"{row[1]!r} troops; allowed: a number >= 0")
            dates = [parse_date(r[0], path) for r in self.troops]
            if dates != sorted(dates):
                raise ConfigError(f"{path}.troops", "dates are out of order; allowed: ascending dates")
            if self.base_kind not in ("french_base", "un_base", "army_post"):
                raise ConfigError(f"{path}.base_kind", f"{self.base_kind!r}; allowed: french_base, un_base, army_post")
        elif self.fighters > 0 and not self.home:
            raise ConfigError(f"{path}.home",
                              "is empty; allowed: at least one place of map.places for a group with fighters")
        elif self.fighters > 0 and self.units < 1:
            raise ConfigError(f"{path}.units", f"{self.units} units for {self.fighters} fighters; allowed: at least "
                              "1 unit for a group with fighters (or fighters: 0)")
