"""Columns of the run's tables built straight from Python records, typed exactly as pandas would type them.

Building a DataFrame from rows (``DataFrame(rows)``, ``from_records``) makes pandas look at every value, then
``astype``, ``concat`` and ``sort_values`` copy the table again; for the few thousand rows of a run that is most of
the time spent turning a finished run into tables. Here a column is built in one numpy call when its values are
all of one kind, for which pandas' type is known for certain: Python or numpy floats -> ``float64``, integers ->
``int64``, booleans -> ``bool``, strings -> strings (pandas' default string type, as it would infer it). Anything
else (``None``, mixed kinds, integers beyond int64, no rows at all) raises :class:`Irregular`, and the caller
builds that table the old way, with pandas, so the tables are the same either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

_FLOATS = frozenset({float, np.float64})
_INTS = frozenset({int, np.int64})
_BOOLS = frozenset({bool, np.bool_})


class Irregular(ValueError):
    """A column whose type pandas would infer from more than one kind of value: build the table with pandas."""


def column(values: Sequence) -> np.ndarray:
    """The column pandas infers from ``values`` (a homogeneous sequence of floats, integers, booleans or strings).

    Strings come back as an object array, which ``pd.DataFrame`` turns into its default string type.
    """
    if len(values) == 0:
        raise Irregular("no values")
    kinds = set(map(type, values))
    if kinds <= _FLOATS:
        return np.array(values, dtype=np.float64)
    if kinds <= _INTS:
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            raise Irregular("integers beyond int64") from None
    if kinds <= _BOOLS:
        return np.array(values, dtype=bool)
    if kinds == {str}:
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array
    raise Irregular(f"mixed kinds of values: {sorted(k.__name__ for k in kinds)}")


def integers(values: Sequence, dtype: type) -> np.ndarray:
    """An integer column (``astype(dtype)`` of an ``int64`` column, as pandas casts it)."""
    array = column(values)
    if array.dtype != np.int64:
        raise Irregular(f"not integers: {array.dtype}")
    return array.astype(dtype)


def booleans(values: Sequence) -> np.ndarray:
    """A boolean column (values already booleans: ``astype(bool)`` changes nothing)."""
    array = column(values)
    if array.dtype != bool:
        raise Irregular(f"not booleans: {array.dtype}")
    return array


def dates_ns(values: Sequence) -> np.ndarray:
    """Calendar dates (``datetime.date``) as ``datetime64[ns]`` at midnight, as ``pd.Timestamp(date)`` then
    ``astype("datetime64[ns]")`` gives them."""
    if len(values) == 0 or set(map(type, values)) != {dt.date}:
        raise Irregular("not all calendar dates")
    return np.array(values, dtype="datetime64[D]").astype("datetime64[ns]")


def frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A DataFrame of the given columns, in order, with a default RangeIndex."""
    return pd.DataFrame(columns)
