"""sahel_sim: an agent-based model of armed-group competition in Mali and the Sahel.

Run the default 2012-2017 scenario from Python with ``sahel_sim.run()``; build a model yourself with
``SahelModel(load_config([...]))``; read a finished run or sweep folder back with ``sahel_sim.load(path)``. The
command line is ``sahel-sim`` (Hydra).

The code is in four layers, each importing only those below it (README, "Code layout"): ``sahel_sim.core`` (the
model), ``sahel_sim.runner`` (one run: config -> model -> outputs), ``sahel_sim.analysis`` (sweeps, experiments,
designs, calibration, validation) and ``sahel_sim.faces`` (the command line, the Python API, the demo). The names
below are looked up on first use, so that importing one layer (``sahel_sim.core.model``) loads nothing above it.
"""

from ._version import __version__

#: public name -> the module that defines it
_PUBLIC = {
    "ConfigError": "sahel_sim.core.params",
    "SahelModel": "sahel_sim.core.model",  # mesa takes about a second to import
    "RunResult": "sahel_sim.faces.api",
    "SweepResult": "sahel_sim.faces.api",
    "compose": "sahel_sim.faces.api",
    "load": "sahel_sim.faces.api",
    "load_config": "sahel_sim.faces.api",
    "run": "sahel_sim.faces.api",
    "run_experiment": "sahel_sim.faces.api",
    "run_sweep": "sahel_sim.faces.api",
}
#: modules reachable as attributes under their short name (``sahel_sim.runner.plotting.plot_overview(result)``)
_MODULES = {"plotting": "sahel_sim.runner.plotting"}

__all__ = ["ConfigError", "RunResult", "SahelModel", "SweepResult", "__version__", "compose", "load", "load_config",
           "run", "run_experiment", "run_sweep"]


def __getattr__(name: str):
    import importlib

    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    raise AttributeError(f"module 'sahel_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC, *_MODULES])
