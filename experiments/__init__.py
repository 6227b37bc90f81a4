"""Analyses of sahel_sim's experiments: one module per ``configs/experiment/*.yaml``, each with ``analyse(context)``.

Run one end to end with ``sahel-sim experiment=NAME [scale=smoke]``; see experiments/README.md for the gallery.
"""
