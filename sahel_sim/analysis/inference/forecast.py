"""Out-of-sample forecasts of weekly battle deaths, scored with proper scoring rules against statistical baselines
(issue 19, item 5).

A forecast here is an **ensemble of weekly paths** over the forecast window (the model's runs, or draws from a
baseline's predictive distribution), so that every forecaster is scored the same way:

* **CRPS** (continuous ranked probability score) of each week's ensemble against the observed count, and of each
  year's total (``scoringrules.crps_ensemble``; lower is better);
* **log score** (negative log predictive probability of the observed count; lower is better) of a negative-binomial
  distribution matched to each week's ensemble mean and variance (an ensemble of a few dozen paths has no usable
  probability of an exact count; the moment-matched negative binomial is the stated approximation, the same for
  every forecaster).

Skill = 1 - model score / baseline score: positive when the model beats the baseline.

Baselines, fitted on the training window of the record only:

* :func:`fit_nb_regression`: negative-binomial regression of weekly deaths on a linear trend and one annual
  harmonic (statsmodels' NB2 GLM with its dispersion estimated by maximum likelihood);
* :func:`fit_nb_ingarch`: a self-exciting count process, the negative-binomial INGARCH(1,1) (Ferland, Latour &
  Oraichi 2006; Zhu 2011): lambda_t = omega + alpha y_(t-1) + beta lambda_(t-1), y_t ~ NB(mean lambda_t, size k),
  fitted by maximum likelihood; its forecast is simulated forward from the end of the training window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scoringrules as sr
import statsmodels.api as sm
from scipy import optimize, special

WEEKS_PER_YEAR = 52.0


def _design(t: np.ndarray) -> np.ndarray:
    """Intercept, trend (years), and one annual harmonic, for week indices ``t``."""
    years = t / WEEKS_PER_YEAR
    phase = 2 * np.pi * t / WEEKS_PER_YEAR
    return np.column_stack([np.ones_like(years), years, np.sin(phase), np.cos(phase)])


@dataclass
class NBRegression:
    """A fitted negative-binomial regression with trend and season: weekly means and a common size."""

    params: np.ndarray
    size: float

    def mean(self, t: np.ndarray) -> np.ndarray:
        return np.exp(_design(np.asarray(t, dtype=float)) @ self.params)

    def sample(self, t: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` paths of weekly counts at weeks ``t``: (n, len(t))."""
        mu = self.mean(t)
        return rng.negative_binomial(self.size, self.size / (self.size + mu), size=(n, len(mu)))


def fit_nb_regression(y: np.ndarray) -> NBRegression:
    """Fit the NB2 regression ``y_t ~ NB(exp(x_t b), size)`` on weeks 0..len(y)-1."""
    y = np.asarray(y, dtype=float)
    t = np.arange(len(y), dtype=float)
    fit = sm.NegativeBinomial(y, _design(t)).fit(disp=0, maxiter=500)
    *b, alpha = fit.params
    return NBRegression(np.asarray(b), float(1.0 / max(alpha, 1e-8)))


