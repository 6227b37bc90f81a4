"""From Hydra's configs to a validated config: compose, convert, and explain what is wrong in one line.

The functions take the schema Hydra composes into as an argument: the model's own sections are
:class:`~sahel_sim.core.config.SimConfig`, and the root schema of the command line (with the sections of the layers
above) is :class:`sahel_sim.analysis.schema.SahelConfig`, whose module binds these functions to it.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from ..core.config import SimConfig, validated
from ..core.params import ConfigError
from .seeds import derive_seed

SCHEMA_NAME = "sahel_sim_schema"


def config_dir() -> Path:
    """The folder holding the Hydra configs: packaged in the wheel, or the repository's ``configs/``."""
    here = Path(__file__).resolve().parents[1]
    for candidate in (here / "configs", here.parent / "configs"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"no configs/config.yaml next to {here} or in {here.parent}")


def register_schema(schema: type) -> None:
    """Register ``schema`` as the structured schema in Hydra's ConfigStore (idempotent: stored once per process,
    since building the schema's node takes ~0.1 s and every :func:`compose` asks for it)."""
    from hydra.core.config_store import ConfigStore

    from .run_folders import register_resolvers

    register_resolvers()
    store = ConfigStore.instance()
    stored = store.repo.get(f"{SCHEMA_NAME}.yaml")
    if stored is not None and OmegaConf.get_type(stored.node) is schema:
        return
    store.store(name=SCHEMA_NAME, node=schema)


def to_config[C: SimConfig](cfg: DictConfig, schema: type[C]) -> C:
    """The dataclass tree of ``schema`` of a composed config (Hydra's own node removed; not yet validated, see
    :func:`resolved`)."""
    from omegaconf.errors import OmegaConfBaseException

    try:
        if OmegaConf.get_type(cfg) is schema and "hydra" not in cfg:
            import dataclasses

            known = [f.name for f in dataclasses.fields(schema)]  # in the schema's order, the same in every process
            for key in cfg:  # a key forced in with '+' is kept by Hydra; the schema does not know it
                if key not in known:
                    raise ConfigError(str(key), f"is not a setting of sahel_sim; allowed keys: {', '.join(known)}")
            sim_config = OmegaConf.to_object(cfg)  # composed on the schema already: no second merge
        else:
            container = OmegaConf.to_container(cfg, resolve=True)
            container.pop("hydra", None)
            merged = OmegaConf.merge(OmegaConf.structured(schema), container)
            sim_config = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise config_error(exc) from None
    return sim_config


def resolved[C: SimConfig](config: C) -> C:
    """The config with its replicate's seed (when ``replicate >= 0``), after every declared range, choice and
    cross-reference has been checked."""
    if config.replicate >= 0:
        config.seed = derive_seed(config.base_seed, config.replicate)
    return validated(config)


def compose(schema: type, overrides: list[str] | None = None, config_name: str = "config") -> DictConfig:
    """Compose the run's config from ``configs/`` with Hydra overrides onto ``schema``, exactly as the CLI does."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    register_schema(schema)
    import yaml

    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            return hydra_compose(config_name=config_name, overrides=list(overrides or []))
    except (HydraException, OmegaConfBaseException, yaml.YAMLError) as exc:
        raise config_error(exc) from None


def _chain(exc: BaseException):
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


def _yaml_error(exc: BaseException) -> ConfigError | None:
    """A malformed YAML file, as one line: the config group it belongs to, the file, line and column."""
    import yaml

    err = next((e for e in _chain(exc) if isinstance(e, yaml.YAMLError)), None)
    if err is None:
        return None
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    where = f"{mark.name}, line {mark.line + 1}, column {mark.column + 1}" if mark else "a config file"
    path = Path(mark.name) if mark and mark.name and not mark.name.startswith("<") else None
    field = path.parent.name if path is not None and path.parent.name else "config"
    problem = str(getattr(err, "problem", "") or err).strip().splitlines()[0]
    return ConfigError(field, f"malformed YAML in {where}: {problem}; allowed: valid YAML (indent with spaces)")


def _override_key(text: str) -> tuple[str, str] | None:
    """(key, value) of the override named in a Hydra message ("Error merging override KEY=VALUE", ...)."""
    import re

    m = re.search(r"(?:override|overriding) '?([+~]*[\w./@-]+)=(.*?)'?$", text.splitlines()[0])
    if m:
        return m.group(1).lstrip("+~"), m.group(2)
    m = re.search(r"Could not override '([\w./@-]+)'", text)
    return (m.group(1), "") if m else None


def _override_value(text: str):
    """The value of a ``key=value`` override as Hydra parses it (None if it does not parse)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        return OverridesParser.create().parse_override(text).value()
    except Exception:  # noqa: BLE001 - only a hint for locating the field
        return None


def config_error(exc: BaseException) -> ConfigError:
    """One clear ConfigError (field, what is wrong, what is allowed) from a Hydra or OmegaConf exception."""
    import dataclasses
    import re

    found = _yaml_error(exc)
    if found is not None:
        return found
    # the deepest OmegaConf error carries the field (full_key) and the plain message
    cause = next((e for e in _chain(exc) if hasattr(e, "full_key")), exc)
    text = str(cause).strip()
    key = getattr(cause, "full_key", None)
    key = "" if key is None else str(key)
    outer = str(exc).strip()
    if "raised while composing config:" in outer:  # Hydra's wrapper of an error inside a config file
        group = re.match(r"In '([^']+)'", outer)
        text = "\n".join(outer.splitlines()[1:])
        m = re.search(r"full_key: (\S+)", text)
        key = m.group(1) if m else (group.group(1).split("/")[0] if group else "config")
    message = text.splitlines()[0] if text else type(cause).__name__
    override = _override_key(str(exc))
    if override:
        okey, value = override
        if not key or okey.startswith(key):  # nothing, or the missing part of the override's own path
            key = key or okey
        elif key.isdigit():  # an item of a list
            key = f"{okey}[{key}]"
        elif not key.startswith(okey):  # a field inside a list of records: find the record holding it
            items = _override_value(f"{okey}={value}")
            first = key.split(".")[0]
            index = next((i for i, it in enumerate(items) if isinstance(it, dict) and first in it), None) \
                if isinstance(items, list) else None
            key = f"{okey}[{index}].{key}" if index is not None else f"{okey}.{key}"
    if "not in" in message:
        owner = getattr(cause, "object_type", None)
        if dataclasses.is_dataclass(owner):
            message += f"; allowed keys: {', '.join(f.name for f in dataclasses.fields(owner))}"
    elif "Could not find '" in message or "Cannot find primary config" in message:
        missing = re.search(r"(?:Could not find|Cannot find primary config) '([^']+)'", message).group(1)
        group = missing.rsplit("/", 1)[0] if "/" in missing else ""
        options = sorted(p.stem for p in (config_dir() / group).glob("*.yaml")) if group else ["config"]
        key = group or "config_name"
        message = f"no config {missing!r}; allowed: {', '.join(options)}"
    elif "Cannot merge DictConfig with ListConfig" in message:
        message = "a list where a mapping belongs; allowed: a mapping of names to entries"
    if not key:
        key = "overrides"
    return ConfigError(str(key), message)
