"""One run: config -> model -> outputs (compose, the run function, output files, provenance, the run's figures).
Imports the core only."""
