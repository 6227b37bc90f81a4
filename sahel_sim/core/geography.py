"""The map: a grid over Mali and its borderlands, and the structural fields that live on it.

Everything here is built once, before the first step, from the ``map`` config: the country and region of each
cell (from a hand-digitised outline of Mali and nearest-seed regions), population (census cities plus a rural
background), structural state presence (strong around Bamako and regional capitals, weak in the desert north),
trafficking routes and porous borders, and the places (cities, bases, hotels, venues) that attacks can target.
All per-cell quantities are numpy arrays of shape (nx, ny): x runs west to east, y south to north.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.path import Path

from .params import ConfigError, param, parse_date

KM_PER_DEG_LAT = 110.57
KM_PER_DEG_LON_EQUATOR = 111.32

PLACE_KINDS = ("city", "un_base", "french_base", "army_post", "hotel", "venue", "peace_site", "waypoint")
ZONES = ("abroad", "south", "centre", "north")


@dataclass
class PlaceConfig:
    """A located place: a city, a UN or French base, an army post, a hotel or venue, a peace-process site.

    Coordinates in decimal degrees (WGS84); bases and sites are only targetable between ``active_from`` and
    ``active_until`` (ISO dates, the second not before the first; empty means always).
    """

    lat: float = param(0.0, lo=-90, hi=90, unit="deg N")
    lon: float = param(0.0, lo=-180, hi=180, unit="deg E")
    kind: str = param("city", choices=PLACE_KINDS)
    label: str = ""
    population: int = param(0, lo=0, unit="persons", doc="census population (cities only)")
    active_from: str = ""
    active_until: str = ""
    source: str = ""

    def check(self, path: str) -> None:
        if self.active_from:
            parse_date(self.active_from, f"{path}.active_from")
        if self.active_until:
            parse_date(self.active_until, f"{path}.active_until")
        if self.active_from and self.active_until and (
                parse_date(self.active_until, path) < parse_date(self.active_from, path)):
            raise ConfigError(f"{path}.active_until", f"{self.active_until} is before active_from "
                              f"{self.active_from}; allowed: the same or a later date")


@dataclass
class RegionConfig:
    """An administrative region of Mali, located by seed points (each cell joins the region of its nearest seed)."""

    zone: str = param("south", choices=ZONES[1:])
    seeds: list[list] = param(factory=list, doc="[lon, lat] seed points")
    rural_weight: float = param(1.0, lo=0.0, hi=100.0, doc="relative rural population density")

    def check(self, path: str) -> None:
        _check_points(self.seeds, f"{path}.seeds", minimum=1)


@dataclass
class RouteConfig:
    """A trafficking route (drugs, cigarettes, arms, migrants) through the named places, in order."""

    waypoints: list[str] = param(factory=list, doc="place names, in order")
    value: float = param(1.0, lo=0.0, hi=1.0, doc="relative revenue of the route")


@dataclass
class MapConfig:
    """Extent, resolution and layout of the simulated map.

    The default covers Mali and its borderlands (lon -13..5 E, lat 9.75..25.75 N) at 0.25 degrees (about 27 km),
    i.e. 72 x 64 cells. ``outline`` is Mali's border as [lon, lat] vertices; ``neighbours`` maps each
    neighbouring country to seed points (cells outside Mali join the nearest seed's country).

    Rules (checked before a run): ``lon_max > lon_min`` and ``lat_max > lat_min``; the extent and ``resolution``
    give at least 4 x 4 and at most 2,000,000 cells; ``outline`` has at least 3 [lon, lat] vertices (numbers,
    integers or decimals) and encloses at least one cell centre; there is at least one region, each with at least
    one seed point; ``capital``, route waypoints (at least 2 per route), factions' ``home`` places and peace
    venues are entries of ``places``; every place lies inside the extent.
    """

    name: str = "mali"
    lon_min: float = param(-13.0, lo=-180, hi=180, unit="deg E")
    lon_max: float = param(5.0, lo=-180, hi=180, unit="deg E")
    lat_min: float = param(9.75, lo=-90, hi=90, unit="deg N")
    lat_max: float = param(25.75, lo=-90, hi=90, unit="deg N")
    resolution: float = param(0.25, lo=0.02, hi=5.0, unit="deg", doc="cell size")
    outline: list[list] = param(factory=list, doc="Mali's border, [lon, lat] vertices")
    regions: dict[str, RegionConfig] = param(factory=dict)
    neighbours: dict[str, list[list]] = param(factory=dict)
    places: dict[str, PlaceConfig] = param(factory=dict)
    routes: dict[str, RouteConfig] = param(factory=dict)
    route_halfwidth_km: float = param(30.0, lo=0.0, hi=500.0, unit="km")
    capital: str = param("bamako", doc="place name of the capital")
    mali_population: int = param(
        15_900_000, lo=1, unit="persons", source="UN WPP estimate for 2010, ~15.9M (record README)")
    city_share_radius_km: float = param(20.0, lo=1.0, hi=200.0, unit="km", doc="spread of a city's population")
    abroad_density: float = param(8.0, lo=0.0, hi=1000.0, unit="persons/km2")
    state_capital: float = param(0.9, lo=0.0, hi=1.0, doc="state presence at the capital")
    state_decay_km: float = param(350.0, lo=1.0, hi=5000.0, unit="km", doc="e-folding distance from the capital")
    state_city: float = param(0.35, lo=0.0, hi=1.0, doc="extra state presence at regional capitals")
    state_city_km: float = param(60.0, lo=1.0, hi=1000.0, unit="km")
    state_north_factor: float = param(0.5, lo=0.0, hi=1.0, doc="multiplier on state presence in the north")
    state_abroad: float = param(0.35, lo=0.0, hi=1.0, doc="state presence in neighbouring countries")

    def check(self, path: str) -> None:
        if self.lon_max <= self.lon_min:
            raise ConfigError(f"{path}.lon_max",
                              f"{self.lon_max} is not above lon_min {self.lon_min}; allowed: > lon_min")
        if self.lat_max <= self.lat_min:
            raise ConfigError(f"{path}.lat_max",
                              f"{self.lat_max} is not above lat_min {self.lat_min}; allowed: > lat_min")
        nx = round((self.lon_max - self.lon_min) / self.resolution)
        ny = round((self.lat_max - self.lat_min) / self.resolution)
        if nx < 4 or ny < 4:
            raise ConfigError(f"{path}.resolution",
                              f"{self.resolution} deg gives a degenerate {nx} x {ny} map; allowed: at least 4 x 4")
        if nx * ny > 2_000_000:
            raise ConfigError(f"{path}.resolution",
                              f"{self.resolution} deg gives {nx * ny} cells; allowed <= 2,000,000 cells")
        _check_points(self.outline, f"{path}.outline", minimum=3)
        lon = self.lon_min + (np.arange(nx) + 0.5) * self.resolution
        lat = self.lat_min + (np.arange(ny) + 0.5) * self.resolution
        centres = np.column_stack([np.repeat(lon, ny), np.tile(lat, nx)])
        if not Path(np.asarray(self.outline, dtype=float)).contains_points(centres).any():
            raise ConfigError(f"{path}.outline", f"encloses no cell centre of the {nx} x {ny} map; allowed: an "
                              "outline around at least one cell inside lon_min..lon_max, lat_min..lat_max")
        if not self.regions:
            raise ConfigError(f"{path}.regions", "is empty; allowed: at least one region with seed points")
        for name, seeds in self.neighbours.items():
            _check_points(seeds, f"{path}.neighbours.{name}", minimum=1)
        if self.capital not in self.places:
            raise ConfigError(f"{path}.capital", f"{self.capital!r} is not a place; allowed: one of map.places")
        for rname, route in self.routes.items():
            if len(route.waypoints) < 2:
                raise ConfigError(f"{path}.routes.{rname}.waypoints",
                                  "has fewer than 2 places; allowed: at least 2 places of map.places")
            for w in route.waypoints:
                if w not in self.places:
                    raise ConfigError(f"{path}.routes.{rname}.waypoints",
                                      f"{w!r} is not a place; allowed: one of map.places")
        for pname, place in self.places.items():
            if not (self.lon_min <= place.lon <= self.lon_max and self.lat_min <= place.lat <= self.lat_max):
                raise ConfigError(f"{path}.places.{pname}",
                                  f"({place.lat}, {place.lon}) lies outside the map extent; "
                                  "allowed: inside lon_min..lon_max, lat_min..lat_max")


def _check_points(points: list, field: str, minimum: int) -> None:
    if len(points) < minimum:
        raise ConfigError(field, f"has {len(points)} points; allowed: at least {minimum} [lon, lat] pairs")
    for i, p in enumerate(points):
        if (not isinstance(p, (list, tuple)) or len(p) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) for v in p)):
            raise ConfigError(f"{field}[{i}]", f"{p!r} is not a pair of numbers; allowed: [lon, lat] in degrees")


def km_between(lon1, lat1, lon2, lat2):
    """Great-circle distance approximated on the plane (equirectangular): good to ~1% over the Sahel."""
    mean_lat = np.radians((np.asarray(lat1) + np.asarray(lat2)) / 2)
    dx = (np.asarray(lon1) - np.asarray(lon2)) * KM_PER_DEG_LON_EQUATOR * np.cos(mean_lat)
    dy = (np.asarray(lat1) - np.asarray(lat2)) * KM_PER_DEG_LAT
    return np.hypot(dx, dy)


def _segment_distance_km(lon, lat, a, b):
    """Distance (km) from every cell centre to the segment a-b, on a local plane."""
    kx = KM_PER_DEG_LON_EQUATOR * np.cos(np.radians((a[1] + b[1]) / 2))
    px, py = (lon - a[0]) * kx, (lat - a[1]) * KM_PER_DEG_LAT
    vx, vy = (b[0] - a[0]) * kx, (b[1] - a[1]) * KM_PER_DEG_LAT
    t = np.clip((px * vx + py * vy) / max(vx * vx + vy * vy, 1e-12), 0.0, 1.0)
    return np.hypot(px - t * vx, py - t * vy)


class World:
    """The static geography of one run: cell coordinates, country, region, population, state presence, routes."""

    def __init__(self, config: MapConfig):
        self.config = config
        res = config.resolution
        self.nx = round((config.lon_max - config.lon_min) / res)
        self.ny = round((config.lat_max - config.lat_min) / res)
        self.lon = config.lon_min + (np.arange(self.nx) + 0.5) * res
        self.lat = config.lat_min + (np.arange(self.ny) + 0.5) * res
        self.LON, self.LAT = np.meshgrid(self.lon, self.lat, indexing="ij")
        self.cell_km2 = (res * KM_PER_DEG_LAT) * (res * KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(self.LAT)))
        self.places = dict(config.places)
        self._windows = {
            name: (parse_date(p.active_from, name) if p.active_from else None,
                   parse_date(p.active_until, name) if p.active_until else None)
            for name, p in self.places.items()
        }
        self._build_countries()
        self._build_regions()
        self._build_population()
        self._build_state_presence()
        self._build_routes_and_borders()

    # --- construction -------------------------------------------------------------------------------------------
    def _build_countries(self) -> None:
        pts = np.column_stack([self.LON.ravel(), self.LAT.ravel()])
        self.in_mali = Path(np.asarray(self.config.outline, dtype=float)).contains_points(pts).reshape(self.nx, self.ny)
        if not self.in_mali.any():
            raise ConfigError("map.outline", "contains no cell centre at this extent and resolution; "
                              "allowed: an outline inside the map extent")
        self.country_names = ["Mali", *self.config.neighbours]
        self.country = np.zeros((self.nx, self.ny), dtype=np.int8)
        if self.config.neighbours:
            seeds, owner = [], []
            for i, pts_ in enumerate(self.config.neighbours.values(), start=1):
                seeds.extend(pts_)
                owner.extend([i] * len(pts_))
            seeds = np.asarray(seeds, dtype=float)
            d = km_between(self.LON[..., None], self.LAT[..., None], seeds[:, 0], seeds[:, 1])
            self.country = np.where(self.in_mali, 0, np.asarray(owner, dtype=np.int8)[d.argmin(axis=-1)])

    def _build_regions(self) -> None:
        self.region_names = list(self.config.regions)
        seeds, owner = [], []
        for i, region in enumerate(self.config.regions.values()):
            seeds.extend(region.seeds)
            owner.extend([i] * len(region.seeds))
        seeds = np.asarray(seeds, dtype=float)
        d = km_between(self.LON[..., None], self.LAT[..., None], seeds[:, 0], seeds[:, 1])
        region = np.asarray(owner, dtype=np.int16)[d.argmin(axis=-1)]
        self.region = np.where(self.in_mali, region, -1).astype(np.int16)
        zone_of_region = np.array([ZONES.index(r.zone) for r in self.config.regions.values()], dtype=np.int8)
        self.zone = np.where(self.in_mali, zone_of_region[np.maximum(self.region, 0)], 0).astype(np.int8)

    def _build_population(self) -> None:
        cfg = self.config
        rural_w = np.array([r.rural_weight for r in cfg.regions.values()])
        city_pop = np.zeros((self.nx, self.ny))
        for place in self.places.values():
            if place.kind == "city" and place.population > 0:
                d = km_between(self.LON, self.LAT, place.lon, place.lat)
                kernel = np.exp(-0.5 * (d / cfg.city_share_radius_km) ** 2)
                if kernel.sum() == 0:
                    kernel[self.cell_of(place.lon, place.lat)] = 1.0
                city_pop += place.population * kernel / kernel.sum()
        city_pop *= self.in_mali
        rural_total = max(cfg.mali_population - city_pop.sum(), 0.0)
        rural = np.where(self.in_mali, rural_w[np.maximum(self.region, 0)] * self.cell_km2, 0.0)
        if rural.sum() > 0:
            rural *= rural_total / rural.sum()
        abroad = np.where(self.in_mali, 0.0, cfg.abroad_density * self.cell_km2)
        self.population = city_pop + rural + abroad

    def _build_state_presence(self) -> None:
        cfg = self.config
        cap = self.places[cfg.capital]
        d_cap = km_between(self.LON, self.LAT, cap.lon, cap.lat)
        presence = cfg.state_capital * np.exp(-d_cap / cfg.state_decay_km)
        for place in self.places.values():
            if place.kind == "city":
                d = km_between(self.LON, self.LAT, place.lon, place.lat)
                presence = presence + cfg.state_city * np.exp(-d / cfg.state_city_km)
        presence = np.where(self.zone == ZONES.index("north"), presence * cfg.state_north_factor, presence)
        self.state_base = np.clip(np.where(self.in_mali, presence, cfg.state_abroad), 0.0, 1.0)

    def _build_routes_and_borders(self) -> None:
        cfg = self.config
        self.route = np.zeros((self.nx, self.ny))
        for route in cfg.routes.values():
            pts = [(self.places[w].lon, self.places[w].lat) for w in route.waypoints]
            for a, b in zip(pts[:-1], pts[1:], strict=False):
                near = _segment_distance_km(self.LON, self.LAT, a, b) <= max(cfg.route_halfwidth_km, 1e-9)
                self.route = np.where(near, np.maximum(self.route, route.value), self.route)
        # a porous border: a Malian cell touching a foreign one, or a foreign cell touching Mali
        m = self.in_mali
        touch = np.zeros_like(m)
        touch[1:, :] |= m[:-1, :] != m[1:, :]
        touch[:-1, :] |= m[:-1, :] != m[1:, :]
        touch[:, 1:] |= m[:, :-1] != m[:, 1:]
        touch[:, :-1] |= m[:, :-1] != m[:, 1:]
        self.border = touch

    # --- look-ups -----------------------------------------------------------------------------------------------
    def cell_of(self, lon: float, lat: float) -> tuple[int, int]:
        """Grid coordinate (x, y) of the cell containing a point (clamped to the map)."""
        x = int((lon - self.config.lon_min) / self.config.resolution)
        y = int((lat - self.config.lat_min) / self.config.resolution)
        return min(max(x, 0), self.nx - 1), min(max(y, 0), self.ny - 1)

    def place_cell(self, name: str) -> tuple[int, int]:
        p = self.places[name]
        return self.cell_of(p.lon, p.lat)

    def place_active(self, name: str, date) -> bool:
        """Whether a base or site exists on ``date`` (its active_from/active_until window)."""
        start, until = self._windows[name]
        return (start is None or date >= start) and (until is None or date <= until)

    def region_of(self, cell: tuple[int, int]) -> str:
        r = self.region[cell]
        return self.region_names[r] if r >= 0 else self.country_names[self.country[cell]]

    def zone_of(self, cell: tuple[int, int]) -> str:
        return ZONES[self.zone[cell]]

    def km_from(self, lon: float, lat: float) -> np.ndarray:
        """Distance (km) from a point to every cell centre."""
        return km_between(self.LON, self.LAT, lon, lat)


#: geographies built in this process, by their map config (a sweep's worker runs many runs on one map)
_BUILT: dict[str, World] = {}
#: how many distinct maps a process keeps (a sweep over map resolutions holds a few)
_KEPT = 4


def world_for(config: MapConfig) -> World:
    """The geography of ``config``, built once per process and shared by the runs with an equal map config: the
    same arrays a fresh build gives (building takes no random draw), made read-only, so that no run can change
    what the next one sees (a write would raise instead)."""
    key = repr(config)  # every field of the map's dataclass tree, floats exactly
    world = _BUILT.get(key)
    if world is None:
        world = World(config)
        for value in vars(world).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        if len(_BUILT) >= _KEPT:
            _BUILT.pop(next(iter(_BUILT)))
        _BUILT[key] = world
    return world
