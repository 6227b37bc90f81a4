"""sahel_sim's Hydra sweeper, ``hydra/sweeper=sahel`` (the default of ``sahel-sim -m``): see ``sahel_sim_sweeper``."""
