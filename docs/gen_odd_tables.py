"""Generate the parameter tables of docs/ODD.md from the code and the composed default configuration.

    .venv/bin/python docs/gen_odd_tables.py           # rewrite the tables in docs/ODD.md
    .venv/bin/python docs/gen_odd_tables.py --check   # exit 1 (and change nothing) if docs/ODD.md is stale

The tables sit between the markers ``<!-- params:start -->`` and ``<!-- params:end -->``; the rest of ODD.md is
prose and is left alone. Units, allowed ranges, descriptions and sources come from the ``param(...)`` metadata of
every dataclass field (as :func:`sahel_sim.core.params.describe` reads it); the *values* are those of the composed
default configuration (``sahel_sim.faces.api.load_config()``: the Hydra YAML in ``configs/`` overrides the dataclass
defaults), and where the two differ the code default is shown too. ``tests/test_docs.py`` fails when the
committed ODD.md differs from what this script writes, so the document cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent / "ODD.md"
START = "<!-- params:start -->"
END = "<!-- params:end -->"
NONE = "—"
#: lists longer than this are summarised in a table cell (first and last item)
MAX_ITEMS = 12
#: the faction columns shown first, in this order (the others follow in a second table)
FACTION_COLUMNS = ("label", "kind", "camp", "fighters", "funds", "leader", "active_from", "troops", "source")
#: the scenario-event columns shown as such (the other fields are summarised in "details")
EVENT_COLUMNS = ("date", "kind", "label")


# --- formatting ---------------------------------------------------------------------------------------------------
def fmt_number(v: float | int) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        v = int(v)
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:.6g}"


def fmt(v: Any) -> str:
    """A configuration value as short, deterministic Markdown-safe text."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return fmt_number(v)
    if v is None or v == "" or (isinstance(v, (list, tuple, dict)) and not v):
        return NONE
    if isinstance(v, str):
        return v.replace("|", "\\|").replace("\n", " ")
    if isinstance(v, dict):
        return "; ".join(f"{fmt(k)}: {fmt(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        if all(isinstance(x, (list, tuple)) and len(x) == 2 for x in v):  # pairs: [date, value] or [lon, lat]
            items = [f"{fmt(a)}: {fmt(b)}" if isinstance(a, str) else f"({fmt(a)}, {fmt(b)})" for a, b in v]
            sep = "; " if isinstance(v[0][0], str) else ", "
        else:
            items, sep = [fmt(x) for x in v], ", "
        if len(items) > MAX_ITEMS:
            return f"{len(items)} items: {items[0]}{sep}{items[1]}{sep}… {items[-1]}"
        return sep.join(items)
    return fmt(str(v))


def code(path: str) -> str:
    return f"`{path}`"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(cell if cell != "" else NONE for cell in row) + " |" for row in rows]
    return out


# --- reading the dataclass tree -----------------------------------------------------------------------------------
def code_default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


def allowed(f: dataclasses.Field) -> str:
    meta = f.metadata
    if meta.get("choices"):
        return ", ".join(fmt(c) if c != "" else '""' for c in meta["choices"])
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is not None and hi is not None:
        return f"[{fmt(lo)}, {fmt(hi)}]"
    if lo is not None:
        return f"≥ {fmt(lo)}"
    if hi is not None:
        return f"≤ {fmt(hi)}"
    if isinstance(code_default(f), bool):
        return "true, false"
    if meta.get("unit") == "date":
        return "ISO date"
    return ""


def record_type(owner: type, f: dataclasses.Field) -> type | None:
    """The dataclass held by a ``dict[str, X]`` or ``list[X]`` field, or None."""
    hint = typing.get_type_hints(owner)[f.name]
    if typing.get_origin(hint) in (dict, list):
        args = typing.get_args(hint)
        element = args[-1] if args else None
        if dataclasses.is_dataclass(element):
            return element
    return None


@dataclasses.dataclass
class Collection:
    """A dict or list of records inside a section (factions, places, scenario events, target types)."""

    path: str
    cls: type
    value: Any  # dict name -> record, or list of records


def walk(node: Any, prefix: str) -> tuple[list[tuple[str, dataclasses.Field, Any]], list[Collection]]:
    """Scalar rows (path, field, composed value) of a section, nested sections flattened, and its collections."""
    rows, collections = [], []
    for f in dataclasses.fields(node):
        path = f"{prefix}.{f.name}" if prefix else f.name
        value = getattr(node, f.name)
        rtype = record_type(type(node), f)
        if rtype is not None:
            collections.append(Collection(path, rtype, value))
        elif dataclasses.is_dataclass(value):
            sub_rows, sub_collections = walk(value, path)
            rows += sub_rows
            collections += sub_collections
        else:
            rows.append((path, f, value))
    return rows, collections


def value_cell(f: dataclasses.Field, value: Any) -> str:
    text = fmt(value)
    default = code_default(f)
    if value != default:
        text += f" (code: {fmt(default)})"
    return text


