"""docs/ODD.md cannot drift from the code: its parameter tables are what docs/gen_odd_tables.py generates from the
composed default config, and every parameter of the config tree is named in it."""

from __future__ import annotations

import dataclasses
import difflib
import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sahel_sim.faces.api import load_config

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "ODD.md"
GENERATOR = ROOT / "docs" / "gen_odd_tables.py"
FIX = "regenerate the tables with: .venv/bin/python docs/gen_odd_tables.py"


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_odd_tables", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_odd_tables_are_what_the_generator_writes(config, doc):
    generated = _load_generator().regenerate(doc, config)
    if generated != doc:
        diff = difflib.unified_diff(doc.splitlines(), generated.splitlines(), "docs/ODD.md (committed)",
                                    "docs/ODD.md (generated)", lineterm="", n=1)
        pytest.fail(f"docs/ODD.md is out of date with the code; {FIX}\n" + "\n".join(list(diff)[:60]))


def declared_paths(node: Any, prefix: str = "") -> Iterator[str]:
    """Dotted path of every field of the config tree; entries of a dict of records are ``<name>``, of a list ``[i]``."""
    for f in dataclasses.fields(node):
        path = f"{prefix}.{f.name}" if prefix else f.name
        value = getattr(node, f.name)
        if dataclasses.is_dataclass(value):
            yield from declared_paths(value, path)
            continue
        yield path
        if isinstance(value, dict) and value and all(dataclasses.is_dataclass(v) for v in value.values()):
            for entry in value.values():
                yield from declared_paths(entry, f"{path}.<name>")
        elif isinstance(value, list) and value and all(dataclasses.is_dataclass(v) for v in value):
            for entry in value:
                yield from declared_paths(entry, f"{path}[i]")


def test_every_parameter_of_the_config_tree_is_named_in_the_odd(config, doc):
    paths = sorted(set(declared_paths(config)))
    assert "mechanisms.attacks.spectacular.min_fighters" in paths and "factions.<name>.fighters" in paths
    missing = [p for p in paths if not re.search(rf"(?<![\w.]){re.escape(p)}(?!\w)", doc)]
    assert not missing, f"parameters missing from docs/ODD.md: {', '.join(missing)}; {FIX}"
