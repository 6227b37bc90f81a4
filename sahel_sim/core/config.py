"""The model's configuration, as one validated tree of dataclasses: what :class:`~sahel_sim.core.model.SahelModel`
takes. The model never imports Hydra.

Each section is defined next to the code it configures; this module assembles them and checks the rules that span
sections (factions named by mechanisms and events exist, events fall inside the calendar, home places exist). The
layers above extend it with their own sections (a run's outputs, :class:`sahel_sim.runner.run.RunConfig`; a
sensitivity design's row, an experiment and its scale, :class:`sahel_sim.analysis.schema.SahelConfig`, the schema
Hydra composes into).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .calendar import CalendarConfig
from .faction_config import FactionConfig
from .geography import MapConfig
from .mechanisms.alliances import AlliancesConfig
from .mechanisms.attack_choice import AttackConfig
from .mechanisms.attention import AttentionConfig
from .mechanisms.barkhane import BarkhaneConfig
from .mechanisms.campaigns import CampaignsConfig
from .mechanisms.claims import ClaimsConfig
from .mechanisms.communal import COMMUNITIES, CommunalConfig
from .mechanisms.minusma import MinusmaConfig
from .mechanisms.peace_process import PeaceProcessConfig
from .mechanisms.recruitment import RecruitmentConfig
from .mechanisms.relations import RelationsConfig
from .mechanisms.rivalry import RivalryConfig
from .mechanisms.territory import TerritoryConfig
from .params import ConfigError, param, parse_date, use_root_schema, validate
from .scenario import ScenarioConfig


@dataclass
class MechanismsConfig:
    """The ten mechanisms of DESIGN.md §5, each with an ``enabled`` switch, in the order they act each week."""

    rivalry: RivalryConfig = field(default_factory=RivalryConfig)
    peace_process: PeaceProcessConfig = field(default_factory=PeaceProcessConfig)
    barkhane: BarkhaneConfig = field(default_factory=BarkhaneConfig)
    minusma: MinusmaConfig = field(default_factory=MinusmaConfig)
    territory: TerritoryConfig = field(default_factory=TerritoryConfig)
    attacks: AttackConfig = field(default_factory=AttackConfig)
    campaigns: CampaignsConfig = field(default_factory=CampaignsConfig)
    claims: ClaimsConfig = field(default_factory=ClaimsConfig)
    attention: AttentionConfig = field(default_factory=AttentionConfig)
    communal: CommunalConfig = field(default_factory=CommunalConfig)
    recruitment: RecruitmentConfig = field(default_factory=RecruitmentConfig)
    relations: RelationsConfig = field(default_factory=RelationsConfig)
    alliances: AlliancesConfig = field(default_factory=AlliancesConfig)


@dataclass
class SimConfig:
    """The model of one run: seed, calendar, map, factions, scenario events, mechanisms.

    Rules that span sections (checked before a run, after each section's own ranges and rules): there is at
    least one faction, and no more jihadist factions than ``max_groups``; every faction's ``home`` places and every
    peace venue is an entry of ``map.places``; an enabled ``mechanisms.barkhane`` (``minusma``) names a faction of
    kind foreign_force (peacekeeping); ``mechanisms.alliances.splinter_names`` is keyed by configured factions;
    with ``scenario.strict_calendar`` every scenario event (of the shared ``scenario.history`` and of the scenario's own
    ``scenario.events``) falls inside the calendar (without it, events outside are dropped), and the factions and
    ``into`` of an event are configured jihadist factions.
    """

    seed: int = param(42, lo=0, hi=2**32 - 1, doc="random seed of the run (ignored when replicate >= 0)")
    replicate: int = param(-1, lo=-1, hi=10**9,
                           doc="replicate number; when >= 0 the run's seed is derived from (base_seed, replicate)")
    base_seed: int = param(42, lo=0, hi=2**32 - 1, doc="base of the replicate seeds of a sweep")
    max_groups: int = param(12, lo=1, hi=64, doc="jihadist group slots (configured groups plus splinters)")
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    map: MapConfig = field(default_factory=MapConfig)
    factions: dict[str, FactionConfig] = field(default_factory=dict)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    mechanisms: MechanismsConfig = field(default_factory=MechanismsConfig)

    def check(self, path: str = "") -> None:
        if not self.factions:
            raise ConfigError("factions", "is empty; allowed: at least one faction")
        groups = [n for n, f in self.factions.items() if f.kind == "jihadist"]
        if len(groups) > self.max_groups:
            raise ConfigError("max_groups",
                              f"{self.max_groups} is fewer than the {len(groups)} jihadist factions; "
                              f"allowed >= {len(groups)}")
        for name, f in self.factions.items():
            for place in f.home:
                if place not in self.map.places:
                    raise ConfigError(f"factions.{name}.home", f"{place!r} is not a place; "
                                      f"allowed: one of map.places ({_names(self.map.places)})")
        mech = self.mechanisms
        for key, kind in (("barkhane", "foreign_force"), ("minusma", "peacekeeping")):
            section = getattr(mech, key)
            if section.enabled:
                f = self.factions.get(section.faction)
                if f is None or f.kind != kind:
                    what = f"is a {f.kind} faction" if f is not None else "is not a faction"
                    fitting = _names([n for n, c in self.factions.items() if c.kind == kind]) or "none configured"
                    raise ConfigError(f"mechanisms.{key}.faction",
                                      f"{section.faction!r} {what}; allowed: a faction of kind {kind} ({fitting}),"
                                      f" or mechanisms.{key}.enabled=false")
        for venue in mech.peace_process.venues:
            if venue not in self.map.places:
                raise ConfigError("mechanisms.peace_process.venues",
                                  f"{venue!r} is not a place; allowed: one of map.places ({_names(self.map.places)})")
        jihadist_names = [n for n, f in self.factions.items() if f.kind == "jihadist"]
        for name, f in self.factions.items():
            for key in ("ties", "formed_by"):
                for other in getattr(f, key):
                    if other not in jihadist_names or other == name:
                        raise ConfigError(f"factions.{name}.{key}", f"{other!r} is not another jihadist faction; "
                                          f"allowed: one of {_names([n for n in jihadist_names if n != name])}")
            if f.forms_from and (f.active_from or f.formed_by):
                raise ConfigError(f"factions.{name}.forms_from", f"{f.forms_from!r} given for a faction with a date "
                                  "(active_from) or a merger (formed_by); allowed: empty, or neither of those")
            if f.forms_from and f.base not in COMMUNITIES:
                raise ConfigError(f"factions.{name}.base", f"{f.base!r} for a faction that forms from a local cell; "
                                  f"allowed: a community of the communal layer ({', '.join(COMMUNITIES)})")
            if f.formed_by and f.active_from:
                raise ConfigError(f"factions.{name}.active_from", f"{f.active_from!r} given for a coalition that "
                                  "forms by its members' decision (formed_by); allowed: empty, or formed_by: [] "
                                  "for a dated appearance")
        for parent in mech.alliances.splinter_names:
            if parent not in self.factions:
                raise ConfigError(f"mechanisms.alliances.splinter_names.{parent}",
                                  f"{parent!r} is not a faction; allowed: one of factions ({_names(self.factions)})")
        start = parse_date(self.calendar.start, "calendar.start")
        end = parse_date(self.calendar.end, "calendar.end")
        written = [(f"scenario.history[{i}]", ev) for i, ev in enumerate(self.scenario.history)]
        written += [(f"scenario.events[{i}]", ev) for i, ev in enumerate(self.scenario.events)]
        for where, ev in written:
            d = parse_date(ev.date, f"{where}.date")
            if not start <= d <= end and self.scenario.strict:
                flag = ("scenario.strict_calendar is true" if self.scenario.strict_calendar
                        else "scenario.clip_to_calendar is false (the former spelling of strict_calendar=true)")
                raise ConfigError(f"{where}.date", f"{d} is outside the run {start} .. {end} and {flag}; allowed: "
                                  "a date inside it (or leave scenario.strict_calendar false, the default, to drop "
                                  "such events)")
            jihadists = _names([n for n, f in self.factions.items() if f.kind == "jihadist"])
            for key, name in [*(("factions", n) for n in ev.factions), *([("into", ev.into)] if ev.into else [])]:
                if name not in self.factions:
                    raise ConfigError(f"{where}.{key}", f"{name!r} is not a faction; allowed: one of the jihadist "
                                      f"factions ({jihadists})")
                if self.factions[name].kind != "jihadist":
                    raise ConfigError(f"{where}.{key}", f"{name!r} is a {self.factions[name].kind}; "
                                      f"allowed: jihadist factions only ({jihadists})")


def _names(names, most: int = 12) -> str:
    """Names for an "allowed" list: all of them, or the first ``most`` and how many there are."""
    names = list(names)
    shown = ", ".join(map(str, names[:most]))
    return shown if len(names) <= most else f"{shown}, ... ({len(names)} in all)"


use_root_schema(SimConfig)


def validated(config: SimConfig) -> SimConfig:
    """The config itself, after every declared range, choice and cross-reference has been checked."""
    validate(config)
    return config
