"""Mechanism 1: the global rivalry between Al Qaeda and the Islamic State, as an exogenous context.

Two dated series, linearly interpolated between anchors: the AQ-IS rivalry intensity (0 none, 1 the 2015 peak)
and IS's share of global jihadist attention (AQ holds the rest). Dated shocks (a spectacular IS attack abroad,
e.g. Paris on 13 November 2015) raise IS's share and the rivalry for a few weeks, decaying with a half-life;
``is_shock_scale`` scales the IS shocks (0 removes them: the event study's counterfactual arm).
``strength`` scales the whole intensity series: it is the dial of the rivalry dose-response experiment.

The anchors are modelling assumptions placed on documented turning points: ISIS announced (9 Apr 2013), AQ
disowns ISIS (3 Feb 2014), the caliphate declared (29 Jun 2014), IS's territorial decline (2016-2017). Sources:
Byman (2015) "Al Qaeda, the Islamic State, and the Global Jihadist Movement"; Farrell (2020) J. Peace Res. 57(3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..params import ConfigError, param, parse_date
from .base import Mechanism


def _anchors(default):
    return param(factory=lambda: [list(a) for a in default], doc="[date, value] anchors, interpolated")


@dataclass
class RivalryConfig:
    """Global AQ-IS rivalry context (mechanism 1)."""

    enabled: bool = True
    strength: float = param(1.0, lo=0.0, hi=5.0, doc="multiplier on the rivalry intensity series")
    intensity: list[list] = _anchors([["2012-01-01", 0.1], ["2013-04-09", 0.3], ["2014-02-03", 0.6],
                                      ["2014-06-29", 0.9], ["2015-06-01", 1.0], ["2016-06-01", 0.9],
                                      ["2017-12-31", 0.7], ["2020-01-01", 0.6]])
    is_share: list[list] = _anchors([["2012-01-01", 0.1], ["2013-04-09", 0.25], ["2014-06-29", 0.5],
                                     ["2015-06-01", 0.6], ["2016-06-01", 0.55], ["2017-12-31", 0.45],
                                     ["2020-01-01", 0.4]])
    shock_half_life_weeks: float = param(3.0, lo=0.1, hi=104.0, unit="weeks",
                                         doc="half-life of a global shock's effect")
    shock_rivalry_gain: float = param(0.5, lo=0.0, hi=5.0, doc="rivalry bump per unit of shock magnitude")
    is_shock_scale: float = param(1.0, lo=0.0, hi=10.0,
                                  doc="multiplier of every dated IS shock's magnitude (0: IS attacks abroad change "
                                      "nothing, the event study's counterfactual; AQ shocks are left as dated)")

    def check(self, path: str) -> None:
        for name in ("intensity", "is_share"):
            rows = getattr(self, name)
            if not rows:
                raise ConfigError(f"{path}.{name}", "is empty; allowed: at least one [date, value] anchor")
            dates = []
            for i, row in enumerate(rows):
                if len(row) != 2:
                    raise ConfigError(f"{path}.{name}[{i}]", f"{row!r} is not a pair; allowed: [date, value]")
                dates.append(parse_date(row[0], f"{path}.{name}[{i}]"))
                v = row[1]
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
                    raise ConfigError(f"{path}.{name}[{i}]", f"value {v!r}; allowed [0, 1]")
            if dates != sorted(dates):
                raise ConfigError(f"{path}.{name}", "anchor dates are out of order; allowed: ascending dates")


def interpolate(anchors: list[list], date: dt.date) -> float:
    """Value of a piecewise-linear dated series on ``date`` (held constant beyond its ends)."""
    days = np.array([parse_date(d, "anchor").toordinal() for d, _ in anchors], dtype=float)
    values = np.array([v for _, v in anchors], dtype=float)
    return float(np.interp(date.toordinal(), days, values))


def interpolate_many(anchors: list[list], dates: list[dt.date]) -> np.ndarray:
    """:func:`interpolate` on many dates at once (the same values: ``np.interp`` point by point)."""
    days = np.array([parse_date(d, "anchor").toordinal() for d, _ in anchors], dtype=float)
    values = np.array([v for _, v in anchors], dtype=float)
    return np.interp(np.array([d.toordinal() for d in dates], dtype=float), days, values)


class Rivalry(Mechanism):
    """Writes ``model.rivalry_intensity`` and ``model.global_share`` (per camp) each week."""

    name = "rivalry"

    def setup(self) -> None:
        cal = self.model.calendar
        # the two series are exogenous: tabulate them once for every week of the run
        dates = [cal.date_of(s) for s in range(cal.n_steps)]
        self.intensity = interpolate_many(self.config.intensity, dates)
        self.is_share = interpolate_many(self.config.is_share, dates)
        self.shock = 0.0  # current shock level (share points), decaying
        self.retention = 0.5 ** (1.0 / self.config.shock_half_life_weeks)

    def apply_shock(self, camp: str, magnitude: float) -> None:
        """A spectacular attack abroad by ``camp`` shifts the global attention balance toward it (an IS shock
        scaled by ``is_shock_scale``)."""
        self.shock += magnitude * self.config.is_shock_scale if camp == "IS" else -magnitude

    def step(self) -> None:
        m, week = self.model, self.model.week
        share_is = float(np.clip(self.is_share[week] + self.shock, 0.0, 1.0))
        m.global_share = {"IS": share_is, "AQ": 1.0 - share_is}
        bump = self.config.shock_rivalry_gain * abs(self.shock)
        m.rivalry_intensity = float(np.clip(self.config.strength * (self.intensity[week] + bump), 0.0, 5.0))
        self.shock *= self.retention  # a shock counts in full in the week it happens, then fades
