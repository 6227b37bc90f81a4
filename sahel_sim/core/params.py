"""Declaring model parameters with their unit, allowed range and source, and checking them.

Every numeric setting of the model is declared with :func:`param`, so that its unit, its allowed range and the
source of its default travel with the field. :func:`validate` walks a configuration tree, checks every declared
range and choice, calls each section's own cross-field ``check`` and raises :class:`ConfigError` naming the full
dotted path of the offending field and what is allowed. The ODD parameter tables are generated from the same
metadata (:func:`describe`), so the documentation cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterator
from typing import Any


class ConfigError(ValueError):
    """A configuration value that the model refuses, with the dotted path of the field at fault.

    Every message reads ``FIELD: what is wrong; allowed: ...``. The model's own checks say what is allowed
    themselves; a message passed on from OmegaConf or Hydra (a value of the wrong type, an entry that does not
    exist) is rephrased and completed from the field's declaration in the schema by :func:`explain`.
    """

    def __init__(self, field: str, message: str):
        message = explain(field, message)
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")

    def __reduce__(self):
        """Pickled as (field, message), so that the error crosses process boundaries (joblib, multiprocessing,
        submitit) whole, with the message as it was explained."""
        return (_rebuilt_config_error, (self.field, self.message))


def _rebuilt_config_error(field: str, message: str) -> ConfigError:
    """A :class:`ConfigError` with an already explained message (for unpickling)."""
    error = ConfigError.__new__(ConfigError)
    error.field, error.message = field, message
    ValueError.__init__(error, f"{field}: {message}")
    return error


#: the schema error messages look fields up in (:func:`use_root_schema`)
_root_schema: type | None = None


def use_root_schema(root: type) -> None:
    """Look up the fields named in a :class:`ConfigError` in ``root``: the model's config schema registers itself,
    and a schema built on it (with more sections) registers itself after it. Kept here, below every schema, so that
    this module imports none of them."""
    global _root_schema
    _root_schema = root


def root_schema() -> type | None:
    """The schema registered last with :func:`use_root_schema` (the one Hydra composes into), or None."""
    return _root_schema


def declared(path: str, root: type | None = None) -> tuple[Any, dict[str, Any]] | None:
    """The declared type and ``param`` metadata of the field at ``path`` (``a.b[0].c``), or None if unknown.

    ``root`` defaults to the schema of :func:`use_root_schema` (the model's
    :class:`~sahel_sim.core.config.SimConfig`, or the schema a layer above built on it); dict entries and list items
    take the declared value type of their container.
    """
    import re
    import typing

    if root is None:
        root = _root_schema
        if root is None:
            return None
    node: Any = root
    meta: dict[str, Any] = {}
    for part in re.findall(r"\[\d+\]|[^.\[\]]+", path):
        origin, args = typing.get_origin(node), typing.get_args(node)
        if part.startswith("["):
            if origin is not list:
                return None
            node, meta = (args[0] if args else Any), {}
        elif isinstance(node, type) and dataclasses.is_dataclass(node):
            fields = {f.name: f for f in dataclasses.fields(node)}
            if part not in fields:
                return None
            try:
                node = typing.get_type_hints(node)[part]
            except Exception:  # noqa: BLE001 - an unresolvable annotation: the field's type stays unknown
                node = Any
            meta = dict(fields[part].metadata)
        elif origin is dict:
            node, meta = (args[1] if len(args) == 2 else Any), {}
        else:
            return None
    return node, meta


def allowed_text(kind: Any, meta: dict[str, Any]) -> str:
    """What a field declared as ``kind`` with ``meta`` allows, in words: "an integer in [0, 10]", "true, false"."""
    import typing

    if meta.get("choices"):
        return "one of " + ", ".join(repr(c) if c == "" else str(c) for c in meta["choices"])
    lo, hi = meta.get("lo"), meta.get("hi")
    unit = f" {meta['unit']}" if meta.get("unit") else ""
    span = f" in {_range_text(lo, hi)}{unit}" if lo is not None or hi is not None else ""
    origin = typing.get_origin(kind) or kind
    if kind is bool:
        return "true, false"
    if kind is int:
        return f"an integer{span}"
    if kind is float:
        return f"a number{span}"
    if kind is str:
        return "an ISO date YYYY-MM-DD" if meta.get("unit") == "date" else "a string"
    if origin is list:
        doc = f" ({meta['doc']})" if meta.get("doc") else ""
        return f"a list [...]{' of numbers' + span if span else ''}{doc}"
    if origin is dict:
        return "a mapping {name: ...}"
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return f"a mapping with keys {', '.join(f.name for f in dataclasses.fields(kind))}"
    return "see the field's declaration (docs/ODD.md)"


def explain(field: str, message: str) -> str:
    """``message`` about ``field`` in the form "what is wrong; allowed: ...".

    Messages that already say what is allowed are returned unchanged. OmegaConf's and Hydra's own wording (a
    value that could not be converted, an entry not in the config, a value where a section belongs) is rephrased
    and completed from the field's declaration; any other message gets the declared allowed values appended.
    """
    import re

    if "allowed" in message:
        return message
    try:
        found = declared(field) if field and not field.startswith(("overrides", "hydra")) else None
    except Exception:  # noqa: BLE001 - a message must never fail: without the declaration it stays as it is
        found = None
    kind, meta = found if found is not None else (None, {})
    allowed = allowed_text(kind, meta) if found is not None else ""

    def shown(value: str, type_name: str) -> str:
        article = "an" if type_name[:1] in "aeiou" else "a"
        return repr(value) if type_name == "str" else f"{value} ({article} {type_name})"

    if m := re.search(r"Value '(?P<v>.*)' of type '(?P<t>\w+)' could not be converted to (?P<to>\w+)", message):
        wanted = {"Integer": "an integer", "Float": "a number", "Boolean": "a boolean"}.get(m["to"], m["to"])
        return f"{shown(m['v'], m['t'])} is not {wanted}; allowed: {allowed or wanted}"
    if m := re.search(r"Value '(?P<v>.*)' is not a valid bool", message):
        return f"{m['v']!r} is not a boolean; allowed: true, false"
    if m := re.search(r"Value (?P<v>.*) \((?P<t>\w+)\) is incompatible with type hint '(?P<to>[^']+)'", message):
        return f"{shown(m['v'], m['t'])} is not a {m['to']}; allowed: {allowed or 'a ' + m['to']}"
    if m := re.search(r"Invalid type assigned: (?P<t>\w+) is not a subclass of (?P<to>\w+)\. value: (?P<v>.*)",
                      message):
        return f"{shown(m['v'], m['t'])} is not a section; allowed: {allowed or 'a mapping of ' + m['to']}"
    if m := re.search(r"Invalid value assigned: (?P<t>\w+) is not a ListConfig", message):
        return f"{'an' if m['t'][:1] in 'aeiou' else 'a'} {m['t']} is not a list; allowed: {allowed or 'a list [...]'}"
    if m := re.search(r"Cannot convert '(?P<t>\w+)' to string: '(?P<v>.*)'", message):
        return f"{shown(m['v'], m['t'])} is not a string; allowed: {allowed or 'a string'}"
    if m := re.search(r"Key '(?P<k>[^']*)' is not in struct", message):
        parent = field.rsplit(".", 1)[0] if "." in field else "the config"
        return (f"{m['k']!r} is not an entry of {parent}; allowed: an existing entry, or a new one added with a "
                f"leading + (+{field}=...)")
    return f"{message}; allowed: {allowed}" if allowed else message


def param(
    default: Any = dataclasses.MISSING,
    *,
    lo: float | None = None,
    hi: float | None = None,
    unit: str = "",
    doc: str = "",
    source: str = "",
    choices: tuple[str, ...] | None = None,
    factory: Any = dataclasses.MISSING,
) -> Any:
    """A dataclass field carrying its unit, inclusive range [lo, hi], allowed choices and source."""
    meta = {"lo": lo, "hi": hi, "unit": unit, "doc": doc, "source": source, "choices": choices}
    if factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def parse_date(value: Any, field: str) -> dt.date:
    """A calendar date from an ISO string (YYYY-MM-DD) or a date, or a ConfigError naming the field."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(field, f"{value!r} is not a date; allowed: an ISO date YYYY-MM-DD") from None