def param_table(rows: list[tuple[str, dataclasses.Field, Any]]) -> list[str]:
    body = [[code(path), value_cell(f, value), fmt(f.metadata.get("unit", "")), allowed(f),
             fmt(f.metadata.get("doc", "")), fmt(f.metadata.get("source", ""))] for path, f, value in rows]
    return table(["parameter", "value", "unit", "allowed", "description", "source"], body)


def schema_table(cls: type, prefix: str) -> list[str]:
    """Every field of a record type with its code default, unit, allowed values, description and source."""
    body = [[code(f"{prefix}.{f.name}"), fmt(code_default(f)), fmt(f.metadata.get("unit", "")), allowed(f),
             fmt(f.metadata.get("doc", "")), fmt(f.metadata.get("source", ""))] for f in dataclasses.fields(cls)]
    return table(["field", "code default", "unit", "allowed", "description", "source"], body)


# --- collections --------------------------------------------------------------------------------------------------
def entries(c: Collection) -> list[tuple[str, Any]]:
    if isinstance(c.value, dict):
        return list(c.value.items())
    return [(str(i), v) for i, v in enumerate(c.value)]


def entry_prefix(c: Collection) -> str:
    return f"{c.path}.<name>" if isinstance(c.value, dict) else f"{c.path}[i]"


def factions_tables(c: Collection) -> list[str]:
    names = [f.name for f in dataclasses.fields(c.cls)]
    first = [n for n in FACTION_COLUMNS if n in names]
    rest = [n for n in names if n not in first]
    out = [f"Composed factions ({code(c.path)}), as the default run starts them:", ""]
    out += table(["faction", *first], [[code(k), *(fmt(getattr(v, n)) for n in first)] for k, v in entries(c)])
    out += ["", "Further fields of the same factions:", ""]
    out += table(["faction", *rest], [[code(k), *(fmt(getattr(v, n)) for n in rest)] for k, v in entries(c)])
    return out


def events_table(c: Collection) -> list[str]:
    fields = dataclasses.fields(c.cls)
    shown = [f.name for f in fields if f.name in EVENT_COLUMNS]
    others = [f for f in fields if f.name not in EVENT_COLUMNS and f.name != "source"]
    rows = []
    for _, ev in entries(c):
        details = ", ".join(f"{f.name}={fmt(getattr(ev, f.name))}" for f in others
                            if getattr(ev, f.name) != code_default(f))
        rows.append([*(fmt(getattr(ev, n)) for n in shown), details, fmt(getattr(ev, "source", ""))])
    out = [f"Composed scenario events ({code(c.path)}), in the order given:", ""]
    return out + table([*shown, "details", "source"], rows)


def records_table(c: Collection) -> list[str]:
    names = [f.name for f in dataclasses.fields(c.cls)]
    out = [f"Composed {code(c.path)}:", ""]
    return out + table(["name", *names], [[code(k), *(fmt(getattr(v, n)) for n in names)] for k, v in entries(c)])


def transposed_table(c: Collection) -> list[str]:
    """One row per field, one column per entry, with the field's unit, allowed values and description."""
    keys = [k for k, _ in entries(c)]
    prefix = entry_prefix(c)
    rows = []
    for f in dataclasses.fields(c.cls):
        rows.append([code(f"{prefix}.{f.name}"), *(fmt(getattr(v, f.name)) for _, v in entries(c)),
                     fmt(code_default(f)), fmt(f.metadata.get("unit", "")), allowed(f),
                     fmt(f.metadata.get("doc", ""))])
    out = [f"Composed {code(c.path)} (one column per entry):", ""]
    return out + table(["field", *keys, "code default", "unit", "allowed", "description"], rows)


def collection_tables(c: Collection) -> list[str]:
    fields = dataclasses.fields(c.cls)
    if c.cls.__name__ == "FactionConfig":
        out = factions_tables(c)
    elif c.cls.__name__ == "ScheduledEventConfig" and c.value:
        out = events_table(c)
    elif 0 < len(c.value) < len(fields):
        return transposed_table(c)
    else:
        out = records_table(c) if c.value else [f"{code(c.path)} is empty in the default configuration."]
    return [*out, "", f"Fields of each entry of {code(c.path)}:", "", *schema_table(c.cls, entry_prefix(c))]


# --- sections -----------------------------------------------------------------------------------------------------
def section_tables(path: str, node: Any) -> list[str]:
    rows, collections = walk(node, path)
    doc = (type(node).__doc__ or "").strip()
    title = " ".join(doc.split("\n\n", 1)[0].split())  # the docstring's first paragraph, on one line
    out = [f"### {path}", ""] + ([title, ""] if title else []) + [*param_table(rows), ""]
    for c in collections:
        out += [*collection_tables(c), ""]
    return out


