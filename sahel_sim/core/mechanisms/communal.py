"""Mechanism 6a: the communal layer of the centre and the north.

Five communities live in the cells of Mali's centre and north: Fulani (Peul) herders, Dogon and Bambara farmers,
Tuareg and Arab fractions (herders). Their shares of each cell's people follow a documented rule from the map's
regions (:func:`community_shares`; no census has asked ethnicity since 1987, so the shares are orders of magnitude
from the sources below). Per cell, as numpy arrays:

* **communal grievance** ``G`` in [0, 1] rises with what drives it and relaxes toward zero:
  ``G += rise x drive x (1 - G) - relaxation x G``, where ``drive`` is a weighted sum of
  - *competition over land and water*: ``4 x herding share x farming share`` (1 where herders and farmers are
    half and half: the Inner Niger Delta's bourgoutières and the Seno's fields; Benjaminsen & Ba 2019);
  - *the state's absence*: ``1 - state presence`` where communities live (no justice, no arbitration of
    disputes; ICG 2016);
  - *abuses by state forces during counter-terrorism operations*: a decaying memory of operations (the state's
    and foreign forces' presence where jihadist fighters stand), borne by the herding communities the forces
    suspect (HRW 2016-2018: arrests, disappearances, executions of Fulani men);
  - *militia violence*: self-defence militias of the farming communities turn on herders (HRW 2018).
* **self-defence militias** ``M`` in [0, 1] form in farming communities that are threatened where the state is
  absent (threat: recent deaths in attacks in the cell over ``threat_scale`` plus the jihadist groups' influence
  there, capped at 1; the influence term was added after a first run showed deaths alone, confined to a few
  cells, left the militias near zero): ``M += form_rate x farming share x threat x absence x (1 - M)
  - militia_decay x M`` (Dan Na Ambassagou among the Dogon, 2016; HRW 2018). A region's first militia forming (one
  of its farming cells' ``M`` passing ``militia_event``) is an event with the terms that drove it.
* **recruitment**: jihadist recruitment is strongest where communal grievance is high and the state absent: the
  recruitment mechanism adds ``recruit_weight x G x absence`` to each cell's grievance when it counts local
  recruits (:mod:`sahel_sim.core.mechanisms.recruitment`).
* **a local cell**: for each configured faction with ``forms_from: local_cell`` (the Macina Liberation Front), a
  cell of preachers and recruits gathers fighters from the faction's community (its ``base``), at a rate
  ``cell_rate x sum over cells of (people / 100,000 x community share x G x absence)`` (a Poisson draw a week),
  less ``cell_attrition`` of them a week. When it holds ``front_threshold`` fighters, the front forms: its units
  stand in the cells where the cell recruited most. No date: when, and whether, is an output; the formation is an
  event with the terms that drove it.

Sources: International Crisis Group 2016, *Central Mali: An Uprising in the Making?*, Africa Report 238; Human
Rights Watch 2016 (*Mali: Abuses Spread South*), 2017 (*Mali: Unchecked Abuses in Military Operations*), 2018
(*"We Used to Be Brothers": Self-Defense Group Abuses in Central Mali*); Benjaminsen & Ba 2019, "Why do pastoralists
in Mali join jihadist groups? A political ecological explanation", Journal of Peasant Studies 46(1). Weights and
rates are assumptions, to be inferred (issue 19).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import ConfigError, param
from .base import Mechanism

#: the communities of the layer, and which of them live by herding (the others farm)
COMMUNITIES = ("fulani", "dogon", "bambara", "tuareg", "arab")
HERDING = ("fulani", "tuareg", "arab")
_ASSUMPTION = "assumption, to be inferred (issue 19)"
_SHARES_SOURCE = ("assumption: orders of magnitude from ICG 2016 (Africa Report 238) for the centre and from the "
                  "record's social bases for the north; no census by ethnicity since 1987")


def _default_shares() -> dict[str, dict[str, float]]:
    """Community shares of a cell's people, by region (regions not listed: none of the layer's communities)."""
    return {
        # the Inner Niger Delta (Macina) and the Bandiagara plateau and Seno plain: Fulani herders among Dogon and
        # Bambara (Marka) farmers; Bozo and Songhai fishers and traders are not modelled
        "mopti": {"fulani": 0.35, "dogon": 0.35, "bambara": 0.15},
        "segou": {"fulani": 0.2, "bambara": 0.55},
        "tombouctou": {"fulani": 0.15, "tuareg": 0.3, "arab": 0.15},
        "gao": {"fulani": 0.1, "tuareg": 0.25, "arab": 0.1},
        "kidal": {"tuareg": 0.85, "arab": 0.1},
        "menaka": {"fulani": 0.1, "tuareg": 0.5, "arab": 0.05},
    }


@dataclass
class CommunalConfig:
    """The communal layer (mechanism 6a): communities, grievance, militias, a local cell."""

    enabled: bool = True
    shares: dict[str, dict[str, float]] = param(factory=_default_shares,
                                                doc="share of a cell's people in each community, by map region",
                                                source=_SHARES_SOURCE)
    rise: float = param(0.02, lo=0.0, hi=1.0, unit="per week per unit drive", source=_ASSUMPTION)
    relaxation: float = param(0.01, lo=0.0, hi=1.0, unit="per week", doc="communal grievance fading",
                              source=_ASSUMPTION)
    land_weight: float = param(0.5, lo=0.0, hi=10.0, unit="drive per unit competition",
                               source=_ASSUMPTION + "; sign: Benjaminsen & Ba 2019")
    absence_weight: float = param(0.5, lo=0.0, hi=10.0, unit="drive per unit absence",
                                  source=_ASSUMPTION + "; sign: ICG 2016")
    abuse_weight: float = param(1.0, lo=0.0, hi=10.0, unit="drive per unit abuse",
                                source=_ASSUMPTION + "; sign: HRW 2016, 2017")
    militia_weight: float = param(1.0, lo=0.0, hi=10.0, unit="drive per unit militia strength",
                                  source=_ASSUMPTION + "; sign: HRW 2018")
    abuse_memory: float = param(0.95, lo=0.0, hi=1.0, unit="per week", doc="share of the abuse memory kept",
                                source=_ASSUMPTION)
    abuse_scale: float = param(20.0, lo=0.1, hi=1e5, unit="fighters",
                               doc="jihadist fighters in a cell at which operations there are at full tempo",
                               source=_ASSUMPTION)
    threat_scale: float = param(5.0, lo=0.01, hi=1e5, unit="recent deaths",
                                doc="recent deaths in attacks in a cell (the model's decaying violence field) at "
                                    "which a community is fully threatened", source=_ASSUMPTION)
    form_rate: float = param(0.05, lo=0.0, hi=1.0, unit="per week", doc="militia formation at full threat",
                             source=_ASSUMPTION)
    militia_decay: float = param(0.01, lo=0.0, hi=1.0, unit="per week", source=_ASSUMPTION)
    militia_event: float = param(0.2, lo=0.0, hi=1.0, doc="a cell's militia strength at which a militia is said "
                                 "to form (an event, the first in its region)",
                                 source="assumption (a reporting threshold)")
    recruit_weight: float = param(0.5, lo=0.0, hi=10.0, unit="grievance per unit G x absence",
                                  doc="what communal grievance under the state's absence adds to a cell's grievance "
                                      "for jihadist recruitment", source=_ASSUMPTION + "; sign: ICG 2016")
    cell_rate: float = param(1.0, lo=0.0, hi=1e3,
                             unit="recruits per week per 100,000 community members at full grievance and absence",
                             source=_ASSUMPTION + " (the order of recruitment.local_rate, a little above it: a "
                                    "cell recruits through kin and preachers; chosen so that a cell can reach the "
                                    "threshold within a few years, not fitted to a date)")
    cell_attrition: float = param(0.002, lo=0.0, hi=1.0, unit="per week",
                                  doc="share of the cell's recruits lost a week (arrests, desertion)",
                                  source=_ASSUMPTION)
    front_threshold: int = param(150, lo=1, hi=100_000, unit="fighters",
                                 doc="recruits at which the local cell becomes a front",
                                 source="assumption, to be inferred (issue 19): the Macina front's ~170 fighters "
                                        "at end 2015 (Malian intelligence; record README)")

    def check(self, path: str) -> None:
        for region, shares in self.shares.items():
            for community, share in shares.items():
                if community not in COMMUNITIES:
                    raise ConfigError(f"{path}.shares.{region}.{community}",
                                      f"is not a community; allowed: {', '.join(COMMUNITIES)}")
                if not 0.0 <= share <= 1.0:
                    raise ConfigError(f"{path}.shares.{region}.{community}", f"{share} is out of range; allowed: "
                                      "0 to 1")
            if sum(shares.values()) > 1.0 + 1e-9:
                raise ConfigError(f"{path}.shares.{region}", f"sums to {sum(shares.values()):.3g}; allowed: <= 1")


def community_shares(region: np.ndarray, region_names: list[str], shares: dict[str, dict[str, float]]
                     ) -> np.ndarray:
    """(community, x, y) share of each cell's people in each community, from the cell's region (-1: abroad)."""
    table = np.zeros((len(region_names) + 1, len(COMMUNITIES)))  # last row: abroad
    for i, name in enumerate(region_names):
        for c, share in shares.get(name, {}).items():
            table[i, COMMUNITIES.index(c)] = share
    return np.moveaxis(table[np.where(region >= 0, region, len(region_names))], -1, 0)


def land_competition(herding: np.ndarray, farming: np.ndarray) -> np.ndarray:
    """Competition over land and water, in [0, 1]: 1 where herders and farmers are half and half.

    >>> float(land_competition(np.array(0.5), np.array(0.5))), float(land_competition(np.array(1.0), np.array(0.0)))
    (1.0, 0.0)
    """
    return np.minimum(1.0, 4.0 * herding * farming)


def grievance_step(grievance: np.ndarray, drive: np.ndarray, rise: float, relaxation: float) -> np.ndarray:
    """Next week's communal grievance: it rises with the drive toward 1 and fades toward 0."""
    return np.clip(grievance + rise * drive * (1.0 - grievance) - relaxation * grievance, 0.0, 1.0)


