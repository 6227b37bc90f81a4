"""sahel_sim: an agent-based model of armed-group competition in Mali and the Sahel.

Run the default 2012-2017 scenario from Python with ``sahel_sim.run()``; build a model yourself with
``SahelModel(load_config([...]))``; read a finished run or sweep folder back with ``sahel_sim.load(path)``. The
command line is ``sahel-sim`` (Hydra).
"""

from ._version import __version__
from .core.params import ConfigError
from .faces.api import RunResult, SweepResult, compose, load, load_config, run, run_experiment, run_sweep

__all__ = ["ConfigError", "RunResult", "SahelModel", "SweepResult", "__version__", "compose", "load", "load_config",
           "run", "run_experiment", "run_sweep"]


def __getattr__(name: str):
    if name == "SahelModel":  # imported lazily: mesa takes about a second to import
        from .core.model import SahelModel

        return SahelModel
    raise AttributeError(name)
