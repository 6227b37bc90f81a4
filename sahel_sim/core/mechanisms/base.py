"""One interface for the ten mechanisms of the model (DESIGN.md §5).

A mechanism is a module with its own config section (a dataclass with an ``enabled`` switch and documented
parameters) and a class with the same small life cycle: built once with the model, ``setup()`` after the world
and the actors exist, ``step()`` once a week in the model's fixed order. Switching a mechanism off means it is
not built: the model's step never branches on it, and the state it would have written keeps its neutral value.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    from ..model import SahelModel


class Mechanism:
    """Base class: holds the model and the mechanism's own config section."""

    name: ClassVar[str] = ""

    def __init__(self, model: SahelModel, config: Any):
        self.model = model
        self.config = config

    def setup(self) -> None:
        """Called once after the world and the actors exist."""

    def step(self) -> None:  # pragma: no cover - every mechanism overrides it
        raise NotImplementedError


def draw_index(rng: np.random.Generator, p: np.ndarray) -> int:
    """An index drawn with probabilities ``p``: the same draw as ``int(rng.choice(len(p), p=p))``, from the same
    single uniform number (numpy's ``Generator.choice`` inverts the normalised cumulative sum of ``p``), without
    the argument checks that make ``choice`` slow. Probabilities that are not finite and positive in total go
    to ``choice`` itself, which rejects them."""
    cdf = np.cumsum(p)
    if not (np.isfinite(cdf[-1]) and cdf[-1] > 0):
        return int(rng.choice(len(p), p=p))
    cdf /= cdf[-1]
    return int(cdf.searchsorted(rng.random(), side="right"))


def draw_by_counts(rng: np.random.Generator, counts: list[int]) -> int:
    """``draw_index(rng, w / w.sum())`` for ``w = np.array(counts, dtype=float)``, non-negative integer weights
    (fighters), in plain Python: the same uniform number and the same index.

    Integers sum exactly in any order (below 2**53), so their total is numpy's; each share is the same IEEE
    division; ``itertools.accumulate`` adds in the order of ``np.cumsum``; each partial sum is divided by the last,
    as ``cdf /= cdf[-1]``; ``bisect_right`` is ``searchsorted(side="right")``. A total that is not positive goes to
    the numpy path (which rejects it as before)."""
    total = float(sum(counts))
    if not (total > 0 and math.isfinite(total)):
        w = np.array(counts, dtype=float)
        return draw_index(rng, w / w.sum())
    cdf = list(accumulate([c / total for c in counts]))
    last = cdf[-1]
    return bisect_right([c / last for c in cdf], rng.random())
