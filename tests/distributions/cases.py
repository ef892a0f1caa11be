"""The distribution table the tests share: how to build each distribution in ember and in
torch from the same NumPy parameters, and how to draw values in its support."""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

TOL = {"float32": dict(rtol=1e-5, atol=1e-5), "float64": dict(rtol=1e-7, atol=1e-9)}


def E(a, dtype="float64", grad=False):
    """NumPy -> ember tensor (floats in ``dtype``, integers kept)."""
    a = np.asarray(a)
    if a.dtype.kind == "f":
        a = a.astype(dtype)
    return ember.tensor(a, requires_grad=grad and a.dtype.kind == "f")


def T(a, dtype="float64", grad=False):
    a = np.asarray(a)
    if a.dtype.kind == "f":
        a = a.astype(dtype)
    return torch.tensor(a, requires_grad=grad and a.dtype.kind == "f")


def close(e, t, dtype="float64", rtol=None, atol=None, what=""):
    ev = e.detach().numpy() if isinstance(e, ember.Tensor) else np.asarray(e)
    tv = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    tol = dict(TOL["float32" if ev.dtype == np.float32 else dtype])
    if rtol is not None:
        tol["rtol"] = rtol
    if atol is not None:
        tol["atol"] = atol
    assert ev.shape == tv.shape, (what, ev.shape, tv.shape)
    np.testing.assert_allclose(ev, tv, err_msg=what, equal_nan=True, **tol)


@dataclasses.dataclass
class Case:
    name: str
    build: Callable          # (D, P) -> distribution; D is ember.distributions or torch's
    params: Callable         # rng -> dict of numpy arrays
    value: Callable          # (rng, params, shape) -> numpy values of shape + event_shape
    cdf: bool = False
    icdf: bool = False
    mode: bool = True
    mean: bool = True        # finite mean and variance (sample statistics are checked)

    def __repr__(self):
        return self.name


B = (2, 3)  # batch shape of the table


def _pd(rng, n):
    A = rng.normal(size=B + (n, n))
    return A @ A.swapaxes(-1, -2) + n * np.eye(n)


def _onehot(rng, p, shape):
    k = p.shape[-1]
    return np.eye(k)[rng.integers(0, k, shape)]


