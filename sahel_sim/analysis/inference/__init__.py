"""Inference: what the record says about the model (issue 19). It sits above runs and only reads their tables.

* :mod:`.summaries`: the record's summaries (weekly and yearly battle deaths, spectacular attacks, MINUSMA's
  losses, the mergers' dates), each with its source, scale and role (calibration target or held-out pattern),
  computed by the same functions from the record and from a run's tables;
* :mod:`.forecast`: out-of-sample forecasts of weekly battle deaths scored with proper scoring rules (CRPS, log
  score) against statistical baselines fitted on the same window (a negative-binomial regression with trend and
  season; a self-exciting negative-binomial count process).
"""
