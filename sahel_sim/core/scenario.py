"""Dated scenario events: global shocks, peace agreements, mergers from the record, notes for the calendar.

Events are given by date in the ``scenario`` config and fire in the week containing their date. They come in two
lists: ``scenario.history``, the dated history 2012-2017 that the scenarios share, written once
(``configs/scenario/history/mali_2012_2017.yaml``), and ``scenario.events``, what a scenario adds to it (the record's
mergers of a comparison scenario, the inputs of 2017-2019 of the projection). The run fires both, in date order
(:attr:`ScenarioConfig.dated_events`). Troop levels (Serval's arrival, Barkhane, MINUSMA's build-up) are the forces'
own troop schedules; the appearance of a new group is its faction's ``active_from`` date.
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
    """A named scenario: a description and its dated events, the shared history and its own.

    ``history`` is the dated history the scenarios share (every scenario of ``configs/scenario/`` takes it from
    ``configs/scenario/history/``), ``events`` the scenario's own events; the run fires both, merged in date order
    (:attr:`dated_events`). Hydra replaces a list rather than extending it, so the two lists are kept apart: a
    scenario adds to the history by writing its own ``events``, and an override of ``scenario.events`` replaces
    only the scenario's own events. The history is changed or emptied with ``scenario.history=...``; an event of
    ``events`` that repeats one of ``history`` (same date, kind and label) is refused, as it would fire twice.

    A run shorter than the scenario (``calendar.end`` before some events) drops the events outside its calendar
    and says so in one line (:func:`dropped_events_note`); ``strict_calendar: true`` refuses such a run instead,
    naming the first event outside. ``clip_to_calendar`` is the former spelling, kept so that existing command
    lines and run folders keep their meaning: ``true`` (drop) is now the default, ``false`` is
    ``strict_calendar: true``.
    """

    name: str = "custom"
    strict_calendar: bool = param(False, doc="refuse scenario events outside the calendar instead of dropping them")
    clip_to_calendar: bool | None = param(None, doc="deprecated: true is the default; false = strict_calendar=true")
    description: str = ""
    history: list[ScheduledEventConfig] = param(
        factory=list, doc="the dated history the scenarios share (configs/scenario/history/); fires with events")
    events: list[ScheduledEventConfig] = param(
        factory=list, doc="the scenario's own dated events, added to the shared history")

    @property
    def dated_events(self) -> list[ScheduledEventConfig]:
        """Every dated event the run fires: the shared ``history`` and the scenario's own ``events`` merged in date
        order; on one date the history's come first, each list's in the order written. (Events fire in the week
        containing their date, in this order within a week.)"""
        merged = [*self.history, *self.events]
        return sorted(merged, key=lambda ev: parse_date(ev.date, "scenario.events.date"))

    def check(self, path: str) -> None:
        """Refuse an own event that repeats an event of the shared history (it would fire twice): the history is
        changed with ``scenario.history``, not by writing it again into ``scenario.events``."""
        written = {(ev.date, ev.kind, ev.label): i for i, ev in enumerate(self.history)}
        for i, ev in enumerate(self.events):
            j = written.get((ev.date, ev.kind, ev.label))
            if j is not None:
                raise ConfigError(f"{path}.events[{i}]",
                                  f"repeats {path}.history[{j}] ({ev.date} {ev.label or ev.kind}), which would "
                                  f"fire twice; allowed: events not in the shared history (change or remove a "
                                  f"history event with {path}.history=[...])")

    @property
    def strict(self) -> bool:
        """Whether events outside the calendar are refused (``strict_calendar``, or the older
        ``clip_to_calendar: false``)."""
        return self.strict_calendar or self.clip_to_calendar is False


def events_outside(config) -> list[ScheduledEventConfig]:
    """The scenario events that never fire in a run of this config: dated before its first week or after its
    last (an event in the last week, even after ``calendar.end``, still fires in that week)."""
    from .calendar import Calendar

    calendar = Calendar(config.calendar)
    return [ev for ev in config.scenario.dated_events
            if not calendar.contains(parse_date(ev.date, "scenario.events.date"))]


def dropped_events_note(config) -> str | None:
    """One line saying which scenario events a run leaves out because its calendar ends before them (or starts
    after them), or None when every event falls inside the calendar."""
    outside = events_outside(config)
    if not outside:
        return None
    shown = ", ".join(f"{ev.date} {ev.label or ev.kind}" for ev in outside[:3])
    more = f" and {len(outside) - 3} more" if len(outside) > 3 else ""
    return (f"sahel-sim: note: the run ({config.calendar.start} .. {config.calendar.end}) leaves out "
            f"{len(outside)} scenario events outside its calendar ({shown}{more}); scenario.strict_calendar=true "
            "refuses such a run instead")