@dataclass
class NBIngarch:
    """A fitted NB-INGARCH(1,1): lambda_t = omega + alpha y_(t-1) + beta lambda_(t-1); y_t ~ NB(lambda_t, size)."""

    omega: float
    alpha: float
    beta: float
    size: float
    last_y: float
    last_lambda: float

    def sample(self, weeks: int, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` paths of the next ``weeks`` weekly counts, simulated forward from the end of the training data."""
        out = np.empty((n, weeks))
        y = np.full(n, self.last_y)
        lam = np.full(n, self.last_lambda)
        for w in range(weeks):
            lam = self.omega + self.alpha * y + self.beta * lam
            y = rng.negative_binomial(self.size, self.size / (self.size + lam))
            out[:, w] = y
        return out


def _nb_logpmf(y: np.ndarray, mu: np.ndarray, size: float | np.ndarray) -> np.ndarray:
    return (special.gammaln(y + size) - special.gammaln(size) - special.gammaln(y + 1)
            + size * np.log(size / (size + mu)) + y * np.log(np.maximum(mu, 1e-300) / (size + mu)))


def _ingarch_lambdas(params: np.ndarray, y: np.ndarray) -> np.ndarray:
    omega, alpha, beta = params[:3]
    lam = np.empty(len(y))
    lam[0] = max(y.mean(), 1e-3)
    for t in range(1, len(y)):
        lam[t] = omega + alpha * y[t - 1] + beta * lam[t - 1]
    return np.maximum(lam, 1e-6)


def fit_nb_ingarch(y: np.ndarray) -> NBIngarch:
    """Maximum-likelihood NB-INGARCH(1,1) on the weekly series ``y`` (omega > 0, alpha, beta >= 0,
    alpha + beta < 1)."""
    y = np.asarray(y, dtype=float)

    def nll(z: np.ndarray) -> float:
        omega, size = np.exp(z[0]), np.exp(z[3])
        alpha, beta = special.expit(z[1]), special.expit(z[2])
        if alpha + beta >= 0.999:
            return 1e12
        lam = _ingarch_lambdas(np.array([omega, alpha, beta]), y)
        return float(-_nb_logpmf(y[1:], lam[1:], size).sum())

    start = np.array([np.log(max(y.mean() * 0.5, 1e-2)), special.logit(0.2), special.logit(0.3), np.log(0.3)])
    res = optimize.minimize(nll, start, method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6,
                                                                         "fatol": 1e-8})
    omega, alpha, beta, size = np.exp(res.x[0]), special.expit(res.x[1]), special.expit(res.x[2]), np.exp(res.x[3])
    lam = _ingarch_lambdas(np.array([omega, alpha, beta]), y)
    return NBIngarch(float(omega), float(alpha), float(beta), float(size), float(y[-1]), float(lam[-1]))


def moment_matched_log_score(obs: np.ndarray, ensemble: np.ndarray) -> np.ndarray:
    """Negative log probability of each observed count under a negative binomial with each column's ensemble mean
    and variance (a Poisson where the ensemble is not overdispersed); ``ensemble`` is (members, points)."""
    ens = np.asarray(ensemble, dtype=float)
    mu = np.maximum(ens.mean(axis=0), 0.05)  # an ensemble of zeros still leaves a small chance of a death
    var = ens.var(axis=0, ddof=1) if len(ens) > 1 else mu
    size = np.where(var > mu * 1.001, mu ** 2 / np.maximum(var - mu, 1e-9), 1e6)
    return -_nb_logpmf(np.asarray(obs, dtype=float), mu, size)


def score(obs: np.ndarray, ensemble: np.ndarray) -> dict[str, float]:
    """Mean CRPS and mean log score of an ensemble (members, points) against observations (points)."""
    ens = np.asarray(ensemble, dtype=float)
    crps = sr.crps_ensemble(np.asarray(obs, dtype=float), ens, m_axis=0)
    return {"crps": float(np.mean(crps)), "log_score": float(np.mean(moment_matched_log_score(obs, ens)))}


def yearly(paths: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Yearly totals of weekly paths (members, weeks) by the calendar year of each week: (members, years)."""
    labels = np.unique(years)
    return labels, np.column_stack([paths[:, years == y].sum(axis=1) for y in labels])


def forecast_scores(obs_weekly: np.ndarray, obs_years: np.ndarray, model_paths: np.ndarray,
                    baselines: dict[str, np.ndarray]) -> pd.DataFrame:
    """The contract table (target, metric, model_score, baseline, baseline_score, skill): weekly and yearly
    deaths, CRPS and log score, the model's ensemble against each baseline's."""
    rows = []
    _, obs_y = yearly(np.asarray(obs_weekly, dtype=float)[None, :], obs_years)
    targets = {"weekly_deaths": (np.asarray(obs_weekly, dtype=float), lambda p: p),
               "yearly_deaths": (obs_y[0], lambda p: yearly(p, obs_years)[1])}
    for target, (obs, transform) in targets.items():
        model = score(obs, transform(model_paths))
        for name, paths in baselines.items():
            base = score(obs, transform(paths))
            for metric in ("crps", "log_score"):
                rows.append({"target": target, "metric": metric, "model_score": model[metric],
                             "baseline": name, "baseline_score": base[metric],
                             "skill": 1.0 - model[metric] / base[metric] if base[metric] else float("nan")})
    return pd.DataFrame(rows)
