"""Reparameterised samples and their gradients against torch's for the same noise: both
libraries' noise sources are patched to return one NumPy draw."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED
from .cases import E, T, close


def _compare(build, params, rng, shape=(4,)):
    """rsample values and the gradient of a weighted sum of them w.r.t. every parameter."""
    pe = {k: E(v, grad=True) for k, v in params.items()}
    pt = {k: T(v, grad=True) for k, v in params.items()}
    se = build(ED, pe).rsample(shape)
    st = build(TD, pt).rsample(shape)
    close(se, st, what="rsample")
    w = rng.normal(size=tuple(st.shape))
    ge = ember.autograd.grad((se * E(w)).sum(), list(pe.values()))
    gt = torch.autograd.grad((st * T(w)).sum(), list(pt.values()))
    for k, a, b in zip(pe, ge, gt):
        close(a, b, what=f"d rsample / d {k}")


@pytest.fixture
def noise(monkeypatch):
    """patch(kind, array): make both libraries draw ``array`` (float64) as their noise."""
    def patch(kind, arr):
        def em(shape, dtype=None, device=None):
            assert tuple(shape) == arr.shape
            return ember.tensor(arr, dtype=dtype)

        def th(shape, dtype=None, device=None):
            assert tuple(shape) == arr.shape
            return torch.tensor(arr, dtype=dtype)
        if kind == "normal":
            for mod in ("normal", "multivariate_normal"):
                monkeypatch.setattr(getattr(ED, mod), "_standard_normal", em)
                monkeypatch.setattr(getattr(TD, mod), "_standard_normal", th)
        elif kind == "rand":
            monkeypatch.setattr(ember, "rand", lambda shape, dtype=None, device=None:
                                em(shape, dtype))
            monkeypatch.setattr(torch, "rand", lambda shape, dtype=None, device=None:
                                th(shape, dtype))
        else:  # an in-place sampler method: exponential_ or uniform_
            def fill_e(self, *args, **kwargs):
                self._data[...] = arr
                return self

            def fill_t(self, *args, **kwargs):
                with torch.no_grad():
                    self.copy_(torch.tensor(arr))
                return self
            monkeypatch.setattr(ember.Tensor, kind, fill_e)
            monkeypatch.setattr(torch.Tensor, kind, fill_t)
    return patch


def test_normal(noise, rng):
    p = dict(loc=rng.normal(size=3), scale=rng.uniform(0.5, 2, 3))
    noise("normal", rng.normal(size=(4, 3)))
    _compare(lambda D, P: D.Normal(P["loc"], P["scale"]), p, rng)


@pytest.mark.parametrize("param", ["scale_tril", "covariance_matrix", "precision_matrix"])
def test_multivariate_normal(noise, rng, param):
    A = rng.normal(size=(2, 3, 3))
    M = np.tril(A) + 3 * np.eye(3) if param == "scale_tril" else A @ A.swapaxes(-1, -2) + \
        np.eye(3)
    p = dict(loc=rng.normal(size=(2, 3)), M=M)
    noise("normal", rng.normal(size=(4, 2, 3)))
    _compare(lambda D, P: D.MultivariateNormal(P["loc"], **{param: P["M"]}), p, rng)


def test_uniform(noise, rng):
    p = dict(low=rng.normal(size=3), high=rng.normal(size=3) + 3)
    noise("rand", rng.uniform(size=(4, 3)))
    _compare(lambda D, P: D.Uniform(P["low"], P["high"]), p, rng)


def test_exponential(noise, rng):
    p = dict(rate=rng.uniform(0.5, 2, 3))
    noise("exponential_", rng.exponential(size=(4, 3)))
    _compare(lambda D, P: D.Exponential(P["rate"]), p, rng)


def test_laplace(noise, rng):
    p = dict(loc=rng.normal(size=3), scale=rng.uniform(0.5, 2, 3))
    noise("uniform_", rng.uniform(-1, 1, size=(4, 3)))
    _compare(lambda D, P: D.Laplace(P["loc"], P["scale"]), p, rng)


def test_independent_normal(noise, rng):
    p = dict(loc=rng.normal(size=(2, 3)), scale=rng.uniform(0.5, 2, (2, 3)))
    noise("normal", rng.normal(size=(4, 2, 3)))
    _compare(lambda D, P: D.Independent(D.Normal(P["loc"], P["scale"]), 2), p, rng)


class _FixedGamma(torch.autograd.Function):
    """torch's _standard_gamma with a given sample (its backward is torch's own formula)."""
    x = None

    @staticmethod
    def forward(ctx, alpha):
        x = torch.tensor(_FixedGamma.x, dtype=alpha.dtype)
        ctx.save_for_backward(alpha, x)
        return x

    @staticmethod
    def backward(ctx, g):
        alpha, x = ctx.saved_tensors
        return g * torch._standard_gamma_grad(alpha, x)


def test_gamma(monkeypatch, rng):
    conc = np.concatenate([rng.uniform(0.1, 3, 4), rng.uniform(3, 30, 4)])
    x = np.maximum(rng.gamma(conc, size=(5, 8)), 1e-30)
    _FixedGamma.x = x
    monkeypatch.setattr(ED.gamma, "_sample_standard_gamma", lambda c: ember.tensor(x))
    monkeypatch.setattr(TD.gamma, "_standard_gamma", _FixedGamma.apply)
    p = dict(conc=conc, rate=rng.uniform(0.5, 2, 8))
    _compare(lambda D, P: D.Gamma(P["conc"], P["rate"]), p, rng, (5,))


def _patch_dirichlet(monkeypatch, x):
    monkeypatch.setattr(ED.dirichlet, "_sample_dirichlet", lambda c: ember.tensor(x))
    monkeypatch.setattr(torch, "_sample_dirichlet", lambda c: torch.tensor(x, dtype=c.dtype))


def test_dirichlet(monkeypatch, rng):
    conc = np.stack([rng.uniform(0.1, 3, 4), rng.uniform(0.5, 10, 4), rng.uniform(5, 40, 4)],
                    -1)
    x = np.stack([rng.dirichlet(c, 6) for c in conc], 1)
    _patch_dirichlet(monkeypatch, x)
    _compare(lambda D, P: D.Dirichlet(P["conc"]), dict(conc=conc), rng, (6,))


def test_beta(monkeypatch, rng):
    c1, c0 = rng.uniform(0.2, 12, 5), rng.uniform(0.2, 12, 5)
    b = rng.beta(c1, c0, size=(6, 5))
    _patch_dirichlet(monkeypatch, np.stack([b, 1 - b], -1))
    _compare(lambda D, P: D.Beta(P["c1"], P["c0"]), dict(c1=c1, c0=c0), rng, (6,))


def test_gamma_rsample_gradient_is_unbiased():
    # d E[x] / d alpha = 1 / rate: the implicit gradient averaged over many samples
    ember.manual_seed(0)
    conc = E([0.3, 1.0, 4.0, 15.0], grad=True)
    rate = E([1.0, 2.0, 0.5, 1.0], grad=True)
    s = ED.Gamma(conc, rate).rsample((20000,))
    gc, gr = ember.autograd.grad(s.mean(0).sum(), [conc, rate])
    np.testing.assert_allclose(gc.numpy(), 1 / rate.detach().numpy(), rtol=0.05)
    np.testing.assert_allclose(gr.numpy(), -(conc / rate ** 2).detach().numpy(), rtol=0.05)


def test_sample_has_no_history(rng):
    loc = E(rng.normal(size=3), grad=True)
    assert not ED.Normal(loc, 1.0).sample().requires_grad
    assert ED.Normal(loc, 1.0).rsample().requires_grad
    assert not ED.Gamma(E([1.0, 2.0], grad=True), 1.0).sample().requires_grad
