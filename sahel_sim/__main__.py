"""``python -m sahel_sim``: the same as the ``sahel-sim`` command."""

from .cli import main

main()
