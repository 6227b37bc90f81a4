"""Mechanism 5: territory and revenue.

Each group's units project presence over nearby cells; a group's influence in a cell relaxes toward its share of
all armed presence there, the state's and foreign forces' presence included, so that shares stay in [0, 1] and sum
to at most 1. Influence over trafficking routes and porous borders where the state is weak yields revenue
(UNODC 2009, 2013: cocaine, cigarettes, arms through northern Mali); fighters cost upkeep, and a group that cannot
pay loses fighters. Units in cells held by the state or foreign forces, or next to the rival camp, fight and take
losses; each week units move away from pressure toward routes, people, grievance and their own ground.
The state's presence recovers toward its structural level (raised by foreign and UN presence and peace-process
progress) and is eroded where jihadist influence is strong: the 2012 collapse of the north and its reversal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import param
from .base import Mechanism


@dataclass
class TerritoryConfig:
    """Territory, revenue, clashes and movement (mechanism 5)."""

    enabled: bool = True
    spread_radius: int = param(2, lo=0, hi=10, unit="cells", doc="how far a unit projects presence")
    influence_rate: float = param(0.15, lo=0.0, hi=1.0, unit="per week", doc="speed of influence change")
    half_saturation: float = param(2.0, lo=0.01, hi=1000.0, unit="fighters per cell")
    state_strength: float = param(15.0, lo=0.0, hi=1000.0, unit="fighter-equivalents per unit state presence")
    foreign_strength: float = param(30.0, lo=0.0, hi=1000.0,
                                    unit="fighter-equivalents per unit foreign presence")
    un_strength: float = param(5.0, lo=0.0, hi=1000.0, unit="fighter-equivalents per unit UN presence")
    dominance: float = param(0.5, lo=0.0, hi=1.0, doc="influence from which a cell counts as held")
    revenue_rate: float = param(8.0, lo=0.0, hi=1e4, unit="thousand USD per week per fully held route cell",
                                source="order of magnitude: AQIM spending ~$2M a month (Stratfor 2012)")
    border_value: float = param(0.5, lo=0.0, hi=10.0, doc="route value of a porous border cell")
    upkeep: float = param(0.25, lo=0.0, hi=100.0, unit="thousand USD per fighter per week")
    desertion_rate: float = param(0.02, lo=0.0, hi=1.0, unit="per week", doc="share lost when funds run out")
    clash_rate: float = param(0.02, lo=0.0, hi=1.0, unit="engagements per unit-week",
                              doc="chance a unit under full hostile pressure fights an engagement in a week")
    clash_lethality: float = param(0.1, lo=0.0, hi=1.0, unit="share of the unit",
                                   doc="share of an engaged unit's fighters killed in the engagement")
    exchange_ratio: float = param(0.35, lo=0.0, hi=10.0,
                                  doc="forces' deaths per jihadist they kill in clashes, shared by who is present")
    clash_saturation: float = param(10.0, lo=0.0, hi=1e4, unit="fighter-equivalents",
                                    doc="opposing presence that halves clash losses (with half_saturation)")
    rival_lethality: float = param(0.005, lo=0.0, hi=1.0, unit="per week",
                                   doc="weekly loss share of a unit facing the rival camp")
    state_recovery: float = param(0.02, lo=0.0, hi=1.0, unit="per week")
    state_erosion: float = param(0.08, lo=0.0, hi=1.0, unit="per week per unit jihadist influence")
    foreign_support: float = param(0.4, lo=0.0, hi=10.0, doc="state presence added per unit foreign presence")
    un_support: float = param(0.3, lo=0.0, hi=10.0, doc="state presence added per unit UN presence")
    move_radius: int = param(2, lo=0, hi=20, unit="cells per week")
    route_pull: float = param(1.0, lo=0.0, hi=100.0)
    people_pull: float = param(1.0, lo=0.0, hi=100.0,
                              doc="pull of populated cells, per unit log10(1 + persons) / 6 (~1 at a million)")
    grievance_pull: float = param(1.0, lo=0.0, hi=100.0)
    home_pull: float = param(1.0, lo=0.0, hi=100.0, doc="pull of the group's own influence")
    pressure_push: float = param(3.0, lo=0.0, hi=100.0, doc="push of state, foreign and UN presence")
    state_push: float = param(0.5, lo=0.0, hi=10.0, doc="weight of state presence in the push (foreign: 1)")
    un_push: float = param(0.3, lo=0.0, hi=10.0, doc="weight of UN patrol presence in the push (foreign: 1)")
    crowding_push: float = param(0.5, lo=0.0, hi=100.0, doc="push per 100 own fighters already in a cell")
    move_noise: float = param(0.3, lo=0.0, hi=100.0, doc="scale of the Gumbel noise of a move")
    max_unit: int = param(300, lo=10, hi=100_000, unit="fighters", doc="a larger unit splits in two")


#: the nine shifts of the 3x3 filter, in the order their terms are added (the order fixes the rounding)
_SHIFTS = tuple((dx, dy) for dx in range(3) for dy in range(3))


def spread(field: np.ndarray, radius: int) -> np.ndarray:
    """Presence projected over neighbouring cells: ``radius`` passes of a 3x3 mean filter (edge cells repeated).

    Whole-array operations on one padded buffer per pass; the nine shifted terms are summed in a fixed order
    (row by row of the 3x3 window), then divided by 9, so results do not depend on how the work is split.
    """
    out = field
    if radius <= 0:
        return out
    nx, ny = out.shape[-2:]
    padded = None
    for _ in range(radius):
        if padded is None or padded.dtype != out.dtype:
            padded = np.empty((*out.shape[:-2], nx + 2, ny + 2), dtype=out.dtype)
        # edge padding: the border cells repeat outward (corners included)
        padded[..., 1:-1, 1:-1] = out
        padded[..., 0, 1:-1] = out[..., 0, :]
        padded[..., -1, 1:-1] = out[..., -1, :]
        padded[..., :, 0] = padded[..., :, 1]
        padded[..., :, -1] = padded[..., :, -2]
        (dx0, dy0), (dx1, dy1), *rest = _SHIFTS
        acc = np.add(padded[..., dx0:dx0 + nx, dy0:dy0 + ny], padded[..., dx1:dx1 + nx, dy1:dy1 + ny])
        for dx, dy in rest:
            acc += padded[..., dx:dx + nx, dy:dy + ny]
        out = np.divide(acc, 9.0, out=acc) if acc.dtype.kind == "f" else acc / 9.0
    return out


def window_table(nx: int, ny: int) -> np.ndarray:
    """For every cell (flat index ``x * ny + y``), the flat indices of the nine cells of its 3x3 window, in the
    order of the filter's terms and clamped at the map's edges (the edge padding of :func:`spread`): (9, cells)."""
    x, y = np.arange(nx)[:, None], np.arange(ny)[None, :]
    return np.stack([(np.clip(x + dx - 1, 0, nx - 1) * ny + np.clip(y + dy - 1, 0, ny - 1)).ravel()
                     for dx, dy in _SHIFTS])


def spread_sparse(field: np.ndarray, radius: int, nonzero: np.ndarray, table: np.ndarray,
                  interior: np.ndarray | None = None) -> np.ndarray:
    """:func:`spread` of a field that is zero outside the flat indices ``nonzero``, computed only where it can
    differ from zero: pass ``t`` sums the same nine terms in the same order for the cells within ``t`` cells of
    a non-zero cell (``table`` is :func:`window_table` of the map) and leaves every other cell at zero. The
    result is identical to :func:`spread`; the work grows with the non-zero cells, not with the map. (A cell in
    reach of two sources is computed twice, to the same value.)

    ``interior`` (optional, :func:`interior_cells` of the map for ``radius + 1``) marks the cells more than
    ``radius`` cells from every edge: when every source is one, no window of the passes reaches past an edge, so
    the cells within ``t`` of a source and their windows are flat offsets (no clamping), which takes fewer array
    operations; the cells, the terms and their order are the same."""
    if radius <= 0:
        return field
    if len(nonzero) * (2 * radius + 1) ** 2 * 4 > field.size:  # dense enough: the whole-array filter is cheaper
        return spread(field, radius)
    nx, ny = field.shape[-2:]
    ncell = nx * ny
    nonzero = np.asarray(nonzero, dtype=np.int64)
    cell = nonzero % ncell
    values = field.reshape(-1)
    if interior is not None and interior.take(cell).all():
        window = np.array([(dx - 1) * ny + dy - 1 for dx, dy in _SHIFTS])[:, None]  # the filter's terms, in order
        for t in range(1, radius + 1):
            offsets = np.arange(-t, t + 1)
            where = (nonzero[:, None] + (offsets[:, None] * ny + offsets).ravel()).ravel()  # within t, row by row
            # (9, n): each cell's window, in order; summed row by row, i.e. the terms added in the filter's order
            acc = values.take(where + window).sum(axis=0)
            values = np.zeros(field.size, dtype=acc.dtype)
            values[where] = acc / 9.0
        return values.reshape(field.shape)
    base, x, y = (nonzero - cell)[:, None, None], (cell // ny)[:, None], (cell % ny)[:, None]
    for t in range(1, radius + 1):
        offsets = np.arange(-t, t + 1)
        # clamped at the edges (np.minimum and np.maximum: np.clip's wrapper costs more than the work here)
        cx, cy = np.minimum(np.maximum(x + offsets, 0), nx - 1), np.minimum(np.maximum(y + offsets, 0), ny - 1)
        cells = cx[:, :, None] * ny + cy[:, None, :]
        cells, where = cells.ravel(), (cells + base).ravel()  # the cells within t of a source, with their row
        # (9, n): each cell's window, in order; summed row by row, i.e. the terms added in the filter's order
        acc = values.take(table[:, cells] + (where - cells)).sum(axis=0)
        values = np.zeros(field.size, dtype=acc.dtype)
        values[where] = acc / 9.0
    return values.reshape(field.shape)


def interior_cells(nx: int, ny: int, radius: int) -> np.ndarray:
    """Flat (x * ny + y) mask of the cells at least ``radius`` cells from every edge of an nx x ny map."""
    x, y = np.arange(nx)[:, None], np.arange(ny)[None, :]
    return ((x >= radius) & (x < nx - radius) & (y >= radius) & (y < ny - radius)).ravel()


def influence_target(presence: np.ndarray, opposition: np.ndarray, half_saturation: float) -> np.ndarray:
    """Each group's share of all armed presence in each cell (the state and foreign forces included)."""
    return presence / (presence.sum(axis=0) + opposition + half_saturation)


