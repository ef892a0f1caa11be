"""kl_divergence for every pair torch registers among the implemented distributions."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED
from .cases import E, T, close

S = (3,)


def _pd(r):
    A = r.normal(size=(2, 3, 3))
    return A @ A.swapaxes(-1, -2) + np.eye(3)


# name -> (builder(D, P), params(rng))
DISTS = {
    "Normal": (lambda D, P: D.Normal(P["a"], P["b"]),
               lambda r: dict(a=r.normal(size=S), b=r.uniform(0.5, 2, S))),
    "Laplace": (lambda D, P: D.Laplace(P["a"], P["b"]),
                lambda r: dict(a=r.normal(size=S), b=r.uniform(0.5, 2, S))),
    "Bernoulli": (lambda D, P: D.Bernoulli(P["a"]),
                  lambda r: dict(a=
                                 r.uniform(0.05, 0.95, S))),
    "Categorical": (lambda D, P: D.Categorical(logits=P["a"]),
                    lambda r: dict(a=r.normal(size=S + (4,)))),
    "OneHotCategorical": (lambda D, P: D.OneHotCategorical(probs=P["a"]),
                          lambda r: dict(a=r.uniform(0.1, 1, S + (4,)))),
    "Uniform": (lambda D, P: D.Uniform(P["a"], P["a"] + P["b"]),
                lambda r: dict(a=r.uniform(0.05, 0.3, S), b=r.uniform(0.1, 0.6, S))),
    "Beta": (lambda D, P: D.Beta(P["a"], P["b"]),
             lambda r: dict(a=r.uniform(0.5, 4, S), b=r.uniform(0.5, 4, S))),
    "Gamma": (lambda D, P: D.Gamma(P["a"], P["b"]),
              lambda r: dict(a=r.uniform(0.5, 4, S), b=r.uniform(0.5, 3, S))),
    "Dirichlet": (lambda D, P: D.Dirichlet(P["a"]),
                  lambda r: dict(a=r.uniform(0.5, 4, S + (4,)))),
    "Exponential": (lambda D, P: D.Exponential(P["a"]),
                    lambda r: dict(a=r.uniform(0.5, 3, S))),
    "MultivariateNormal": (lambda D, P: D.MultivariateNormal(P["a"], covariance_matrix=P["b"]),
                           lambda r: dict(a=r.normal(size=(2, 3)), b=_pd(r))),
    "Independent": (lambda D, P: D.Independent(D.Normal(P["a"], P["b"]), 1),
                    lambda r: dict(a=r.normal(size=(2, 3)), b=r.uniform(0.5, 2, (2, 3)))),
}

PAIRS = [(n, n) for n in DISTS] + [
    ("Beta", "Exponential"), ("Beta", "Gamma"), ("Beta", "Normal"), ("Beta", "Uniform"),
    ("Exponential", "Beta"), ("Exponential", "Uniform"), ("Exponential", "Gamma"),
    ("Exponential", "Normal"), ("Gamma", "Beta"), ("Gamma", "Uniform"),
    ("Gamma", "Exponential"), ("Gamma", "Normal"), ("Laplace", "Beta"),
    ("Laplace", "Exponential"), ("Laplace", "Gamma"), ("Laplace", "Uniform"),
    ("Laplace", "Normal"), ("Normal", "Beta"), ("Normal", "Exponential"), ("Normal", "Gamma"),
    ("Normal", "Uniform"), ("Normal", "Laplace"), ("Uniform", "Beta"),
    ("Uniform", "Exponential"), ("Uniform", "Gamma"), ("Uniform", "Normal"),
]


def _make(name, P, lib, grad=True, leaves=None):
    conv = E if lib is ED else T
    params = {k: conv(v, grad=grad) for k, v in P.items()}
    if leaves is not None:
        leaves.extend(params.values())
    return DISTS[name][0](lib, params)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p[0]}-{p[1]}")
def test_kl_matches_torch(pair, rng):
    P, Q = DISTS[pair[0]][1](rng), DISTS[pair[1]][1](rng)
    leaves_e, leaves_t = [], []
    pe, qe = _make(pair[0], P, ED, leaves=leaves_e), _make(pair[1], Q, ED, leaves=leaves_e)
    pt, qt = _make(pair[0], P, TD, leaves=leaves_t), _make(pair[1], Q, TD, leaves=leaves_t)
    ke, kt = ED.kl_divergence(pe, qe), TD.kl_divergence(pt, qt)
    close(ke, kt)
    if torch.isfinite(kt).all() and kt.requires_grad:
        w = rng.normal(size=tuple(kt.shape))
        ge = ember.autograd.grad((ke * E(w)).sum(), leaves_e, allow_unused=True)
        gt = torch.autograd.grad((kt * T(w)).sum(), leaves_t, allow_unused=True)
        for a, b in zip(ge, gt):
            if b is None:
                assert a is None or not np.any(a.numpy())
            else:
                close(a, b)


def test_kl_infinite_cases(rng):
    # non-nested supports, zero probabilities
    pairs = [
        (lambda D: D.Uniform(T0(D, [0.0, 0.0]), T0(D, [1.0, 2.0])),
         lambda D: D.Uniform(T0(D, [-1.0, 0.5]), T0(D, [2.0, 3.0]))),
        (lambda D: D.Bernoulli(T0(D, [0.0, 0.3, 1.0, 0.5])),
         lambda D: D.Bernoulli(T0(D, [0.5, 0.0, 1.0, 1.0]))),
        (lambda D: D.Categorical(T0(D, [[0.0, 0.5, 0.5], [0.3, 0.3, 0.4]])),
         lambda D: D.Categorical(T0(D, [[0.5, 0.0, 0.5], [0.3, 0.3, 0.4]]))),
        (lambda D: D.Uniform(T0(D, [-0.5, 0.2]), T0(D, [0.5, 0.8])),
         lambda D: D.Beta(T0(D, [2.0, 2.0]), T0(D, [3.0, 3.0]))),
        (lambda D: D.Uniform(T0(D, [-0.5, 0.2]), T0(D, [0.5, 0.8])),
         lambda D: D.Exponential(T0(D, [2.0, 2.0]))),
    ]
    for p, q in pairs:
        close(ED.kl_divergence(p(ED), q(ED)), TD.kl_divergence(p(TD), q(TD)))


def T0(D, v):
    return E(v) if D is ED else T(v)


def test_register_kl_and_missing_pair():
    class MyNormal(ED.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), ED.Normal(1.0, 2.0)
    close(ED.kl_divergence(p, q), TD.kl_divergence(TD.Normal(0.0, 1.0), TD.Normal(1.0, 2.0)))

    @ED.register_kl(MyNormal, ED.Normal)
    def _kl(p, q):
        return ember.zeros(())

    assert float(ED.kl_divergence(p, q)) == 0.0
    del ED.kl._KL_REGISTRY[MyNormal, ED.Normal]
    ED.kl._KL_MEMOIZE.clear()
    with pytest.raises(NotImplementedError):
        ED.kl_divergence(ED.Categorical(E([0.5, 0.5])), ED.Normal(0.0, 1.0))
    with pytest.raises(NotImplementedError):
        ED.kl_divergence(ED.Independent(ED.Normal(E([0.0]), E([1.0])), 1),
                         ED.Independent(ED.Normal(E([[0.0]]), E([[1.0]])), 2))


def test_expfamily_bregman_kl_matches_closed_form(rng):
    # the generic Bregman-divergence KL of ExponentialFamily against the closed forms
    bregman = ED.kl._kl_expfamily_expfamily
    for name in ["Normal", "Gamma", "Beta", "Dirichlet", "Exponential", "Bernoulli"]:
        P, Q = DISTS[name][1](rng), DISTS[name][1](rng)
        p, q = _make(name, P, ED, grad=False), _make(name, Q, ED, grad=False)
        close(bregman(p, q), ED.kl_divergence(p, q), rtol=1e-6, what=name)
