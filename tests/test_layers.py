"""The code's layers hold: each layer imports only those below it, and no module imports itself back.

The contracts are in ``pyproject.toml`` (``[tool.importlinter]``) and ``lint-imports`` checks them; these tests run
it, so that the default test suite (and CI) fails on an import that breaks a layer or closes a cycle.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def _lint_imports(cwd: Path, *args: str, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pythonpath or cwd)}
    return subprocess.run([LINT_IMPORTS, "--no-cache", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_every_layer_imports_only_the_layers_below_it_and_no_module_imports_itself_back():
    proc = _lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_a_cycle_closed_by_an_import_inside_a_function_breaks_the_contract(tmp_path):
    """The cycle check sees imports inside functions (as sahel_sim's lazy imports are): a package whose module
    ``b`` imports ``a`` at the top while ``a`` imports ``b`` only when a function runs is reported."""
    pkg = tmp_path / "cyclic"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def late():\n    from . import b\n\n    return b\n")
    (pkg / "b.py").write_text("from . import a\n")
    (tmp_path / ".importlinter").write_text(textwrap.dedent("""\
        [importlinter]
        root_package = cyclic

        [importlinter:contract:acyclic]
        name = no cycles
        type = acyclic_siblings
        ancestors = cyclic
        """))
    proc = _lint_imports(tmp_path, "--config", str(tmp_path / ".importlinter"))
    assert proc.returncode != 0
    assert "1 broken" in proc.stdout


def test_the_model_imports_without_the_layers_above_it_nor_hydra():
    code = ("import sys, sahel_sim.core.model; "
            "print(sorted({m.split('.')[1] for m in sys.modules if m.startswith('sahel_sim.')} "
            "| {m for m in ('hydra', 'omegaconf') if m in sys.modules}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert proc.stdout.strip() == "['_version', 'core']"
