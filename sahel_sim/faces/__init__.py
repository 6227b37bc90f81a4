"""What users touch: the sahel-sim command, the Python API, the teaching demo and its CLIs. May import every layer
below."""
