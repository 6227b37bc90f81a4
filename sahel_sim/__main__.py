"""``python -m sahel_sim``: the same as the ``sahel-sim`` command."""

from .faces.prestart import main

main()
