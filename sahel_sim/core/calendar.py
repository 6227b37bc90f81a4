"""The model's calendar: one step is one week, and every step has a date.

Dated events (the January 2013 French intervention, the 20 June 2015 peace agreement, the 13 November 2015
Paris attacks, ...) fire in the week that contains their date, so configs speak in dates, never step numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .params import ConfigError, param, parse_date


@dataclass
class CalendarConfig:
    """The simulated period.

    ``start`` is the date of the first week (step 0 covers [start, start + 7 days)); ``end`` is the date of the
    last simulated week and must fall after ``start``. Dates are ISO strings, YYYY-MM-DD, between 1990-01-01
    and 2100-12-31. Default 2012-01-02 to 2017-12-25: the Tuareg uprising to JNIM's first year (DESIGN.md §4).
    """

    start: str = param("2012-01-02", unit="date", doc="date of the first simulated week")
    end: str = param("2017-12-25", unit="date", doc="date of the last simulated week")
    step_days: int = param(7, lo=1, hi=31, unit="days", doc="length of one step")

    def check(self, path: str) -> None:
        start = parse_date(self.start, f"{path}.start")
        end = parse_date(self.end, f"{path}.end")
        for name, d in (("start", start), ("end", end)):
            if not dt.date(1990, 1, 1) <= d <= dt.date(2100, 12, 31):
                raise ConfigError(f"{path}.{name}",
                                  f"{d} is outside the supported calendar; allowed 1990-01-01 .. 2100-12-31")
        if end <= start:
            raise ConfigError(f"{path}.end", f"{end} is not after calendar.start {start}; allowed: a later date")


class Calendar:
    """Maps steps to dates and dates to steps."""

    def __init__(self, config: CalendarConfig):
        self.start = parse_date(config.start, "calendar.start")
        self.end = parse_date(config.end, "calendar.end")
        self.step = dt.timedelta(days=config.step_days)
        self.n_steps = (self.end - self.start) // self.step + 1

    def date_of(self, step: int) -> dt.date:
        """The first day of the week simulated at ``step``."""
        return self.start + step * self.step

    def step_of(self, date: dt.date) -> int:
        """The step whose week contains ``date`` (negative before the start)."""
        return (date - self.start) // self.step

    def contains(self, date: dt.date) -> bool:
        return 0 <= self.step_of(date) < self.n_steps

    def year_fraction(self, step: int) -> float:
        """Decimal year of a step, for plotting against time."""
        d = self.date_of(step)
        return d.year + (d.timetuple().tm_yday - 1) / 365.25