def militia_step(militia: np.ndarray, farming: np.ndarray, threat: np.ndarray, absence: np.ndarray,
                 form_rate: float, decay: float) -> np.ndarray:
    """Next week's militia strength: farming communities under threat where the state is absent arm themselves."""
    return np.clip(militia + form_rate * farming * threat * absence * (1.0 - militia) - decay * militia, 0.0, 1.0)


class Communal(Mechanism):
    """Communities, their grievance and militias, and local cells that become fronts."""

    name = "communal"

    def setup(self) -> None:
        m, cfg = self.model, self.config
        w = m.world
        self.shares = community_shares(w.region, w.region_names, cfg.shares)
        self.herding = self.shares[[COMMUNITIES.index(c) for c in HERDING]].sum(axis=0)
        self.farming = self.shares.sum(axis=0) - self.herding
        self.living = self.shares.sum(axis=0) > 0  # cells where the layer's communities live
        self.competition = land_competition(self.herding, self.farming)
        shape = self.living.shape
        self.grievance = np.zeros(shape)
        self.militia = np.zeros(shape)
        self.abuse = np.zeros(shape)
        m.communal_grievance = self.grievance
        m.militia = self.militia
        self.region_militia_formed: set[str] = set()
        self._farming_regions = [(name, (w.region == i) & (self.farming > 0)) for i, name in enumerate(w.region_names)
                                 if ((w.region == i) & (self.farming > 0)).any()]
        # local cells: faction -> recruits gathered so far
        self.cells = {name: 0 for name, fc in m.config.factions.items() if fc.forms_from == "local_cell"}

    def step(self) -> None:
        m, cfg = self.model, self.config
        absence = np.where(self.living, 1.0 - np.clip(m.state_presence, 0.0, 1.0), 0.0)
        fighters = m.presence[:m.slot_span()].sum(axis=0)
        forces = np.minimum(1.0, m.state_presence + m.foreign_presence)
        operations = forces * np.minimum(1.0, fighters / cfg.abuse_scale)  # raids where forces meet fighters
        self.abuse *= cfg.abuse_memory
        self.abuse += operations * self.herding
        abuse = np.minimum(1.0, self.abuse)
        held = m.influence[:m.slot_span()].sum(axis=0)
        threat = np.minimum(1.0, m.violence / cfg.threat_scale + held)
        self.militia[:] = militia_step(self.militia, self.farming, threat, absence, cfg.form_rate, cfg.militia_decay)
        drive = (cfg.land_weight * self.competition + cfg.absence_weight * absence + cfg.abuse_weight * abuse
                 + cfg.militia_weight * self.militia * self.herding) * self.living
        self.grievance[:] = grievance_step(self.grievance, drive, cfg.rise, cfg.relaxation)
        m.communal_recruitment = cfg.recruit_weight * self.grievance * absence
        self._militias_forming(threat, absence)
        for name in list(self.cells):
            self._local_cell(name, absence, abuse)

    def _militias_forming(self, threat: np.ndarray, absence: np.ndarray) -> None:
        """A region's first self-defence militia forms (an event) when the militia strength of one of its farming
        cells passes the mark; the event carries that cell's terms."""
        m, cfg = self.model, self.config
        for region, cells in self._farming_regions:
            if region in self.region_militia_formed:
                continue
            strength = np.where(cells, self.militia, 0.0)
            k = int(strength.argmax())
            if strength.flat[k] >= cfg.militia_event:
                self.region_militia_formed.add(region)
                x, y = np.unravel_index(k, strength.shape)
                terms = {"militia": float(strength.flat[k]), "threat": float(threat[x, y]),
                         "absence": float(absence[x, y]), "grievance": float(self.grievance[x, y])}
                m.log.add(m.week, m.date, "militia_formed", "", region,
                          f"a self-defence militia forms in the farming communities of {region} "
                          f"({m.world.lat[y]:.2f}, {m.world.lon[x]:.2f})", float(strength.flat[k]), terms=terms)

    def _local_cell(self, name: str, absence: np.ndarray, abuse: np.ndarray) -> None:
        """The local cell of ``name`` gathers recruits from its community; past the threshold it becomes a front."""
        m, cfg = self.model, self.config
        fc = m.config.factions[name]
        share = self.shares[COMMUNITIES.index(fc.base)]
        pull = m.world.population / 1e5 * share * self.grievance * absence
        self.cells[name] -= int(m.rng.binomial(self.cells[name], cfg.cell_attrition)) if self.cells[name] else 0
        self.cells[name] += int(m.rng.poisson(cfg.cell_rate * float(pull.sum())))
        if self.cells[name] < cfg.front_threshold:
            return
        where = share > 0
        terms = {"recruits": float(self.cells[name]),
                 "grievance": float(np.average(self.grievance[where], weights=pull[where] + 1e-12)),
                 "absence": float(np.average(absence[where], weights=pull[where] + 1e-12)),
                 "competition": float(np.average(self.competition[where], weights=pull[where] + 1e-12)),
                 "abuse": float(np.average(abuse[where], weights=pull[where] + 1e-12)),
                 "militia": float(np.average(self.militia[where], weights=pull[where] + 1e-12))}
        order = np.argsort(-pull, axis=None, kind="stable")[:max(1, fc.units)]
        cells = [tuple(int(v) for v in np.unravel_index(k, pull.shape)) for k in order]
        label = fc.label or name
        group = m.create_front(name, self.cells[name], cells,
                               f"{label} forms from a local cell of {self.cells[name]} {fc.base} recruits", terms)
        if group is not None:
            del self.cells[name]
