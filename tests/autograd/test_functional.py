"""ember.autograd.functional against torch.autograd.functional."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember.autograd.functional as EF
import torch.autograd.functional as TF

RNG = np.random.default_rng(0)
X = RNG.uniform(0.5, 1.5, (2, 3))
Y = RNG.uniform(-1.0, 1.0, (3,))
S = RNG.uniform(-1.0, 1.0, (4,))


def _lib(F):
    return ember if F is EF else torch


def _t(L, a, **kw):
    return L.tensor(a, dtype=L.float64, **kw)


def _assert_same(e, t, rtol=1e-10):
    if isinstance(e, (tuple, list)):
        assert type(e) is type(t) and len(e) == len(t), (e, t)
        for a, b in zip(e, t):
            _assert_same(a, b, rtol)
        return
    assert isinstance(e, ember.Tensor) and isinstance(t, torch.Tensor), (e, t)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    assert e.requires_grad == t.requires_grad
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=1e-12)


def _both(run):
    e, t = run(EF), run(TF)
    _assert_same(e, t)
    return e


# functions written once over a library L
def f_single(L, x):                        # R^(2x3) -> R^(3)
    return (x.exp() * x).sum(0)


def f_pair(L, x, y):                       # (2x3, 3) -> (2x3, scalar)
    return x * y, (x.log() * y).sum()


def f_scalar(L, s):                        # R^4 -> scalar
    return (s * s * s).sum() + (s.exp() * s).mean()


def f_scalar2(L, x, y):                    # (2x3, 3) -> scalar
    return (L.matmul(x * x, y) * x.sum(1)).sum()


def test_jacobian_single_input_output():
    _both(lambda F: F.jacobian(lambda x: f_single(_lib(F), x), _t(_lib(F), X)))


def test_jacobian_tuple_inputs_and_outputs():
    def run(F):
        L = _lib(F)
        return F.jacobian(lambda x, y: f_pair(L, x, y), (_t(L, X), _t(L, Y)))
    jac = _both(run)
    assert [[tuple(j.shape) for j in row] for row in jac] == \
        [[(2, 3, 2, 3), (2, 3, 3)], [(2, 3), (3,)]]


def test_jacobian_tuple_input_single_output():
    def run(F):
        L = _lib(F)
        return F.jacobian(lambda x, y: f_scalar2(L, x, y), (_t(L, X), _t(L, Y)))
    _both(run)


def test_jacobian_single_input_tuple_output():
    def run(F):
        L = _lib(F)
        return F.jacobian(lambda x: (x * 2.0, x.exp().sum()), _t(L, Y))
    _both(run)


def test_jacobian_of_independent_output_is_zero():
    def run(F):
        L = _lib(F)
        c = _t(L, Y)
        return F.jacobian(lambda x, y: x * 2.0, (_t(L, Y), c))
    _both(run)


def test_jacobian_create_graph_is_differentiable():
    def run(F):
        L = _lib(F)
        x = _t(L, Y, requires_grad=True)
        jac = F.jacobian(lambda t: t.exp() * t, x, create_graph=True)
        g, = L.autograd.grad(jac.sum(), x)
        return jac, g
    _both(run)


def test_jacobian_vectorize_and_forward_mode_give_the_same_values():
    def run(F):
        L = _lib(F)
        args = (_t(L, X), _t(L, Y))
        fn = lambda x, y: f_pair(L, x, y)  # noqa: E731
        return (F.jacobian(fn, args, vectorize=True),
                F.jacobian(fn, args, vectorize=True, strategy="forward-mode"))
    _both(run)


def test_jacobian_strict_raises_for_independent_output():
    for F in (EF, TF):
        L = _lib(F)
        with pytest.raises(RuntimeError, match="independent of input 1"):
            F.jacobian(lambda x, y: x * 2.0, (_t(L, Y), _t(L, Y)), strict=True)
        with pytest.raises(RuntimeError, match="does not require gradients"):
            F.jacobian(lambda x: _t(L, Y), _t(L, Y), strict=True)


def test_jacobian_argument_errors():
    for F in (EF, TF):
        L = _lib(F)
        with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
            F.jacobian(lambda x: x, [1.0, 2.0])
        with pytest.raises(AssertionError):
            F.jacobian(lambda x: x, _t(L, Y), strategy="sideways")
        with pytest.raises(NotImplementedError):
            F.jacobian(lambda x: x, _t(L, Y), strategy="forward-mode")
        with pytest.raises(RuntimeError, match="strict=True"):
            F.jacobian(lambda x: x * 1.0, _t(L, Y), strict=True, vectorize=True)


def test_jacobian_keeps_inputs_untouched():
    for F in (EF, TF):
        L = _lib(F)
        x = _t(L, Y)
        F.jacobian(lambda t: t * t, x)
        assert not x.requires_grad and x.grad is None


def test_hessian_single_input():
    _both(lambda F: F.hessian(lambda s: f_scalar(_lib(F), s), _t(_lib(F), S)))


def test_hessian_tuple_inputs():
    def run(F):
        L = _lib(F)
        return F.hessian(lambda x, y: f_scalar2(L, x, y), (_t(L, X), _t(L, Y)))
    h = _both(run)
    assert [[tuple(j.shape) for j in row] for row in h] == \
        [[(2, 3, 2, 3), (2, 3, 3)], [(3, 2, 3), (3, 3)]]


def test_hessian_create_graph():
    def run(F):
        L = _lib(F)
        s = _t(L, S, requires_grad=True)
        h = F.hessian(lambda t: f_scalar(L, t), s, create_graph=True)
        g, = L.autograd.grad(h.sum(), s)
        return h, g
    _both(run)


def test_hessian_of_non_scalar_function_raises():
    for F in (EF, TF):
        L = _lib(F)
        with pytest.raises(RuntimeError, match="should contain a single element"):
            F.hessian(lambda t: t * t, _t(L, S))


def test_vjp():
    def run(F):
        L = _lib(F)
        v = (_t(L, X * 0.5), _t(L, 2.0))
        return F.vjp(lambda x, y: f_pair(L, x, y), (_t(L, X), _t(L, Y)), v)
    _both(run)


def test_vjp_scalar_output_default_v_and_create_graph():
    def run(F):
        L = _lib(F)
        s = _t(L, S, requires_grad=True)
        out, g = F.vjp(lambda t: f_scalar(L, t), s, create_graph=True)
        gg, = L.autograd.grad(g.sum(), s)
        return out, g, gg
    _both(run)


def test_vjp_v_errors():
    for F in (EF, TF):
        L = _lib(F)
        with pytest.raises(RuntimeError, match="v can only be None"):
            F.vjp(lambda t: t * 2.0, _t(L, Y))
        with pytest.raises(RuntimeError, match="v has invalid size"):
            F.vjp(lambda t: t * 2.0, _t(L, Y), _t(L, S))


def test_jvp():
    def run(F):
        L = _lib(F)
        v = (_t(L, X * 0.5), _t(L, Y * 2.0))
        return F.jvp(lambda x, y: f_pair(L, x, y), (_t(L, X), _t(L, Y)), v)
    _both(run)


def test_jvp_single_and_create_graph():
    def run(F):
        L = _lib(F)
        x = _t(L, Y, requires_grad=True)
        out, jv = F.jvp(lambda t: (t.exp() * t).sum(0), x, _t(L, S[:3]), create_graph=True)
        g, = L.autograd.grad(jv, x)
        return out, jv, g
    _both(run)


def test_jvp_strict_independent_output_raises():
    for F in (EF, TF):
        L = _lib(F)
        with pytest.raises(RuntimeError, match="independent of"):
            F.jvp(lambda x, y: x * 2.0, (_t(L, Y), _t(L, Y)), (_t(L, Y), _t(L, Y)),
                  strict=True)
        out, jv = F.jvp(lambda x: _t(L, Y) * 1.0, _t(L, Y), _t(L, Y))
        assert np.all(jv.numpy() == 0)


def test_hvp_and_vhp():
    def run(F):
        L = _lib(F)
        inputs = (_t(L, X), _t(L, Y))
        v = (_t(L, X[::-1].copy()), _t(L, Y * 3.0))
        fn = lambda x, y: f_scalar2(L, x, y)  # noqa: E731
        return F.hvp(fn, inputs, v), F.vhp(fn, inputs, v)
    _both(run)


def test_hvp_vhp_single_input_create_graph():
    def run(F):
        L = _lib(F)
        s = _t(L, S, requires_grad=True)
        v = _t(L, S[::-1].copy())
        out, hv = F.hvp(lambda t: f_scalar(L, t), s, v, create_graph=True)
        _, vh = F.vhp(lambda t: f_scalar(L, t), s, v, create_graph=True)
        g, = L.autograd.grad((hv * vh).sum(), s)
        return out, hv, vh, g
    _both(run)


def test_hvp_of_linear_function_is_zero():
    def run(F):
        L = _lib(F)
        return F.hvp(lambda t: (t * 2.0).sum(), _t(L, S), _t(L, S))
    _both(run)


def test_results_do_not_require_grad_without_create_graph():
    x = ember.tensor(Y, requires_grad=True)
    out, g = EF.vjp(lambda t: (t * t).sum(), x)
    assert not out.requires_grad and not g.requires_grad
    assert not EF.jacobian(lambda t: t * t, x).requires_grad