def route_revenue(influence: np.ndarray, route_value: np.ndarray, state: np.ndarray, rate: float,
                  cut: float) -> np.ndarray:
    """Weekly revenue of each group from the routes and borders it holds where the state is weak."""
    taxable = route_value * (1.0 - state)
    # an explicit sum, not tensordot: BLAS splits large products over threads and the last bits then depend on the
    # machine's core count; numpy's own reduction gives the same bits everywhere
    return rate * (1.0 - cut) * (influence * taxable).sum(axis=(1, 2))


class Territory(Mechanism):
    """Presence, influence, state presence, revenue and upkeep, clashes, and unit movement."""

    name = "territory"

    def setup(self) -> None:
        w = self.model.world
        self.route_value = np.maximum(w.route, self.config.border_value * w.border)
        self.people = np.log10(1.0 + w.population) / 6.0  # ~1 for a city of a million
        self.windows = window_table(w.nx, w.ny)
        self._interior: tuple[int, np.ndarray | None] = (-1, None)  # (radius, interior_cells of the map)
        self._windows_by_radius: dict[tuple[int, int, int], tuple] = {}
        self._static: tuple = (None, None)  # ((route_pull, people_pull), static pull field)
        self._cells: tuple | None = None  # (grid, its cells by flat index)
        self._moved: tuple | None = None  # (units, their layer rows, their flat cells) after this week's moves
        self.week_opposition: np.ndarray | None = None  # this week's opposing armed presence per cell
        self.model.compute_presence()

    def _interior_cells(self, radius: int) -> np.ndarray:
        if self._interior[0] != radius:
            w = self.model.world
            self._interior = (radius, interior_cells(w.nx, w.ny, radius + 1))
        return self._interior[1]

    def opposition_parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The state's, Barkhane's and MINUSMA's armed presence, in fighter-equivalents per cell."""
        m, cfg = self.model, self.config
        state_force = m.force("state")
        state_factor = (state_force.troops / 10_000.0) if state_force is not None else 0.0
        return (cfg.state_strength * state_factor * m.state_presence, cfg.foreign_strength * m.foreign_presence,
                cfg.un_strength * m.un_presence)

    def opposition(self) -> np.ndarray:
        """Armed presence opposed to the jihadists, in fighter-equivalents per cell."""
        state, foreign, un = self.opposition_parts()
        return state + foreign + un

    def step(self) -> None:
        m, cfg = self.model, self.config
        self._moved = None
        self.move_units()
        m.compute_presence(self._moved)
        # rows past the last active group's slot are zero and stay zero: work on the rows in use only
        span = m.slot_span()
        influence = m.influence[:span]
        spread_presence = spread_sparse(m.presence[:span], cfg.spread_radius, m.presence_cells, self.windows,
                                        self._interior_cells(cfg.spread_radius))
        opposition = self.opposition()
        self.week_opposition = opposition  # read by the relations layer later in the week (the forces' pressure)
        target = influence_target(spread_presence, opposition, cfg.half_saturation)
        influence += cfg.influence_rate * (target - influence)
        # the state recovers toward its supported level and is eroded by jihadist influence
        jihadist = influence.sum(axis=0)
        support = np.clip(m.world.state_base + cfg.foreign_support * m.foreign_presence
                          + cfg.un_support * m.un_presence + m.peace_state_support, 0.0, 1.0)
        m.state_presence += cfg.state_recovery * (support - m.state_presence)
        m.state_presence -= cfg.state_erosion * jihadist * m.state_presence
        np.clip(m.state_presence, 0.0, 1.0, out=m.state_presence)
        self.collect_revenue()
        self.clash(opposition, spread_presence)
        self.split_large_units()

    def collect_revenue(self) -> None:
        m, cfg = self.model, self.config
        # rows past the last active group's slot are zero: the revenue of the rows in use only
        revenue = route_revenue(m.influence[:m.slot_span()], self.route_value, m.state_presence, cfg.revenue_rate,
                                m.peace_revenue_cut)
        for g in m.groups():
            g.revenue_week = float(revenue[g.slot])
            g.earn(g.revenue_week)
            g.funds -= cfg.upkeep * g.fighters  # the treasury pays the fighters; the operations budget does not
            if g.funds < 0:
                g.funds = 0.0
                g.lose(int(m.rng.binomial(g.fighters, cfg.desertion_rate)))

    def clash(self, opposition: np.ndarray, spread_presence: np.ndarray) -> None:
        """Engagements with the state and foreign forces, and attrition against the rival camp.

        Fighting with forces comes in discrete engagements, not a weekly drip: a unit under hostile pressure
        fights one in a week with chance ``clash_rate`` x pressure (saturating in the opposing presence), and then
        loses ``clash_lethality`` of its fighters; the forces present lose ``exchange_ratio`` per jihadist they
        kill, shared by who is present. So battle deaths come in spikes between quiet weeks, as in the record
        (UCDP GED: 61% of weeks 2012-2016 without a battle death). Facing the rival camp costs a small steady
        share (``rival_lethality``); with the relations layer (mechanisms.relations), only
        the groups a unit's group has decided to fight count, whatever their camp.
        Computed for all units at once, in the order of the groups' rosters."""
        m, cfg, rng = self.model, self.config, self.model.rng
        groups = m.groups()
        units, _ = m.unit_roster()
        if not units:
            return
        n = len(units)
        flat = self._positions(units)
        here = spread_presence.reshape(len(spread_presence), -1)[:, flat]  # every group's presence at every unit
        relations = m.mechanism("relations")
        enemies = None
        if relations is not None:
            # the presence, at each unit's cell, of the groups its own group has decided to fight
            own_slot = np.array([u.owner.slot for u in units], dtype=np.int64)
            fighting = relations.fighting_pairs()[own_slot][:, :len(here)]
            rival_here = (fighting * here.T).sum(axis=1)
            enemies = fighting
        else:
            # without the relations layer: the jihadist presence of the other camps at each unit's cell
            camps = sorted({*m.global_share, *(g.camp for g in groups)})
            index = {camp: i for i, camp in enumerate(camps)}
            by_camp = np.zeros((len(camps), n))
            for g in groups:
                by_camp[index[g.camp]] += here[g.slot]
            own = np.array([index[u.owner.camp] for u in units], dtype=np.int64)
            rival_here = by_camp.sum(axis=0) - by_camp[own, np.arange(n)]
        hostile = opposition.take(flat)
        soft = cfg.half_saturation + cfg.clash_saturation
        p_engage = np.minimum(1.0, cfg.clash_rate * hostile / (hostile + soft))
        p_rival = cfg.rival_lethality * rival_here / (rival_here + soft)
        strength = np.array([u.strength for u in units], dtype=np.int64)
        engaged = rng.random(n) < p_engage
        by_forces = np.where(engaged, rng.binomial(strength, cfg.clash_lethality), 0)
        # numpy's binomial returns 0 for n = 0 or p = 0 without drawing: a call whose every n or every p is 0 draws
        # nothing and returns zeros, so it is skipped (the stream and the values are the same)
        p_rival = np.minimum(1.0, p_rival)
        by_rivals = rng.binomial(strength - by_forces, p_rival) if p_rival.any() else np.zeros(n, dtype=np.int64)
        their_dead = (rng.binomial(by_forces, min(1.0, cfg.exchange_ratio)) if by_forces.any()
                      else np.zeros(n, dtype=np.int64))
        for k in np.flatnonzero(by_forces | by_rivals).tolist():  # the units that lost fighters, in roster order
            unit = units[k]
            g = unit.owner
            m.deaths["jihadists_by_forces"] += g.lose(int(by_forces[k]), unit)
            lost = g.lose(int(by_rivals[k]), unit)
            m.deaths["jihadist_vs_jihadist"] += lost
            if lost and enemies is not None:  # infighting deaths by the pair of camps: the enemy most present
                enemy_slot = int(np.argmax(enemies[k] * here[:, k]))
                enemy = next((h for h in groups if h.slot == enemy_slot), None)
                if enemy is not None:
                    m.infighting["-".join(sorted((g.camp, enemy.camp)))] += lost
        if not their_dead.any():  # nobody on the forces' side died: every share below is 0
            return
        # who the engaged units fought, in shares of the opposing presence at their cells (state, Barkhane, MINUSMA)
        opp_share = self._opposition_at(flat) / np.maximum(hostile, 1e-12)
        force_deaths = (opp_share * their_dead).sum(axis=1)
        for role, key, dead in zip(("state", "barkhane", "minusma"), ("state_forces", "barkhane", "minusma"),
                                   np.round(force_deaths).astype(int), strict=True):
            force = m.force(role)
            if dead and force is not None:
                force.killed_total += int(dead)
                m.deaths[key] += int(dead)

    def _opposition_at(self, flat: np.ndarray) -> np.ndarray:
        """:meth:`opposition_parts` at the flat cells ``flat`` only: (3, cells), the same values."""
        m, cfg = self.model, self.config
        state_force = m.force("state")
        state_factor = (state_force.troops / 10_000.0) if state_force is not None else 0.0
        return np.stack([cfg.state_strength * state_factor * m.state_presence.take(flat),
                         cfg.foreign_strength * m.foreign_presence.take(flat),
                         cfg.un_strength * m.un_presence.take(flat)])

    def move_units(self) -> None:
        """Each unit moves to the most attractive cell within reach (with Gumbel noise).

        All units at once: the windows around the units are gathered into one (units, w, w) array (w = 2 r + 1;
        off-map positions are -inf), and the week's noise is one draw for the on-map positions in row-major order
        (unit by unit, each window row by row): the same stream, values and ties (the first maximum) as one draw
        per window. The windows are flat offsets of the units' cells, clamped at the edges (a clamped position is
        off the map and gets -inf); the route and people pull, fixed for the run, is one precomputed field.
        """
        m, cfg, rng = self.model, self.config, self.model.rng
        r = cfg.move_radius
        if r == 0:
            return
        units, slots = m.unit_roster()
        if not units:
            return
        n, w = len(units), 2 * r + 1
        nx, ny = m.grievance.shape
        ncell = nx * ny
        axes = self._windows_by_radius.get((r, nx, ny))
        if axes is None:  # per axis: the window's rows (x ny) and columns, clamped, and which are on the map
            offsets = np.arange(-r, r + 1)
            gx, gy = np.arange(nx)[:, None] + offsets, np.arange(ny)[:, None] + offsets
            inx, iny = (gx >= 0) & (gx < nx), (gy >= 0) & (gy < ny)
            axes = self._windows_by_radius[(r, nx, ny)] = (
                np.clip(gx, 0, nx - 1) * ny, np.clip(gy, 0, ny - 1), inx, iny, inx.all(axis=1), iny.all(axis=1))
        rows, cols, inx, iny, fullx, fully = axes
        xy = np.array([c for u in units for c in u.cell.coordinate], dtype=np.int64)
        x, y = xy[0::2], xy[1::2]
        flat = (rows[x][:, :, None] + cols[y][:, None, :]).reshape(n, w * w)  # each unit's window, row by row
        if fullx.take(x).all() and fully.take(y).all():  # every window on the map: one (n, w * w) draw
            mask = None
            noise = cfg.move_noise * rng.gumbel(size=flat.shape)
        else:
            mask = (inx[x][:, :, None] & iny[y][:, None, :]).reshape(n, w * w)
            noise = cfg.move_noise * rng.gumbel(size=int(np.count_nonzero(mask)))
        layer = flat + (slots * ncell)[:, None]  # the same cells in the unit's group row
        field = (self._static_pull().take(flat) + cfg.grievance_pull * m.grievance.take(flat)
                 - cfg.pressure_push * (cfg.state_push * m.state_presence.take(flat) + m.foreign_presence.take(flat)
                                        + cfg.un_push * m.un_presence.take(flat)))
        field = field + cfg.home_pull * m.influence.take(layer) - cfg.crowding_push * m.presence.take(layer) / 100.0
        if mask is None:
            value = field + noise
        else:
            value = np.full(flat.shape, -np.inf)
            value[mask] = field[mask] + noise
        target = flat[np.arange(n), value.argmax(axis=1)]
        cells = self._cells_by_index()
        for unit, new in zip(units, target.tolist(), strict=True):
            unit.cell = cells[new]  # Mesa's setter does nothing when the cell is the same
        self._moved = (units, slots, target)  # where every unit now stands, for the presence and the clashes

    def _cells_by_index(self) -> list:
        """The grid's cells by flat index ``x * ny + y``."""
        grid = self.model.grid
        if self._cells is None or self._cells[0] is not grid:
            nx, ny = self.model.world.nx, self.model.world.ny
            cells = grid._cells
            self._cells = (grid, [cells[(x, y)] for x in range(nx) for y in range(ny)])
        return self._cells[1]

    def _positions(self, units: list) -> np.ndarray:
        """The flat cells of ``units``: those :meth:`move_units` left this week when they are the same units
        (nothing else moves a unit between the moves and the clashes), else read from the units."""
        moved = self._moved
        if moved is not None and moved[0] == units:
            return moved[2]
        ny = self.model.world.ny
        xy = np.array([c for u in units for c in u.cell.coordinate], dtype=np.int64)
        return xy[0::2] * ny + xy[1::2]

    def _static_pull(self) -> np.ndarray:
        """Route and people pull of every cell: fixed for the run (recomputed if either weight changes)."""
        cfg = self.config
        key = (cfg.route_pull, cfg.people_pull)
        if self._static[0] != key:
            self._static = (key, cfg.route_pull * self.route_value + cfg.people_pull * self.people)
        return self._static[1]

    def split_large_units(self) -> None:
        """A unit larger than ``max_unit`` fighters divides in two on the same cell."""
        m = self.model
        for g in m.groups():
            for unit in [u for u in g.units if u.strength > self.config.max_unit]:
                half = unit.strength // 2
                unit.strength -= half
                m.new_unit(g, half, unit.cell)
