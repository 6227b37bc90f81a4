"""Every command in the README and docs/*.md runs as written: the docs cannot drift from the code.

Fenced blocks tagged ``bash`` run line by line (a trailing ``\\`` joins lines; comments and blank lines are
skipped), ``python`` blocks run as one script, and ``console`` blocks run each ``$ command`` and compare what it
prints with the lines below it. Everything runs in a fresh temporary folder holding only a link ``.venv`` to the
test's environment (whose ``bin`` also leads the PATH), so the commands write nothing into the repository.
Untagged blocks (formulas, layouts) are text.

A block that cannot run as written in a test says so in HTML comments right above its fence (invisible on the
rendered page), one directive per comment, each with its reason where something is left out:

* ``<!-- doc-test: skip REASON -->``: the block is not run (e.g. it installs a virtual environment, or starts a
  server that runs until stopped);
* ``<!-- doc-test: skip-line "LINE" REASON -->``: that line (its command, without the comment) is not run; a LINE
  ending in ``*`` is a prefix: every line starting with it;
* ``<!-- doc-test: slow REASON -->``: the block runs as written in the slow suite only (``pytest -m slow``);
* ``<!-- doc-test: slow-line "LINE" REASON -->``: that line (or prefix) runs in the slow suite only;
* ``<!-- doc-test: fast-with OVERRIDES -->``: in the default suite, every ``sahel-sim``/``sahel-sim-animate``
  command of the block gets OVERRIDES appended (later overrides win in Hydra: e.g. a shorter calendar); the slow
  suite runs the same block as written;
* ``<!-- doc-test: needs MODULE -->``: the block needs an optional module (an extra); skipped, saying which, when
  it is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUNNABLE = ("bash", "python", "console")
_FENCE = re.compile(r"^```(\w*)\s*$")
_DIRECTIVE = re.compile(r"^<!-- doc-test: (skip-line|slow-line|skip|slow|fast-with|needs)\b\s*(.*?)\s*-->\s*$")
#: the commands that take Hydra overrides, which fast-with extends
_OVERRIDE_COMMANDS = ("sahel-sim", "sahel-sim-animate")


@dataclass
class Block:
    """A runnable fenced block of a document, with the directives written above it."""

    doc: Path
    line: int  # of the opening fence, 1-based
    language: str
    text: str
    directives: list[tuple[str, str]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"

    def directive(self, name: str) -> list[str]:
        return [arg for kind, arg in self.directives if kind == name]


def blocks(doc: Path) -> list[Block]:
    """The runnable fenced blocks of ``doc``, with the doc-test directives of the comment lines just above each."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        directives, k = [], i - 1
        while k >= 0 and (d := _DIRECTIVE.match(lines[k])):
            directives.insert(0, (d.group(1), d.group(2)))
            k -= 1
        if m.group(1) in RUNNABLE:
            found.append(Block(doc, i + 1, m.group(1), "\n".join(lines[i + 1:end]) + "\n", directives))
        i = end + 1
    return found


ALL_BLOCKS = [b for doc in DOCS for b in blocks(doc)]


def _prefixed(arg: str) -> tuple[str, str]:
    """("PREFIX", reason) of a skip-line or slow-line directive."""
    m = re.match(r'"([^"]+)"\s*(.*)', arg)
    assert m, f'a line directive needs a quoted prefix: "PREFIX" reason (got {arg!r})'
    assert m.group(2), f"a line directive needs its reason (got {arg!r})"
    return m.group(1), m.group(2)


def commands(block: Block, slow: bool) -> list[str]:
    """The command lines of a bash block to run: joined continuations, without comments, skipped lines and (in the
    default suite) slow lines, with fast-with overrides appended in the default suite."""
    text = block.text.replace("\\\n", " ")
    skipped = [_prefixed(a)[0] for a in block.directive("skip-line")]
    if not slow:
        skipped += [_prefixed(a)[0] for a in block.directive("slow-line")]
    extra = " ".join(block.directive("fast-with")) if not slow else ""
    out = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line or any(line == p or (p.endswith("*") and line.startswith(p[:-1])) for p in skipped):
            continue
        words = shlex.split(line)
        program = Path(words[0]).name if words else ""
        if extra and program in _OVERRIDE_COMMANDS:
            line = f"{line} {extra}"
        out.append(line)
    return out


def _environment(tmp_path: Path) -> dict[str, str]:
    """A folder holding only ``.venv`` (a link to this environment), and the environment to run commands in."""
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.prefix) / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    return env


def _run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _params(slow: bool):
    for b in ALL_BLOCKS:
        marks = [pytest.mark.slow] if slow else []
        yield pytest.param(b, slow, id=f"{b.id}{':as-written' if slow else ''}", marks=marks)


def _check(block: Block, slow: bool, tmp_path: Path) -> None:
    for reason in block.directive("skip"):
        assert reason, f"{block.id}: a skipped block needs its reason"
        pytest.skip(f"{block.id}: {reason}")
    if not slow and block.directive("slow"):
        pytest.skip(f"{block.id}: slow suite only ({block.directive('slow')[0]})")
    if slow and not (block.directive("slow") or block.directive("fast-with") or block.directive("slow-line")):
        pytest.skip(f"{block.id}: runs as written in the default suite")
    for module in block.directive("needs"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{block.id}: needs {module} (an optional extra), not installed here")
    env = _environment(tmp_path)
    if block.language == "python":
        p = subprocess.run([sys.executable, "-c", block.text], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=900)
        assert p.returncode == 0, f"{block.id} failed:\n{p.stderr[-3000:]}"
    elif block.language == "console":
        chunks = re.split(r"^\$ ", block.text, flags=re.M)[1:]
        assert chunks, f"{block.id}: a console block holds '$ command' lines"
        for chunk in chunks:
            command, *expected = chunk.rstrip("\n").split("\n")
            p = _run(command, tmp_path, env)
            shown = [line for line in (p.stdout + p.stderr).splitlines() if line.strip()]
            assert shown == [line for line in expected if line.strip()], f"{block.id}: $ {command}"
    else:
        lines = commands(block, slow)
        assert lines, f"{block.id}: nothing to run; mark the block skip with a reason instead"
        for line in lines:
            p = _run(line, tmp_path, env)
            assert p.returncode == 0, f"{block.id}: `{line}` failed (exit {p.returncode}):\n{p.stderr[-3000:]}"


def test_the_docs_hold_runnable_blocks_and_every_skip_has_a_reason():
    assert len(ALL_BLOCKS) >= 10
    assert {b.doc.name for b in ALL_BLOCKS} >= {"README.md", "teaching.md", "validation.md"}
    for b in ALL_BLOCKS:
        for kind, arg in b.directives:
            if kind in ("skip-line", "slow-line"):
                _prefixed(arg)
            else:
                assert arg, f"{b.id}: doc-test {kind} needs its argument (a reason, overrides or a module)"


@pytest.mark.parametrize("block, slow", list(_params(slow=False)))
def test_a_documented_block_runs(block, slow, tmp_path):
    _check(block, slow, tmp_path)


@pytest.mark.parametrize("block, slow", list(_params(slow=True)))
def test_a_documented_block_runs_as_written(block, slow, tmp_path):
    _check(block, slow, tmp_path)
