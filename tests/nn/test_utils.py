"""nn.utils against torch: gradient clipping, parameter/vector conversion, weight_norm and
spectral_norm (hook and parametrization forms), parametrize."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import ember

rng = np.random.default_rng(0)
U, TU = ember.nn.utils, torch.nn.utils


def _pair_params(nonfinite=False):
    arrs = [rng.standard_normal(s) for s in [(3, 4), (5,), (2, 2, 2)]]
    if nonfinite:
        arrs[1][2] = np.inf
    out = []
    for lib in (torch, ember):
        ps = [lib.nn.Parameter(lib.tensor(np.ones_like(a))) for a in arrs] + \
            [lib.nn.Parameter(lib.tensor(np.ones(2)))]          # no grad
        for p, a in zip(ps, arrs):
            p.grad = lib.tensor(a.copy())
        out.append(ps)
    return out


def _same_grads(tps, eps, rtol=1e-12):
    for t, e in zip(tps, eps):
        assert (t.grad is None) == (e.grad is None)
        if t.grad is not None:
            np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=rtol)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf", 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_(norm_type, max_norm):
    tps, eps = _pair_params()
    tn = TU.clip_grad_norm_(tps, max_norm, norm_type=norm_type)
    en = U.clip_grad_norm_(eps, max_norm, norm_type=norm_type, foreach=None)
    assert isinstance(en, ember.Tensor) and en.ndim == 0
    np.testing.assert_allclose(en.numpy(), tn.numpy(), rtol=1e-12)
    _same_grads(tps, eps)


def test_clip_grad_norm_single_tensor_generator_and_nonfinite():
    tps, eps = _pair_params()
    np.testing.assert_allclose(U.clip_grad_norm_(eps[0], 0.1).numpy(),
                               TU.clip_grad_norm_(tps[0], 0.1).numpy())
    _same_grads(tps, eps)
    with pytest.warns(UserWarning):
        assert float(U.clip_grad_norm_((p for p in []), 1.0).item()) == 0.0
    tps, eps = _pair_params(nonfinite=True)
    with pytest.raises(RuntimeError):
        TU.clip_grad_norm_(tps, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError):
        U.clip_grad_norm_(eps, 1.0, error_if_nonfinite=True)
    tn = TU.clip_grad_norm_(tps, 1.0)
    with np.errstate(invalid="ignore"):
        en = U.clip_grad_norm_(eps, 1.0)
    assert math.isinf(float(en.item())) and math.isinf(float(tn.item()))
    _same_grads(tps, eps)


def test_get_total_norm_and_clip_grads_with_norm_():
    tps, eps = _pair_params()
    tg = [p.grad for p in tps if p.grad is not None]
    eg = [p.grad for p in eps if p.grad is not None]
    tn = TU.get_total_norm(tg, 3.0)
    en = U.get_total_norm(eg, 3.0)
    np.testing.assert_allclose(en.numpy(), tn.numpy())
    TU.clip_grads_with_norm_(tps, 0.3, tn)
    U.clip_grads_with_norm_(eps, 0.3, en)
    _same_grads(tps, eps)


def test_clip_grad_value_():
    tps, eps = _pair_params()
    TU.clip_grad_value_(tps, 0.4)
    assert U.clip_grad_value_(eps, 0.4) is None
    _same_grads(tps, eps)
    grad_ref = eps[0].grad
    U.clip_grad_value_(eps[0], 0.1)      # in place, single tensor
    assert eps[0].grad is grad_ref and float(grad_ref.abs().max().item()) <= 0.1


def test_parameters_to_vector_and_back():
    t = torch.nn.Linear(3, 2).double()
    e = ember.nn.Linear(3, 2).double()
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    tv, ev = TU.parameters_to_vector(t.parameters()), U.parameters_to_vector(e.parameters())
    np.testing.assert_allclose(ev.detach().numpy(), tv.detach().numpy())
    ev.sum().backward()                               # differentiable, as torch
    new = rng.standard_normal(8)
    TU.vector_to_parameters(torch.tensor(new), t.parameters())
    U.vector_to_parameters(ember.tensor(new), e.parameters())
    for (n, tp), (_, ep) in zip(t.named_parameters(), e.named_parameters()):
        np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy())
    with pytest.raises(TypeError):
        TU.vector_to_parameters([1.0], t.parameters())
    with pytest.raises(TypeError):
        U.vector_to_parameters([1.0], e.parameters())


def _copy(t, e):
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})


def _check_step(t, e, x, train=True):
    """Forward, backward, compare output and gradients of every parameter, buffers."""
    t.train(train)
    e.train(train)
    to = t(torch.tensor(x))
    eo = e(ember.tensor(x))
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-9, atol=1e-12)
    w = rng.standard_normal(tuple(to.shape))
    (to * torch.tensor(w)).sum().backward()
    (eo * ember.tensor(w)).sum().backward()
    tp = dict(t.named_parameters())
    for n, p in e.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tp[n].grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=n)
    tb = dict(t.named_buffers())
    for n, b in e.named_buffers():
        np.testing.assert_allclose(b.numpy(), tb[n].numpy(), rtol=1e-9, atol=1e-12, err_msg=n)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_hook_style(dim):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        t = TU.weight_norm(torch.nn.Linear(4, 3).double(), dim=dim)
        e = U.weight_norm(ember.nn.Linear(4, 3).double(), dim=dim)
    assert list(e.state_dict()) == list(t.state_dict()) == ["bias", "weight_g", "weight_v"]
    _copy(t, e)
    _check_step(t, e, rng.standard_normal((5, 4)))
    TU.remove_weight_norm(t)
    U.remove_weight_norm(e)
    assert list(e.state_dict()) == list(t.state_dict())
    np.testing.assert_allclose(e.weight.detach().numpy(), t.weight.detach().numpy())
    with pytest.raises(ValueError):
        U.remove_weight_norm(e)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_parametrization(dim):
    t = TU.parametrizations.weight_norm(torch.nn.Linear(4, 3).double(), dim=dim)
    e = U.parametrizations.weight_norm(ember.nn.Linear(4, 3).double(), dim=dim)
    assert list(e.state_dict()) == list(t.state_dict())
    assert type(e).__name__ == type(t).__name__ == "ParametrizedLinear"
    _copy(t, e)
    _check_step(t, e, rng.standard_normal((5, 4)))
    # old-style checkpoints load through the compatibility hook
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = TU.weight_norm(torch.nn.Linear(4, 3).double(), dim=dim)
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in old.state_dict().items()})
    np.testing.assert_allclose(e.weight.detach().numpy(), old.weight.detach().numpy())
    ember.nn.utils.parametrize.remove_parametrizations(e, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(t, "weight")
    assert type(e) is ember.nn.Linear
    assert list(e.state_dict()) == list(t.state_dict())


@pytest.mark.parametrize("train", [True, False])
def test_spectral_norm_hook_style(train):
    t = TU.spectral_norm(torch.nn.Linear(5, 4).double())
    e = U.spectral_norm(ember.nn.Linear(5, 4).double())
    assert list(e.state_dict()) == list(t.state_dict()) == \
        ["bias", "weight_orig", "weight_u", "weight_v"]
    _copy(t, e)
    for _ in range(2):
        t.zero_grad()
        e.zero_grad()
        _check_step(t, e, rng.standard_normal((3, 5)), train=train)
    TU.remove_spectral_norm(t)
    U.remove_spectral_norm(e)
    assert list(e.state_dict()) == list(t.state_dict())
    np.testing.assert_allclose(e.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-9)


@pytest.mark.parametrize("train", [True, False])
def test_spectral_norm_parametrization(train):
    t = TU.parametrizations.spectral_norm(torch.nn.Linear(5, 4).double())
    e = U.parametrizations.spectral_norm(ember.nn.Linear(5, 4).double())
    assert list(e.state_dict()) == list(t.state_dict())
    _copy(t, e)
    for _ in range(2):
        t.zero_grad()
        e.zero_grad()
        _check_step(t, e, rng.standard_normal((3, 5)), train=train)


def test_parametrize_register_cached_remove():
    P = ember.nn.utils.parametrize

    class Symmetric(ember.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()

    m = ember.nn.Linear(3, 3)
    assert not P.is_parametrized(m)
    P.register_parametrization(m, "weight", Symmetric())
    assert P.is_parametrized(m) and P.is_parametrized(m, "weight")
    assert P.type_before_parametrizations(m) is ember.nn.Linear
    w = m.weight.detach().numpy()
    np.testing.assert_allclose(w, w.T)
    with P.cached():
        assert m.weight is m.weight
    assert m.weight is not m.weight
    a = ember.tensor(rng.standard_normal((3, 3))).float()
    s = a + a.t()
    m.weight = s                        # goes through right_inverse
    np.testing.assert_allclose(m.weight.detach().numpy(), s.numpy(), rtol=1e-6)
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    P.remove_parametrizations(m, "weight")
    assert type(m) is ember.nn.Linear and isinstance(m.weight, ember.nn.Parameter)
    with pytest.raises(ValueError):
        P.remove_parametrizations(m, "weight")
    with pytest.raises(ValueError):
        P.register_parametrization(m, "nothing", Symmetric())
