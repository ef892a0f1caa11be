"""lgamma, digamma, polygamma, gammainc and the reparameterisation gradients of Gamma and
Dirichlet samples against torch's kernels."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.distributions import _special as S
from .cases import E, T, close


def _points(rng):
    return np.concatenate([rng.uniform(-30, 30, 300), rng.uniform(1e-3, 3, 300),
                           rng.exponential(40, 100), 2 - rng.uniform(0, 1e-3, 5),
                           [1e-8, 0.5, 1.0, 2.0, 3.0, 10.0, 13.0, 1e3, 1e9, -0.5, -35.7, -60.2]])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_lgamma_digamma_values(dtype, rng):
    x = _points(rng)
    x = x[(np.abs(x - np.round(x)) > 1e-6) | (x > 0)] if dtype == "float64" else x[x > 0.05]
    close(S.lgamma(E(x, dtype)), torch.lgamma(T(x, dtype)), dtype, atol=1e-12 if
          dtype == "float64" else 1e-5)
    xd = x[np.abs(x - 1.4616321449683623) > 1e-2]  # away from digamma's positive root
    close(S.digamma(E(xd, dtype)), torch.digamma(T(xd, dtype)), dtype,
          rtol=1e-7 if dtype == "float64" else 1e-4)


def test_special_edge_values():
    x = np.array([0.0, -0.0, -1.0, -2.0, np.inf, -np.inf, np.nan])
    close(S.lgamma(E(x)), torch.lgamma(T(x)))
    close(S.digamma(E(x)), torch.digamma(T(x)))
    close(S.lgamma(E([1, 2, 5])), torch.lgamma(T([1, 2, 5]).double()))


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_polygamma_values(n, rng):
    x = np.concatenate([rng.uniform(0.01, 20, 200), rng.uniform(-8, -0.01, 50)])
    x = x[np.abs(x - np.round(x)) > 1e-3]
    close(S.polygamma(n, E(x)), torch.polygamma(n, T(x)), rtol=1e-9)


def test_gradients_and_double_backward(rng):
    x = rng.uniform(0.2, 8, 20)
    for fe, ft in [(S.lgamma, torch.lgamma), (S.digamma, torch.digamma),
                   (lambda a: S.polygamma(2, a), lambda a: torch.polygamma(2, a))]:
        xe, xt = E(x, grad=True), T(x, grad=True)
        ge, = ember.autograd.grad(fe(xe).sum(), [xe], create_graph=True)
        gt, = torch.autograd.grad(ft(xt).sum(), [xt], create_graph=True)
        close(ge, gt, rtol=1e-9)
        hh_e, = ember.autograd.grad(ge.sum(), [xe])
        hh_t, = torch.autograd.grad(gt.sum(), [xt])
        close(hh_e, hh_t, rtol=1e-9)
    assert ember.autograd.gradcheck(S.lgamma, (E(x[:4], grad=True),))
    assert ember.autograd.gradcheck(S.digamma, (E(x[:4], grad=True),))


def test_gammainc(rng):
    a = np.concatenate([rng.uniform(0.05, 15, 300), [0.5, 3.0, 1.0]])
    x = np.concatenate([rng.exponential(5, 300), [0.0, np.inf, 1e-5]])
    # torch's kernel uses an asymptotic expansion near a = x for large a, good to ~1e-9
    close(S.gammainc(E(a), E(x)), torch.special.gammainc(T(a), T(x)), rtol=1e-8, atol=1e-12)
    ae, xe = E(a[:20]), E(x[:20] + 0.1, grad=True)
    xt = T(x[:20] + 0.1, grad=True)
    S.gammainc(ae, xe).sum().backward()
    torch.special.gammainc(T(a[:20]), xt).sum().backward()
    close(xe.grad, xt.grad)
    ae = E(a[:3], grad=True)
    with pytest.raises(RuntimeError):
        S.gammainc(ae, E(x[:3])).sum().backward()


def test_standard_gamma_grad_matches_torch(rng):
    # every branch: x < 0.8 (series), alpha > 8 near and far from the mode, and the rest
    alpha = np.concatenate([rng.uniform(0.05, 3, 400), rng.uniform(3, 8, 300),
                            rng.uniform(8, 200, 300)])
    x = np.maximum(rng.gamma(alpha), 1e-30)
    ours = S.standard_gamma_grad(alpha, x)
    theirs = torch._standard_gamma_grad(T(alpha), T(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-300)


def test_dirichlet_grad_matches_torch(rng):
    alpha = np.concatenate([rng.uniform(0.05, 3, 300), rng.uniform(6.5, 60, 300),
                            rng.uniform(0.5, 20, 300)])
    beta = np.concatenate([rng.uniform(0.05, 3, 300), rng.uniform(6.5, 60, 300),
                           rng.uniform(0.5, 20, 300)])
    x = np.clip(rng.beta(alpha, beta), 1e-12, 1 - 1e-12)
    total = alpha + beta
    ours = S.dirichlet_grad(x, alpha, total)
    theirs = torch._dirichlet_grad(T(x), T(alpha), T(total)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-300)
