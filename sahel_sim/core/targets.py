"""The target layer: every plausible target on the map, built once from a small sourced table and documented rules.

Attack choice (:mod:`sahel_sim.core.mechanisms.attack_choice`) picks among these targets and the peace process
(:mod:`sahel_sim.core.mechanisms.peace_process`) holds its meetings at some of them. The layer is built from

* ``data/target_cities.csv``: the map's towns and cities (Mali's regional capitals and towns, the neighbouring
  capitals and towns inside the map), with population, role (capital, neighbour's capital, regional capital,
  town) and whether a MINUSMA or French camp stood there in 2013-2016;
* ``data/target_sites.csv``: fixed sites (industrial mines, dams, airports, peace-process sites) with their dates;
* the map's own places of a targetable kind (UN and French bases, army posts, peace sites, hotels, venues);

and generated, where no data is at hand, by the rules below (all deterministic: no random draw, the same layer
for every run of a map; the counts and sources: docs/targets.md):

* **foreign presence** of a city (0-1): the national capital 1.0, a neighbour's capital 0.8, a town with a UN or
  French camp 0.5, a regional capital 0.3, any other town 0.1 (the largest that applies; assumption);
* **hotels and restaurants/bars frequented by foreigners**: round(rate x sqrt(population / 100,000) x foreign
  presence) each per city, ranked (rank 0 the largest and most international);
* **embassies**: round(rate x foreign presence) in each national capital;
* **UN and French camps** where the table says a camp stood (unless a map base is within 10 km), **convoys** on
  the road from each camp to its nearest other camp (points at 1/3 and 2/3 of the way);
* **army posts** in every Malian town (unless a map post is within 10 km), two **checkpoints** at the approaches
  of every Malian town of at least ``checkpoint_min_population``;
* **government buildings**: 1 + round(rate x foreign presence) per Malian town (the capital's ministries);
* **markets**: 1 + floor(sqrt(population / 100,000)) per town;
* **meeting hosts** of the peace process: the capital's peace sites, its ``meeting_hotels`` highest-ranked hotels
  and its first government building.

Each target carries what attack choice reads: **symbolism** (foreign, Western, UN or state value, 0-1),
**protection** (0-1: guards, walls, troops), **casualty** potential (0-1: people present), **peace relevance**
(0-1) and whether it **hosts** peace meetings; the values by kind are in :data:`KIND_ATTRIBUTES`, scaled within a
city by foreign presence and rank. The reach from a group's units is computed by attack choice each week.
Nothing in the layer marks a target attacked in history: sites are named by kind, city and rank.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

from .geography import PLACE_KINDS, MapConfig, km_between
from .params import ConfigError, param, parse_date

#: the kinds of target in the layer (the map's place kinds that can be struck, and the generated ones)
TARGET_KINDS = ("hotel", "venue", "restaurant", "embassy", "un_base", "un_convoy", "french_base", "french_convoy",
                "army_post", "checkpoint", "government", "market", "mine", "dam", "airport", "peace_site")

#: per kind: (symbolism, protection, casualty potential, peace relevance). Assumptions, to be inferred (issue 19):
#: foreign and UN sites are the most symbolic; military sites the best protected; markets and hotels hold the most
#: people; peace sites, then state and UN sites, matter most to the 2015 agreement (its parties and guarantors).
KIND_ATTRIBUTES: dict[str, tuple[float, float, float, float]] = {
    "hotel": (0.9, 0.3, 0.6, 0.1),
    "venue": (0.7, 0.1, 0.5, 0.0),
    "restaurant": (0.7, 0.1, 0.5, 0.0),
    "embassy": (1.0, 0.8, 0.3, 0.2),
    "un_base": (0.8, 0.6, 0.3, 0.3),
    "un_convoy": (0.7, 0.4, 0.2, 0.3),
    "french_base": (1.0, 0.8, 0.2, 0.0),
    "french_convoy": (0.9, 0.6, 0.2, 0.0),
    "army_post": (0.5, 0.4, 0.3, 0.2),
    "checkpoint": (0.3, 0.3, 0.2, 0.1),
    "government": (0.6, 0.5, 0.3, 0.4),
    "market": (0.1, 0.0, 1.0, 0.0),
    "mine": (0.6, 0.5, 0.4, 0.0),
    "dam": (0.4, 0.4, 0.2, 0.0),
    "airport": (0.6, 0.6, 0.5, 0.0),
    "peace_site": (0.6, 0.4, 0.4, 1.0),
}

#: a map place of one of these kinds joins the layer; its kind carries over
MAP_TARGET_KINDS = ("un_base", "french_base", "army_post", "hotel", "venue", "peace_site")

#: when the table says a UN (French) camp stood in a town: from MINUSMA's start (Serval's arrival), record README
MISSION_START = {"un": "2013-07-01", "french": "2013-01-11"}


@dataclass
class TargetLayerConfig:
    """The target layer: where its targets come from and the rules that generate them (docs/targets.md).

    ``source``: ``generated`` (the default: the sourced tables, the rules and the map's bases) or ``map_places``
    (only the map's places of a targetable kind, as before issue 18: the comparison scenario
    ``scenario=given_venues``)."""

    source: str = param("generated", choices=("generated", "map_places"))
    hotels_rate: float = param(3.0, lo=0.0, hi=50.0, unit="hotels per sqrt(100,000 people) at full foreign presence",
                               source="assumption, to be inferred (issue 19): about a dozen international hotels in "
                                      "a capital of ~2M with a UN mission, one or two in a regional capital")
    restaurants_rate: float = param(4.0, lo=0.0, hi=50.0,
                                    unit="restaurants/bars per sqrt(100,000 people) at full foreign presence",
                                    source="assumption, to be inferred (issue 19)")
    embassies_rate: float = param(12.0, lo=0.0, hi=100.0, unit="embassies at full foreign presence",
                                  source="assumption: Western and Gulf embassies in a Sahel capital, order of "
                                         "magnitude (public record)")
    government_rate: float = param(4.0, lo=0.0, hi=50.0, unit="extra government buildings at full foreign presence",
                                   source="assumption, to be inferred (issue 19)")
    checkpoint_min_population: int = param(20_000, lo=0, hi=10**8, unit="persons",
                                           doc="least population of a Malian town with checkpoints",
                                           source="assumption, to be inferred (issue 19)")
    meeting_hotels: int = param(3, lo=0, hi=100, unit="hotels",
                                doc="the capital's highest-ranked hotels that host peace-process delegations",
                                source="assumption: delegations lodged and met in the capital's international "
                                       "hotels (DIIS 2015)")
    spread_km: float = param(4.0, lo=0.0, hi=50.0, unit="km", doc="radius of a city's sites around its centre",
                             source="assumption: the centre of a town; cells are ~27 km, so it rarely matters")


@dataclass(frozen=True)
class Target:
    """One target: a located site of a kind, in a city, with what attack choice weighs."""

    id: str
    kind: str
    label: str
    city: str
    country: str
    lon: float
    lat: float
    symbolism: float
    protection: float | None  # None: the target type's risk (a map place in the comparison scenario)
    casualty: float
    peace_relevance: float | None  # None: the target type's relevance (as above)
    hosts_meetings: bool = False
    active_from: dt.date | None = None
    active_until: dt.date | None = None

    def active(self, date: dt.date) -> bool:
        """Whether the site exists on ``date``."""
        return ((self.active_from is None or date >= self.active_from)
                and (self.active_until is None or date <= self.active_until))


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("sahel_sim.data").joinpath(name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _date(text: str, field: str) -> dt.date | None:
    return parse_date(text, field) if text else None


def foreign_presence(role: str, mission_base: str) -> float:
    """Foreign presence of a city (0-1) by the documented rule: the largest of its role's and its camps' values."""
    by_role = {"capital": 1.0, "neighbour_capital": 0.8, "regional_capital": 0.3, "town": 0.1}[role]
    return max(by_role, 0.5 if mission_base != "none" else 0.0)


def _offset(lon: float, lat: float, k: int, kind: str, radius_km: float) -> tuple[float, float]:
    """The k-th site of a kind around a city centre: on a golden-angle spiral (deterministic, distinct)."""
    angle = math.radians(137.508 * (k + 7 * TARGET_KINDS.index(kind)))
    r = radius_km * math.sqrt((k + 1) / (k + 2))
    dlat = r * math.sin(angle) / 110.57
    dlon = r * math.cos(angle) / (111.32 * math.cos(math.radians(lat)))
    return round(lon + dlon, 4), round(lat + dlat, 4)


def _target(tid: str, kind: str, label: str, city: str, country: str, lon: float, lat: float, *, scale: float = 1.0,
            rank: int = 0, of: int = 1, hosts: bool = False, relevance: float | None = None,
            active_from: dt.date | None = None, active_until: dt.date | None = None) -> Target:
    """A target of ``kind`` with the kind's attributes, scaled by the city's foreign presence (``scale``: symbolism)
    and by its rank among the city's sites of the kind (the first the most symbolic, protected and crowded)."""
    s, p, c, r = KIND_ATTRIBUTES[kind]
    size = 1.0 - 0.5 * rank / max(of, 1)
    return Target(id=tid, kind=kind, label=label, city=city, country=country, lon=lon, lat=lat,
                  symbolism=round(s * scale * size, 4), protection=round(p * size, 4), casualty=round(c * size, 4),
                  peace_relevance=r if relevance is None else relevance, hosts_meetings=hosts,
                  active_from=active_from, active_until=active_until)


def build_layer(map_config: MapConfig, config: TargetLayerConfig) -> list[Target]:
    """The target layer of a map by the module's rules (deterministic), or only the map's places."""
    map_targets = []
    for name, p in map_config.places.items():
        if p.kind not in MAP_TARGET_KINDS:
            continue
        map_targets.append((name, p))
    if config.source == "map_places":
        # as before issue 18: each place stands for its type; attributes neutral (symbolism 0, mid casualty,
        # protection and relevance those of the target type, filled in by attack choice)
        return [Target(id=name, kind=p.kind, label=p.label or name, city="", country="", lon=p.lon, lat=p.lat,
                       symbolism=0.0, protection=None, casualty=0.5, peace_relevance=None,
                       active_from=_date(p.active_from, name), active_until=_date(p.active_until, name))
                for name, p in map_targets]
    cities = _rows("target_cities.csv")
    towns = {c["city"]: c for c in cities}
    out: list[Target] = []

    def near_map(kind: str, lon: float, lat: float) -> bool:
        return any(p.kind == kind and km_between(lon, lat, p.lon, p.lat) <= 10.0 for _, p in map_targets)

    def nearest_city(lon: float, lat: float) -> dict[str, str]:
        return min(cities, key=lambda c: float(km_between(lon, lat, float(c["lon"]), float(c["lat"]))))

    for name, p in map_targets:
        home = nearest_city(p.lon, p.lat)
        fp = foreign_presence(home["role"], home["mission_base"])
        hosts = p.kind == "peace_site" and home["role"] == "capital"
        out.append(_target(name, p.kind, p.label or name, home["city"], home["country"], p.lon, p.lat,
                           scale=1.0 if p.kind not in ("hotel", "venue") else 0.5 + 0.5 * fp, hosts=hosts,
                           active_from=_date(p.active_from, name), active_until=_date(p.active_until, name)))
    camps: dict[str, list[tuple[str, float, float, dt.date]]] = {"un": [], "french": []}
    for name, p in map_targets:
        force = {"un_base": "un", "french_base": "french"}.get(p.kind)
        if force:
            camps[force].append((nearest_city(p.lon, p.lat)["city"], p.lon, p.lat,
                                 _date(p.active_from, name) or parse_date(MISSION_START[force], name)))
    for c in cities:
        city, label, country = c["city"], c["label"], c["country"]
        lon, lat, pop = float(c["lon"]), float(c["lat"]), int(c["population"])
        role, base = c["role"], c["mission_base"]
        fp = foreign_presence(role, base)
        sq = math.sqrt(pop / 100_000)
        mali = country == "Mali"
        counts = {"hotel": round(config.hotels_rate * sq * fp), "restaurant": round(config.restaurants_rate * sq * fp),
                  "embassy": round(config.embassies_rate * fp) if role in ("capital", "neighbour_capital") else 0,
                  "government": 1 + round(config.government_rate * fp) if mali else 0,
                  "market": 1 + math.floor(sq),
                  "army_post": 1 if mali and not near_map("army_post", lon, lat) else 0,
                  "checkpoint": 2 if mali and pop >= config.checkpoint_min_population else 0}
        for kind, n in counts.items():
            for k in range(n):
                x, y = _offset(lon, lat, k, kind, config.spread_km)
                hosts = role == "capital" and ((kind == "hotel" and k < config.meeting_hotels)
                                               or (kind == "government" and k == 0))
                relevance = 0.5 if hosts else None
                out.append(_target(f"{city}_{kind}_{k + 1}", kind, f"{label} {kind.replace('_', ' ')} {k + 1}", city,
                                   country, x, y, scale=fp if kind in ("hotel", "restaurant", "embassy") else 1.0,
                                   rank=k, of=n, hosts=hosts, relevance=relevance))
        for force, kind in (("un", "un_base"), ("french", "french_base")):
            if base in (force, "both") and not near_map(kind, lon, lat):
                start = parse_date(MISSION_START[force], city)
                out.append(_target(f"{city}_{kind}", kind, f"{label} {kind.replace('_', ' ')}", city, country, lon,
                                   lat, active_from=start))
                camps[force].append((city, lon, lat, start))
    for force, kind in (("un", "un_convoy"), ("french", "french_convoy")):
        for city, lon, lat, start in camps[force]:
            others = [o for o in camps[force] if o[0] != city and o[0] in towns and towns[o[0]]["country"] == "Mali"]
            if towns.get(city, {}).get("country") != "Mali" or not others:
                continue
            dest = min(others, key=lambda o: float(km_between(lon, lat, o[1], o[2])))
            for k, f in enumerate((1 / 3, 2 / 3)):
                x, y = round(lon + f * (dest[1] - lon), 4), round(lat + f * (dest[2] - lat), 4)
                out.append(_target(f"{kind}_{city}_{dest[0]}_{k + 1}", kind,
                                   f"{kind.replace('_', ' ')} {towns[city]['label']}-{towns[dest[0]]['label']}",
                                   city, "Mali", x, y, active_from=max(start, dest[3])))
    for s in _rows("target_sites.csv"):
        home = towns[s["city"]]
        fp = foreign_presence(home["role"], home["mission_base"])
        out.append(_target(s["id"], s["kind"], s["label"], s["city"], home["country"], float(s["lon"]),
                           float(s["lat"]), hosts=s["kind"] == "peace_site" and home["role"] == "capital",
                           scale=1.0 if s["kind"] != "mine" else 0.5 + 0.5 * fp,
                           active_from=_date(s["active_from"], s["id"]),
                           active_until=_date(s["active_until"], s["id"])))
    ids = [t.id for t in out]
    if len(set(ids)) != len(ids):
        raise ConfigError("map.places", "a place has the name of a generated target; allowed: names not in the "
                          "target layer (docs/targets.md)")
    inside = [t for t in out if map_config.lon_min <= t.lon <= map_config.lon_max
              and map_config.lat_min <= t.lat <= map_config.lat_max]
    return inside


#: target layers built in this process, by (map config, layer config)
_BUILT: dict[str, list[Target]] = {}


def layer_for(map_config: MapConfig, config: TargetLayerConfig) -> list[Target]:
    """The target layer of a map, built once per process (it takes no random draw)."""
    key = repr((map_config, config))
    layer = _BUILT.get(key)
    if layer is None:
        if len(_BUILT) >= 4:
            _BUILT.pop(next(iter(_BUILT)))
        layer = _BUILT[key] = build_layer(map_config, config)
    return layer


def counts_by_kind(layer: list[Target]) -> dict[str, int]:
    """How many targets of each kind (in :data:`TARGET_KINDS` order)."""
    kinds = np.array([t.kind for t in layer])
    return {k: int((kinds == k).sum()) for k in TARGET_KINDS if (kinds == k).any()}


assert set(MAP_TARGET_KINDS) <= set(PLACE_KINDS) and set(KIND_ATTRIBUTES) == set(TARGET_KINDS)
