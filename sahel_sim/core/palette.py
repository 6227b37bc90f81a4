"""Colours of the organisations in every figure: one colour family per camp, one tone per group, by camp at the time.

* the AQ camp's groups in warm tones (yellow, orange, brown, red: Paul Tol's YlOrBr scheme and his BuRd red),
* the IS camp's groups in black, greys and purples (Tol's PRGn purples; black is the IS camp's colour in the attack
  panels),
* the state, foreign and UN forces in blues (Tol's BuRd blues),

so that camps are told apart at a glance and groups within a camp by their tone (lightness steps, which survive
colour blindness). The AQ and IS families stay apart under simulated deuteranopia, protanopia and tritanopia
(Machado et al. 2009; smallest CIELAB distance between an AQ and an IS tone 18, between two tones of a family 10;
``tests/test_figures.py`` checks it). The forces' blues come close to the IS purples for deuteranopes and
protanopes, but forces are never drawn as held ground or as fighters: only as base markers of their own shapes.

A group is drawn in the family of the camp it belongs to *at the time shown*: a group that pledges to IS is drawn in
the IS family from then on. Within a family, tones go to the groups in the order they joined the camp (the week
they appeared or pledged, then name), and a group keeps its tone in a camp it has left, so the other groups' tones
do not move when one switches. A faction configured with its own ``color`` keeps that colour throughout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from .model import SahelModel

#: the tones of each camp, in the order they are handed out (consecutive tones far apart in lightness)
CAMP_FAMILIES: dict[str, tuple[str, ...]] = {
    "AQ": ("#CC4C02", "#FEC44F", "#662506", "#FB9A29", "#993404", "#EC7014", "#B2182B"),
    "IS": ("#000000", "#9970AB", "#525252", "#C2A5CF", "#40004B", "#8C8C8C", "#762A83", "#BDBDBD"),
}
#: the forces' family: one tone per kind of force
FORCE_COLOURS: dict[str, str] = {"state": "#4393C3", "foreign_force": "#053061", "peacekeeping": "#92C5DE"}
#: a group of no known camp
UNKNOWN = "#777777"


@dataclass(frozen=True)
class Membership:
    """A group's time in the camps, as a colour needs it: when it appeared, the camps it has belonged to (in
    order, its current camp last), and the week it joined each."""

    name: str
    joined: tuple[tuple[str, int], ...]  # (camp, week joined), oldest first; the last is the current camp
    fixed: str = ""


def colours(members: Iterable[Membership]) -> dict[str, str]:
    """Each group's colour: its configured colour, or the tone of its current camp's family that it received when it
    joined that camp (tones in order of joining: week, then name; groups that left a camp keep their tone there)."""
    members = list(members)
    order: dict[str, list[tuple[int, str]]] = {}
    for m in members:
        for camp, week in m.joined:
            order.setdefault(camp, []).append((week, m.name))
    rank = {camp: {name: i for i, (_, name) in enumerate(sorted(set(entries)))} for camp, entries in order.items()}
    out = {}
    for m in members:
        if m.fixed:
            out[m.name] = m.fixed
            continue
        camp = m.joined[-1][0] if m.joined else ""
        family = CAMP_FAMILIES.get(camp)
        out[m.name] = family[rank[camp][m.name] % len(family)] if family else UNKNOWN
    return out


def model_colours(model: SahelModel) -> dict[str, str]:
    """The colour of every organisation of a model, as it stands now."""
    members, out = [], {}
    for org in model.factions.values():
        if org.kind == "jihadist":  # an armed group (sahel_sim.core.agents.ArmedGroup): it has a camp history
            members.append(Membership(org.name, tuple(org.camp_history), org.fixed_color))
        else:
            out[org.name] = org.fixed_color or FORCE_COLOURS.get(org.kind, UNKNOWN)
    return {**out, **colours(members)}


def table_colours(factions: pd.DataFrame, configured: dict | None = None) -> dict[str, str]:
    """The colour of every organisation of a run's ``factions`` table at the table's last week (the camp of each
    week is in the table, so a pledge shows as a change of camp); ``configured`` (name -> FactionConfig) supplies
    colours set in the config."""
    configured = configured or {}
    out, members = {}, []
    for name, rows in factions.groupby("faction", sort=False):
        fixed = getattr(configured.get(name), "color", "") or ""
        kind = rows["kind"].iloc[0]
        if kind != "jihadist":
            out[name] = fixed or FORCE_COLOURS.get(kind, UNKNOWN)
            continue
        camps = rows[["week", "camp"]].sort_values("week", kind="stable")
        changed = camps["camp"].ne(camps["camp"].shift())
        joined = tuple((str(c), int(w)) for w, c in camps.loc[changed, ["week", "camp"]].itertuples(index=False))
        members.append(Membership(str(name), joined, fixed))
    return {**out, **colours(members)}
