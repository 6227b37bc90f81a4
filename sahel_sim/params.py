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
    """A configuration value that the model refuses, with the dotted path of the field at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


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
        raise ConfigError(path, f"{value!r} is not allowed; choose one of {', '.join(map(str, choices))}")
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
