"""Shared fixtures: configs composed exactly as the CLI composes them, and short runs."""

from __future__ import annotations

import pytest

from sahel_sim.core.model import SahelModel
from sahel_sim.faces.api import load_config

#: a short run of the history scenario (Serval and MINUSMA included), fast enough for every test
SHORT = ["calendar.end=2014-06-30"]


def make_config(*overrides: str, seed: int = 1, short: bool = True):
    return load_config([*(SHORT if short else []), *overrides], seed=seed)


def make_model(*overrides: str, seed: int = 1, short: bool = True) -> SahelModel:
    return SahelModel(make_config(*overrides, seed=seed, short=short))


def run_to(model: SahelModel, date: str) -> SahelModel:
    """Step ``model`` until the week containing ``date``."""
    import datetime as dt

    target = model.calendar.step_of(dt.date.fromisoformat(date))
    while model.running and model.week < target:
        model.step()
    return model


@pytest.fixture(scope="session")
def short_run():
    """One finished short run, shared by the tests that only read it."""
    from sahel_sim import run

    return run(SHORT, seed=7)
