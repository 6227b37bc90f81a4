"""What made a run: a fingerprint of the model's code, data and configs, so that a resumed sweep reuses a finished
run only when it would come out the same today.

A sweep resumes by skipping finished runs (:func:`sahel_sim.analysis.sweep.run_job`). Skipping on the folder name alone
would silently keep runs of an older model after its code or default configs changed (e.g. after a calibration):
every finished run therefore records the fingerprint it was made with, and a run whose fingerprint differs from the
current one is run again. The folder name does not tell everything either: a sensitivity design's row is named by
its number, and the values of row 3 change when the design is drawn again (another size, other ranges). So a
finished run is reused only when its resolved ``config.yaml`` is also the config the job would run now
(:func:`same_config`), the output settings and the design's file name aside.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

#: the file in a run folder holding the fingerprint the run was made with
FINGERPRINT_FILE = "fingerprint.txt"
#: modules that never change a run's files: experiment analyses and drivers, the checks, figures, the demo
NOT_IN_A_RUN = frozenset({"experiment.py", "calibration.py", "validation.py", "provenance.py", "figures.py",
                          "plotting.py", "app.py", "demo.py", "viz_cli.py", "__main__.py"})


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over the package's Python sources (but :data:`NOT_IN_A_RUN`) and data files and the Hydra configs
    (paths and bytes)."""
    from .compose import config_dir

    package = Path(__file__).resolve().parents[1]
    files = [(f"sahel_sim/{p.relative_to(package).as_posix()}", p) for p in package.rglob("*")
             if p.is_file() and (p.suffix == ".py" or "data" in p.relative_to(package).parts)
             and "__pycache__" not in p.parts and p.name not in NOT_IN_A_RUN]
    configs = config_dir()
    files += [(f"configs/{p.relative_to(configs).as_posix()}", p) for p in configs.rglob("*.yaml") if p.is_file()]
    digest = hashlib.sha256()
    for name, path in sorted(files):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


#: sections of a run's config that do not change its results: where and how it is written, and which design
#: file and row its values came from (the values themselves are applied to the config)
NEUTRAL_SECTIONS = ("output", "design")


def config_tree(yaml_text: str) -> dict:
    """A run's ``config.yaml`` text as plain nested dicts and lists (libyaml when it is there)."""
    import yaml

    return yaml.load(yaml_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _results_part(yaml_text: str) -> dict:
    tree = config_tree(yaml_text)
    for section in NEUTRAL_SECTIONS:
        tree.pop(section, None)
    return tree


def same_config(run_dir: Path, config) -> bool:
    """Whether a run folder's ``config.yaml`` is ``config`` (a resolved ``SimConfig``), but for
    :data:`NEUTRAL_SECTIONS`: the same seed, calendar, map, factions, scenario and mechanisms."""
    from .outputs import config_yaml

    path = Path(run_dir) / "config.yaml"
    return path.is_file() and _results_part(path.read_text()) == _results_part(config_yaml(config))


def made_by_current_code(run_dir: Path) -> bool:
    """Whether a run folder's recorded fingerprint is the current one (no record: no)."""
    path = Path(run_dir) / FINGERPRINT_FILE
    return path.is_file() and path.read_text().strip() == code_fingerprint()