CASES = [
    Case("Normal", lambda D, P: D.Normal(P["loc"], P["scale"]),
         lambda r: dict(loc=r.normal(size=B), scale=r.uniform(0.5, 2, B)),
         lambda r, p, s: r.normal(size=s) * 2, cdf=True, icdf=True),
    Case("Normal_scalar_loc", lambda D, P: D.Normal(0.5, P["scale"]),
         lambda r: dict(scale=r.uniform(0.5, 2, B)),
         lambda r, p, s: r.normal(size=s), cdf=True, icdf=True),
    Case("Laplace", lambda D, P: D.Laplace(P["loc"], P["scale"]),
         lambda r: dict(loc=r.normal(size=B), scale=r.uniform(0.5, 2, B)),
         lambda r, p, s: r.normal(size=s) * 2, cdf=True, icdf=True),
    Case("Bernoulli_probs", lambda D, P: D.Bernoulli(probs=P["probs"]),
         lambda r: dict(probs=r.uniform(0.05, 0.95, B)),
         lambda r, p, s: r.integers(0, 2, s).astype(float)),
    Case("Bernoulli_logits", lambda D, P: D.Bernoulli(logits=P["logits"]),
         lambda r: dict(logits=r.normal(size=B) * 2),
         lambda r, p, s: r.integers(0, 2, s).astype(float)),
    Case("Categorical_probs", lambda D, P: D.Categorical(probs=P["probs"]),
         lambda r: dict(probs=r.uniform(0.1, 1, B + (4,))),
         lambda r, p, s: r.integers(0, 4, s), mean=False),
    Case("Categorical_logits", lambda D, P: D.Categorical(logits=P["logits"]),
         lambda r: dict(logits=r.normal(size=B + (5,))),
         lambda r, p, s: r.integers(0, 5, s), mean=False),
    Case("OneHotCategorical_probs", lambda D, P: D.OneHotCategorical(probs=P["probs"]),
         lambda r: dict(probs=r.uniform(0.1, 1, B + (4,))),
         lambda r, p, s: _onehot(r, p["probs"], s)),
    Case("OneHotCategorical_logits", lambda D, P: D.OneHotCategorical(logits=P["logits"]),
         lambda r: dict(logits=r.normal(size=B + (3,))),
         lambda r, p, s: _onehot(r, p["logits"], s)),
    Case("Uniform", lambda D, P: D.Uniform(P["low"], P["low"] + P["width"]),
         lambda r: dict(low=r.normal(size=B), width=r.uniform(0.5, 2, B)),
         lambda r, p, s: p["low"] + p["width"] * r.uniform(0.01, 0.99, s), cdf=True, icdf=True,
         mode=False),
    Case("Beta", lambda D, P: D.Beta(P["c1"], P["c0"]),
         lambda r: dict(c1=r.uniform(1.2, 5, B), c0=r.uniform(1.2, 5, B)),
         lambda r, p, s: r.uniform(0.05, 0.95, s)),
    Case("Beta_scalar", lambda D, P: D.Beta(2.5, 0.7),
         lambda r: dict(), lambda r, p, s: r.uniform(0.05, 0.95, s[:1])),
    Case("Gamma", lambda D, P: D.Gamma(P["conc"], P["rate"]),
         lambda r: dict(conc=r.uniform(0.5, 5, B), rate=r.uniform(0.5, 3, B)),
         lambda r, p, s: r.exponential(2, s) + 0.01, cdf=True),
    Case("Dirichlet", lambda D, P: D.Dirichlet(P["conc"]),
         lambda r: dict(conc=r.uniform(0.5, 4, B + (4,))),
         lambda r, p, s: r.dirichlet(np.ones(4), s)),
    Case("Dirichlet_mode_small", lambda D, P: D.Dirichlet(P["conc"]),
         lambda r: dict(conc=r.uniform(0.3, 0.9, B + (3,))),
         lambda r, p, s: r.dirichlet(np.ones(3), s)),
    Case("Exponential", lambda D, P: D.Exponential(P["rate"]),
         lambda r: dict(rate=r.uniform(0.5, 3, B)),
         lambda r, p, s: r.exponential(1, s), cdf=True, icdf=True),
    Case("MultivariateNormal_cov",
         lambda D, P: D.MultivariateNormal(P["loc"], covariance_matrix=P["cov"]),
         lambda r: dict(loc=r.normal(size=B + (3,)), cov=_pd(r, 3)),
         lambda r, p, s: r.normal(size=s + (3,))),
    Case("MultivariateNormal_prec",
         lambda D, P: D.MultivariateNormal(P["loc"], precision_matrix=P["prec"]),
         lambda r: dict(loc=r.normal(size=B + (3,)), prec=_pd(r, 3)),
         lambda r, p, s: r.normal(size=s + (3,))),
    Case("MultivariateNormal_tril",
         lambda D, P: D.MultivariateNormal(P["loc"], scale_tril=P["tril"]),
         lambda r: dict(loc=r.normal(size=B + (3,)),
                        tril=np.tril(r.normal(size=(3, 3))) + 3 * np.eye(3)),
         lambda r, p, s: r.normal(size=s + (3,))),
    Case("Independent_Normal",
         lambda D, P: D.Independent(D.Normal(P["loc"], P["scale"]), 1),
         lambda r: dict(loc=r.normal(size=B), scale=r.uniform(0.5, 2, B)),
         lambda r, p, s: r.normal(size=s)),
    Case("Independent_Beta2",
         lambda D, P: D.Independent(D.Beta(P["c1"], P["c0"]), 2),
         lambda r: dict(c1=r.uniform(1.2, 5, B), c0=r.uniform(1.2, 5, B)),
         lambda r, p, s: r.uniform(0.05, 0.95, s)),
]


def build_pair(case, P, dtype="float64", grad=True):
    """(ember distribution, torch distribution, ember leaves, torch leaves)."""
    pe = {k: E(v, dtype, grad) for k, v in P.items()}
    pt = {k: T(v, dtype, grad) for k, v in P.items()}
    return case.build(ED, pe), case.build(TD, pt), pe, pt


def value_shape(d, sample=(5,)):
    return tuple(sample) + tuple(d.batch_shape) + tuple(d.event_shape)
