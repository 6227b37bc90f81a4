"""The four worlds of the question as config switches (docs/inference.md), apart from the inference that weighs
them, so that an experiment run from a world's posterior (:mod:`.propagation`) sets the same switches without
importing pyabc.

**both** (every driver, the default), **global only** (the local motives of attack choice off: no peace process to
spoil, no retaliation weight), **local only** (no AQ-IS rivalry context), **neither**. Territory, trafficking and
competition for recruits stay in every world.
"""

from __future__ import annotations

#: the worlds of the question, as config switches
WORLDS: dict[str, list[str]] = {
    "both": [],
    "global_only": ["mechanisms.peace_process.enabled=false", "mechanisms.attacks.retaliation_weight=0"],
    "local_only": ["mechanisms.rivalry.enabled=false"],
    "neither": ["mechanisms.rivalry.enabled=false", "mechanisms.peace_process.enabled=false",
                "mechanisms.attacks.retaliation_weight=0"],
}
