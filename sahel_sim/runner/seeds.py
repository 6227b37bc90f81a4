"""The seeds of a sweep's replicates (kept apart, so that a sweep's collection reads them without the model)."""

from __future__ import annotations

import numpy as np


def derive_seed(base_seed: int, replicate: int) -> int:
    """The seed of replicate ``replicate`` of a sweep with ``base_seed``: independent streams (SeedSequence)."""
    return int(np.random.SeedSequence([int(base_seed), int(replicate)]).generate_state(1, dtype=np.uint32)[0])
