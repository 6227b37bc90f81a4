"""Dated scenario events: global shocks, peace agreements, mergers from the record, notes for the calendar.

Events are given by date in the ``scenario`` config and fire in the week containing their date. Troop levels
(Serval's arrival, Barkhane, MINUSMA's build-up) are the forces' own troop schedules; the appearance of a new
group is its faction's ``active_from`` date.
"""

from __future__ import annotations

from dataclasses import dataclass

from .params import ConfigError, param, parse_date

EVENT_KINDS = ("global_shock", "peace_agreement", "merger", "note")


@dataclass
class ScheduledEventConfig:
    """One dated event.

    * ``global_shock``: a spectacular attack abroad by ``camp`` (AQ or IS) with ``magnitude`` in [0, 1] (share
      of global attention shifted toward that camp);
    * ``peace_agreement``: a signed agreement; ``magnitude`` scales its milestone (0 means 1);
    * ``merger``: the groups in ``factions`` merge into ``into`` (a configured faction);
    * ``note``: a calendar mark for figures, no effect.
    """

    date: str = ""
    kind: str = param("note", choices=EVENT_KINDS)
    label: str = ""
    camp: str = ""
    magnitude: float = param(0.0, lo=0.0, hi=1.0)
    factions: list[str] = param(factory=list)
    into: str = ""
    source: str = ""

    def check(self, path: str) -> None:
        parse_date(self.date, f"{path}.date")
        if self.kind == "global_shock" and self.camp not in ("AQ", "IS"):
            raise ConfigError(f"{path}.camp", f"{self.camp!r}; allowed for a global_shock: AQ, IS")
        if self.kind == "merger" and (not self.factions or not self.into):
            raise ConfigError(f"{path}.factions",
                              "a merger without members or target; allowed: factions: [names], into: name")


@dataclass
class ScenarioConfig:
    """A named scenario: a description and its dated events.

    Every event must fall inside the calendar; ``clip_to_calendar: true`` instead drops the events outside it
    (for a shorter run of a longer scenario).
    """

    name: str = "custom"
    clip_to_calendar: bool = False
    description: str = ""
    events: list[ScheduledEventConfig] = param(factory=list)