def render(cfg: Any) -> str:
    """All the generated tables, as Markdown, in the order of the configuration tree.

    Top-level scalars form the "Run" table; every top-level section gets a table (nested sections flattened
    into dotted names), a section made only of sections (``mechanisms``) one table per child, and every dict or
    list of records (factions, places, regions, routes, scenario events, target types) its own tables.
    """
    out = ["<!-- Generated by docs/gen_odd_tables.py from the code and the composed default config: "
           "do not edit by hand. -->", ""]
    top = [(f.name, f, getattr(cfg, f.name)) for f in dataclasses.fields(cfg)
           if not dataclasses.is_dataclass(getattr(cfg, f.name)) and record_type(type(cfg), f) is None]
    out += ["### Run", "", *param_table(top), ""]
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        rtype = record_type(type(cfg), f)
        if rtype is not None:
            out += [f"### {f.name}", "", *collection_tables(Collection(f.name, rtype, value)), ""]
        elif dataclasses.is_dataclass(value):
            children = [getattr(value, g.name) for g in dataclasses.fields(value)]
            if children and all(dataclasses.is_dataclass(c) for c in children):
                for g, child in zip(dataclasses.fields(value), children, strict=True):
                    out += section_tables(f"{f.name}.{g.name}", child)
            else:
                out += section_tables(f.name, value)
    out += evidence_table()
    return "\n".join(out).rstrip("\n") + "\n"


def evidence_table() -> list[str]:
    """What stands behind each numeric parameter of the model's mechanisms (issue 19): a source, a prior and the
    inference, or the screening's verdict that it does not matter (``sahel_sim/data/parameter_screening.csv``,
    from ``sahel-sim experiment=screening``), or that it is an input or a dial of the question."""
    import pandas as pd

    from sahel_sim.analysis.inference import screening as S
    from sahel_sim.analysis.inference.abc import SCREENING, inferred_priors

    if not SCREENING.is_file():
        return []
    verdicts = pd.read_csv(SCREENING).set_index("parameter")
    priors = inferred_priors()
    # how far the record's summaries can narrow each inferred parameter (the reference table's recovery)
    recovered = Path(__file__).resolve().parents[1] / "experiments" / "gallery" / "reference_table" / "recovery"
    widths = (pd.read_csv(recovered / "coverage.csv").set_index("parameter")["width90_over_prior"]
              if (recovered / "coverage.csv").is_file() else pd.Series(dtype=float))
    rows = []
    for row in S._declarations():
        name = row["name"]
        if not (name.startswith(S.SECTIONS) or name in S.MAP_PARAMETERS):
            continue
        if name in S.EXCLUDED:
            evidence = f"input or dial: {S.EXCLUDED[name]}"
        elif S._is_sourced(row["source"]):
            evidence = f"sourced: {row['source']}"
        elif name in priors:
            lo, hi = priors[name]
            evidence = f"inferred: uniform prior {fmt(lo)} to {fmt(hi)}"
            if name in verdicts.index and verdicts.loc[name, "verdict"] != "influential":
                evidence += f" (given before the screening, which found it {verdicts.loc[name, 'verdict']})"
            if name in widths.index:
                evidence += (f"; the summaries narrow its 90% interval to {widths[name]:.2f} of the prior's width "
                             "(reference table's recovery)")
        elif name in verdicts.index:
            v = verdicts.loc[name]
            evidence = ("screened: inactive in the default model (never read)" if v["verdict"] == "inactive" else
                        f"screened: not shown to matter (largest effect {v['ratio']:.2f} x the noise floor, on "
                        f"{v['summary']}; range {fmt(v['low'])} to {fmt(v['high'])})")
        else:
            evidence = "not screened"
        rows.append([code(name), fmt(row["default"]), fmt(evidence)])
    return ["### Evidence for every parameter (issue 19)", "",
            "Each numeric parameter of the mechanisms and of the state's presence, and what stands behind its value: "
            "a source, a prior and the inference (docs/inference.md; for each inferred parameter, how far the record's "
            "summaries can narrow it, from the reference table's recovery over 400 synthetic records, "
            "`experiments/gallery/reference_table/`), or the screening's verdict "
            "(`sahel-sim experiment=screening`, rule and ranges in `configs/experiment/screening.yaml`).", "",
            *table(["parameter", "value", "evidence"], rows), ""]


def regenerate(text: str, cfg: Any) -> str:
    """``text`` with everything between the markers replaced by freshly generated tables."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise ValueError(f"expected one {START} ... {END} block in the document")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{render(cfg)}{END}{tail}"


def default_config() -> Any:
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from sahel_sim.faces.api import load_config

    return load_config()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = DOC.read_text(encoding="utf-8")
    new = regenerate(text, default_config())
    if "--check" in argv:
        if new != text:
            print(f"{DOC} is out of date: run .venv/bin/python docs/gen_odd_tables.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
