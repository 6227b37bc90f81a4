"""Regenerate the regression snapshots in this folder: a deliberate step after an intended change of the model.

    .venv/bin/python tests/snapshots/update_snapshots.py            # rewrite every snapshot
    .venv/bin/python tests/snapshots/update_snapshots.py --check    # only report which ones differ (exit 1)

Each snapshot ``*.json`` names its run (``overrides`` and ``seed``) and stores that run's ``summary.json``;
``tests/test_reproducibility.py`` reruns it and compares. Review the diff (``git diff tests/snapshots``) before
committing it: every changed number is a changed behaviour of the model.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

#: the snapshots and the runs they describe (change a run here, then regenerate)
RUNS = {
    "short_default_seed1.json": {
        "description": "short default run: the history scenario from 2012-01-02 to 2014-06-30, every mechanism on",
        "overrides": ["calendar.end=2014-06-30"],
        "seed": 1,
    },
    "short_scripted_relations_seed1.json": {
        "description": "the same short run in the comparison scenario with the record's mergers dated and no "
                       "relations layer (the model before issue 17)",
        "overrides": ["scenario=scripted_relations", "calendar.end=2014-06-30"],
        "seed": 1,
    },
    "short_given_venues_seed1.json": {
        "description": "the same short run in the comparison scenario with the venues attacked in history as the "
                       "map's only hotels and venues and fixed peace meetings (the model before issue 18)",
        "overrides": ["scenario=given_venues", "calendar.end=2014-06-30"],
        "seed": 1,
    },
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report differences without writing")
    args = parser.parse_args()
    from sahel_sim import __version__, run

    status = 0
    for name, spec in RUNS.items():
        path = HERE / name
        summary = json.loads(json.dumps(run(spec["overrides"], seed=spec["seed"]).summary))
        new = {**spec, "sahel_sim_version": __version__, "summary": summary}
        old = json.loads(path.read_text()) if path.exists() else None
        if old is not None and old.get("summary") == summary:
            print(f"{name}: unchanged")
            continue
        status = 1
        if args.check:
            print(f"{name}: differs from the current model")
            continue
        path.write_text(json.dumps(new, indent=2) + "\n")
        print(f"{name}: written; review with git diff {path.relative_to(HERE.parents[1])}")
    return status if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