def _range_text(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"[{lo}, {hi}]"
    if lo is not None:
        return f">= {lo}"
    return f"<= {hi}"


def check_value(value: Any, meta: dict[str, Any], path: str) -> None:
    """Check one value against its declared range or choices."""
    choices = meta.get("choices")
    if choices is not None and value not in choices:
        names = ", ".join(repr(c) if c == "" else str(c) for c in choices)
        raise ConfigError(path, f"{value!r} is not a valid choice; allowed: one of {names}")
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is None and hi is None or value is None:
        return
    values = value if isinstance(value, (list, tuple)) else [value]
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ConfigError(path, f"{v!r} is not a number; allowed {_range_text(lo, hi)}")
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError(path, f"{v} is not finite; allowed {_range_text(lo, hi)}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            unit = f" {meta['unit']}" if meta.get("unit") else ""
            raise ConfigError(path, f"{v}{unit} is out of range; allowed {_range_text(lo, hi)}")


def validate(node: Any, path: str = "") -> None:
    """Check a configuration tree: declared ranges and choices, then each section's own ``check(path)``."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            sub = f"{path}.{f.name}" if path else f.name
            value = getattr(node, f.name)
            if f.metadata:
                check_value(value, dict(f.metadata), sub)
            validate(value, sub)
        check = getattr(node, "check", None)
        if callable(check):
            check(path)
    elif isinstance(node, dict):
        for key, value in node.items():
            validate(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            validate(value, f"{path}[{i}]")


def _unknown_key(root: type, path: str) -> str:
    """Why ``path`` names no field: the first part that is not a key of its section, and the keys allowed there."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        found = declared(".".join(parts[: n - 1]), root) if n > 1 else (root, {})
        if found is not None and isinstance(found[0], type) and dataclasses.is_dataclass(found[0]):
            keys = ", ".join(f.name for f in dataclasses.fields(found[0]))
            return f"{parts[n - 1]!r} not in {found[0].__name__}; allowed keys: {keys}"
    return f"{path!r} is not a setting"


def check_override(root: type, path: str, text: str) -> None:
    """Check one ``path=value`` override against the declared type, range and choices, without composing."""
    import yaml

    found = declared(path, root)
    if found is None:
        raise ConfigError(path, _unknown_key(root, path))
    kind, meta = found
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = text
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        ranged = meta.get("lo") is not None or meta.get("hi") is not None
        span = _range_text(meta.get("lo"), meta.get("hi")) if ranged else "an integer"
        raise ConfigError(path, f"{text!r} is not an integer; allowed: {span}")
    if kind is float and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ConfigError(path, f"{text!r} is not a number")
    if kind is bool and not isinstance(value, bool):
        raise ConfigError(path, f"{text!r} is not a boolean; allowed: true, false")
    if meta:
        check_value(value, meta, path)


def describe(node_type: type, prefix: str = "") -> Iterator[dict[str, Any]]:
    """Rows (name, default, unit, range, source, doc) for every declared parameter of a config section."""
    for f in dataclasses.fields(node_type):
        name = f"{prefix}.{f.name}" if prefix else f.name
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        if dataclasses.is_dataclass(default):
            yield from describe(type(default), name)
            continue
        meta = dict(f.metadata)
        if not meta:
            continue
        lo, hi = meta.get("lo"), meta.get("hi")
        allowed = ", ".join(meta["choices"]) if meta.get("choices") else (
            _range_text(lo, hi) if (lo is not None or hi is not None) else "")
        yield {"name": name, "default": default, "unit": meta.get("unit", ""), "allowed": allowed,
               "source": meta.get("source", ""), "doc": meta.get("doc", "")}
