"""The tutorial notebook runs from top to bottom (and stays paired with its jupytext source)."""

from __future__ import annotations

from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.slow  # the whole notebook, a sweep included (~25 s); its pairing with the source is checked by default
def test_tutorial_notebook_executes():
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install -e '.[test]')")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install -e '.[test]')")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install -e '.[test]')")
    nb = nbformat.read(DOCS / "tutorial.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(DOCS)}})
    client.execute()  # raises CellExecutionError, with the failing cell and its traceback, if a cell fails
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


def test_tutorial_notebook_matches_its_source():
    jupytext = pytest.importorskip("jupytext", reason="jupytext is not installed (pip install -e '.[test]')")
    source = jupytext.read(DOCS / "tutorial.py")
    notebook = jupytext.read(DOCS / "tutorial.ipynb")
    assert [c.source for c in source.cells] == [c.source for c in notebook.cells], \
        "docs/tutorial.ipynb is out of date: run jupytext --sync docs/tutorial.py"
