"""Many runs: sweeps, experiments, sensitivity designs, calibration and validation, and the root config schema that
adds their sections. Imports the runner and the core."""
