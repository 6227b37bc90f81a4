"""Attack severity: heavy-tailed, never a fixed number.

Deaths per terrorist attack follow a power law with exponent about 2 (Clauset, Young & Gleditsch 2007, J. Conflict
Resolution 51: alpha ~ 2.4 worldwide; the record README uses ~2). Most attacks kill few, a few kill many. Draws
are discrete, by inverse transform of the continuous Pareto: x = floor(x_min * u^(-1 / (alpha - 1))).
"""

from __future__ import annotations

import numpy as np


def power_law_draw(rng: np.random.Generator, x_min: float, alpha: float, cap: int) -> int:
    """One draw from a discrete power law with lower bound ``x_min`` and exponent ``alpha`` (> 1), capped."""
    if x_min <= 0:
        return 0
    u = 1.0 - rng.random()  # in (0, 1]
    x = x_min * u ** (-1.0 / (alpha - 1.0))
    return int(min(np.floor(x), cap))


def survival_exponent(samples: np.ndarray, x_min: float) -> float:
    """Maximum-likelihood estimate of alpha from counts >= x_min drawn as above (floored Pareto).

    The continuous estimator (Clauset, Shalizi & Newman 2009, eq. 3.1) applied at the middle of each count's
    interval, x + 0.5.
    """
    x = np.asarray(samples, dtype=float)
    x = x[x >= x_min]
    if len(x) < 2:
        return float("nan")
    return 1.0 + len(x) / np.sum(np.log((x + 0.5) / x_min))
