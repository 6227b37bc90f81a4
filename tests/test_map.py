"""The map of Mali: places fall in the right country, region and zone; fields are sane."""

from __future__ import annotations

import numpy as np
import pytest

from sahel_sim.core.geography import ZONES
from tests.conftest import make_config


@pytest.fixture(scope="module")
def world():
    from sahel_sim.core.geography import World

    return World(make_config().map)


@pytest.mark.parametrize("place, region, zone", [
    ("bamako", "bamako", "south"), ("kayes", "kayes", "south"), ("sikasso", "sikasso", "south"),
    ("segou", "segou", "centre"), ("mopti", "mopti", "centre"), ("timbuktu", "tombouctou", "north"),
    ("gao", "gao", "north"), ("kidal", "kidal", "north"), ("menaka", "menaka", "north"),
])
def test_malian_cities_lie_in_their_region_and_zone(world, place, region, zone):
    cell = world.place_cell(place)
    assert world.in_mali[cell]
    assert world.region_of(cell) == region
    assert world.zone_of(cell) == zone


@pytest.mark.parametrize("place, country", [("niamey", "Niger"), ("ouagadougou", "Burkina Faso")])
def test_neighbouring_capitals_lie_abroad(world, place, country):
    cell = world.place_cell(place)
    assert not world.in_mali[cell]
    assert world.country_names[world.country[cell]] == country


def test_default_map_is_quarter_degree_over_mali_and_borderlands(world):
    assert (world.nx, world.ny) == (72, 64)
    assert world.in_mali.mean() == pytest.approx(0.36, abs=0.08)


def test_population_matches_the_census_and_the_north_is_sparse(world):
    mali = world.population[world.in_mali].sum()
    assert mali == pytest.approx(15_900_000, rel=1e-6)
    north = world.population[world.zone == ZONES.index("north")].sum() / mali
    assert 0.05 < north < 0.13  # the three northern regions held 8.9% of Mali in 2009 (INSTAT)
    assert world.population[world.place_cell("bamako")] > 20 * np.median(world.population[world.in_mali])


def test_state_presence_is_strong_in_the_capital_and_weak_in_the_north(world):
    assert world.state_base[world.place_cell("bamako")] > 0.8
    assert world.state_base[world.place_cell("kidal")] < 0.3
    assert np.all((world.state_base >= 0) & (world.state_base <= 1))


def test_trafficking_routes_run_through_the_north(world):
    assert world.route[world.place_cell("kidal")] > 0
    assert world.route[world.place_cell("bamako")] == 0
    assert world.border.any()
