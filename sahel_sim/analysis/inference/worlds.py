"""The four worlds of the question as config switches (docs/inference.md), apart from the inference that weighs
them, so that an experiment run from a world's posterior (:mod:`.propagation`) sets the same switches without
importing pyabc.

**both** (every driver, the default), **global only** (the local motives of attack choice off: no peace process to
spoil, no retaliation weight), **local only** (no AQ-IS rivalry context), **neither**. Territory, trafficking and
competition for recruits stay in every world.

**The channel worlds** (a named comparison, :data:`CHANNEL_WORLDS`): in ``local only`` and ``neither`` above the
rivalry is switched off as a whole, so no group weighs the IS brand and none pledges to IS (0.3% of runs by 2016;
docs/inference.md, "The second set's results"). The channel worlds keep the rivalry as context everywhere (the IS
brand, pledges, recruitment and attention salience) and take away only its action on attack choice (the outbidding
pressure: ``mechanisms.attacks.outbidding=false``): ``local only (channel)`` and ``neither (channel)``. With
``both`` and ``global only`` they make the four worlds of the channel comparison (:data:`CHANNEL_COMPARISON`).
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

#: the channel worlds: the rivalry stays as context, only its action on attack choice is switched off
CHANNEL_WORLDS: dict[str, list[str]] = {
    "local_only_channel": ["mechanisms.attacks.outbidding=false"],
    "neither_channel": ["mechanisms.attacks.outbidding=false", "mechanisms.peace_process.enabled=false",
                        "mechanisms.attacks.retaliation_weight=0"],
}
#: the four worlds of the channel comparison
CHANNEL_COMPARISON: list[str] = ["both", "global_only", "local_only_channel", "neither_channel"]
#: every world an inference or an experiment may name: the four of the question and the channel worlds
ALL_WORLDS: dict[str, list[str]] = {**WORLDS, **CHANNEL_WORLDS}
