"""``hydra/sweeper=sahel``: Hydra's basic sweeper, checking a batch in a handful of compositions instead of one per job.

Before launching a batch, Hydra's ``BasicSweeper`` composes the full config of every job in the master process
(about a third of a second each for sahel_sim), only to find composition errors early: a 1,280-run design waits
about seven minutes before its first run starts. This sweeper generates, batches and launches jobs exactly like
``BasicSweeper`` (same job list, same order, same folders) and refuses the same bad sweeps before any job runs,
but checks a batch with far fewer compositions:

* the batch's first job is composed in full (the defaults list, every config file, every override);
* a swept key that names a config group (``intervention=none,barkhane``), or whose value could change what is
  composed (``+key``/``~key``, ``key@package``, ``hydra.searchpath``), is composed once per distinct value, the
  other keys at the first job's values;
* every other swept key (``seed=range(0,1000)``, ``mechanisms.rivalry.strength=0,1,2``) only sets a value after
  the config is composed, so each distinct value is applied to the first job's composed config with Hydra's own
  override code: the same unknown-key and wrong-type errors as a full composition, for microseconds each.

Each config checked is one of the sweep's own jobs. A failure arising only from a combination of two non-first
values (none can in sahel_sim's typed schema) is found when the launcher composes that job. Hydra's own sweeper
remains available as ``hydra/sweeper=basic``.
"""

# no ``from __future__ import annotations``: Hydra's plugin scanner runs this module before it is in sys.modules,
# where ``dataclass`` looks up string annotations
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from omegaconf import DictConfig

log = logging.getLogger(__name__)


@dataclass
class SahelSweeperConf(BasicSweeperConf):
    """The sweeper's settings: those of Hydra's basic sweeper (``max_batch_size``, ``params``)."""

    _target_: str = "hydra_plugins.sahel_sim_sweeper.sahel_sim_sweeper.SahelSweeper"


ConfigStore.instance().store(group="hydra/sweeper", name="sahel", node=SahelSweeperConf, provider="sahel_sim")


class SahelSweeper(BasicSweeper):
    """Hydra's ``BasicSweeper`` whose check of a batch composes the first job, plus one job per distinct value of
    each swept config group, instead of every job."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Refuse the batch if one of its values cannot be composed (``ConfigCompositionException``, as Hydra)."""
        assert self.config is not None and self.hydra_context is not None
        jobs = [list(job) for job in batch]
        if not jobs:
            return
        first = jobs[0]
        if any(len(job) != len(first) for job in jobs):  # not a product of sweeps: check every job, as Hydra does
            super().validate_batch_is_legal(batch)
            return
        tic = time.perf_counter()
        loader = self.hydra_context.config_loader
        parser = OverridesParser.create(config_loader=loader)
        first_parsed = parser.parse_overrides(first)
        cfg = loader.load_sweep_config(master_config=self.config, sweep_overrides=first)
        compositions = 1
        groups = set(cfg.hydra.runtime.choices)
        for i, override in enumerate(first_parsed):
            others = [line for line in dict.fromkeys(job[i] for job in jobs) if line != first[i]]
            if not others:
                continue
            parsed = parser.parse_overrides(others)
            if any(o.get_key_element() != override.get_key_element() for o in parsed):  # keys differ by job
                super().validate_batch_is_legal(batch)
                return
            if self._composes(override, groups):
                for line in others:
                    loader.load_sweep_config(master_config=self.config,
                                             sweep_overrides=[*first[:i], line, *first[i + 1:]])
                    compositions += 1
            else:
                _apply_each(parsed, override, cfg)
        elapsed = time.perf_counter() - tic
        log.debug(f"Checked {len(jobs)} jobs in {elapsed:.2f} s, {compositions} of them composed in full")

    def _composes(self, override: Override, groups: set[str]) -> bool:
        """Whether a value of ``override``'s key can change what is composed (so each value is composed)."""
        assert self.hydra_context is not None
        key = override.key_or_group
        return (override.package is not None or override.is_add() or override.is_delete()
                or key == "hydra.searchpath" or key in groups
                or self.hydra_context.config_loader.repository.group_exists(key))


def _apply_each(values: list[Override], first: Override, cfg: DictConfig) -> None:
    """Apply each value of one config key to the composed ``cfg`` with Hydra's override code, then restore the
    first job's value (``key=value`` and ``++key=value`` overrides only: they set a value whatever was there)."""
    for value in values:
        ConfigLoaderImpl._apply_overrides_to_config([value], cfg)
    ConfigLoaderImpl._apply_overrides_to_config([first], cfg)
