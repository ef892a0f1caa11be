"""User-defined ``ember.autograd.Function`` against the same Function written for torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def _functions(L):
    """The same custom Functions, written once against library ``L`` (ember or torch)."""
    Function = L.autograd.Function
    once_differentiable = L.autograd.function.once_differentiable

    class MulScale(Function):
        """Non-tensor argument, save_for_backward, needs_input_grad, None grads."""

        @staticmethod
        def forward(ctx, a, b, scale):
            ctx.save_for_backward(a, b)
            ctx.scale = scale
            return a * b * scale

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            ctx.needs = ctx.needs_input_grad
            ga = grad * b * ctx.scale if ctx.needs_input_grad[0] else None
            gb = grad * a * ctx.scale if ctx.needs_input_grad[1] else None
            return ga, gb, None

    class ExpSaveOutput(Function):
        """Saves its output: double backward goes through the saved output."""

        @staticmethod
        def forward(ctx, a):
            r = a.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, grad):
            r, = ctx.saved_tensors
            return grad * r

    class TwoOutputs(Function):
        """Multiple outputs; grads of unused outputs arrive as zeros (materialized)."""

        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * 2.0, a * a

        @staticmethod
        def backward(ctx, g1, g2):
            a, = ctx.saved_tensors
            ctx.got = (g1 is None, g2 is None)
            return g1 * 2.0 + g2 * 2.0 * a

    class TwoOutputsNoMaterialize(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.set_materialize_grads(False)
            ctx.save_for_backward(a)
            return a * 2.0, a * a

        @staticmethod
        def backward(ctx, g1, g2):
            a, = ctx.saved_tensors
            out = None
            if g1 is not None:
                out = g1 * 2.0
            if g2 is not None:
                out = g2 * 2.0 * a if out is None else out + g2 * 2.0 * a
            return out

    class WithIndex(Function):
        """mark_non_differentiable on an integer output."""

        @staticmethod
        def forward(ctx, a):
            idx = (a * 0.0).to(L.int64)
            ctx.mark_non_differentiable(idx)
            return a * 3.0, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            return g * 3.0

    class FloatNonDiff(Function):
        """mark_non_differentiable on a floating output."""

        @staticmethod
        def forward(ctx, a):
            mask = (a * 0.0) + 1.0
            ctx.mark_non_differentiable(mask)
            return a * 3.0, mask

        @staticmethod
        def backward(ctx, g, g_mask):
            return g * 3.0

    class AddOne_(Function):
        """In-place: mark_dirty."""

        @staticmethod
        def forward(ctx, a):
            a.add_(1.0)
            ctx.mark_dirty(a)
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad

    class ExpOnce(Function):
        @staticmethod
        def forward(ctx, a):
            r = a.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            r, = ctx.saved_tensors
            return grad * r

    class ReturnsNone(Function):
        """A backward that returns None for a tensor input: that input gets no gradient."""

        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    class KwargScale(Function):
        """Non-tensor positional arguments of several kinds."""

        @staticmethod
        def forward(ctx, a, factor, flag, name):
            ctx.factor = factor if flag else 1.0
            ctx.name = name
            return a * ctx.factor

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor, None, None, None

    class Bad(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1.0

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    return {k: v for k, v in locals().items() if isinstance(v, type)}


def _both(run):
    """Run ``run(L, F)`` for ember and torch; compare the nested results."""
    e = run(ember, _functions(ember))
    t = run(torch, _functions(torch))
    _assert_same(e, t)
    return e


def _assert_same(e, t):
    if isinstance(e, (tuple, list)):
        assert isinstance(t, (tuple, list)) and len(e) == len(t), (e, t)
        for a, b in zip(e, t):
            _assert_same(a, b)
    elif isinstance(e, ember.Tensor):
        assert isinstance(t, torch.Tensor)
        assert e.dtype.name == str(t.dtype).replace("torch.", "")
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6,
                                   atol=1e-7)
    else:
        assert e == t, (e, t)


def test_save_for_backward_needs_input_grad_and_non_tensor_args():
    def run(L, F):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = L.tensor([3.0, -4.0])
        y = F["MulScale"].apply(a, b, 0.5)
        node = y.grad_fn
        y.sum().backward()
        return y, a.grad, b.grad, node.needs, y.requires_grad
    _both(run)


def test_both_inputs_require_grad():
    def run(L, F):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = L.tensor([3.0, -4.0], requires_grad=True)
        y = F["MulScale"].apply(a, b, 2.0)
        (y * y).sum().backward()
        return a.grad, b.grad, y.grad_fn.needs
    _both(run)


def test_no_input_requires_grad_records_nothing():
    def run(L, F):
        y = F["MulScale"].apply(L.tensor([1.0]), L.tensor([2.0]), 3.0)
        return y, y.requires_grad, y.grad_fn is None
    _both(run)


def test_custom_function_under_no_grad_records_nothing():
    def run(L, F):
        a = L.tensor([1.0], requires_grad=True)
        with L.no_grad():
            y = F["ExpSaveOutput"].apply(a)
        return y, y.requires_grad
    _both(run)


def test_forward_runs_without_recording():
    def run(L, F):
        seen = []

        class Probe(L.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                inner = a * 2.0
                seen.append((L.is_grad_enabled(), inner.requires_grad))
                return inner

            @staticmethod
            def backward(ctx, grad):
                return grad * 2.0
        a = L.tensor([1.0, 2.0], requires_grad=True)
        Probe.apply(a).sum().backward()
        return seen, a.grad
    _both(run)


def test_custom_function_in_a_larger_graph():
    def run(L, F):
        a = L.tensor([0.5, -1.0, 2.0], requires_grad=True)
        h = F["ExpSaveOutput"].apply(a * 2.0)
        y = F["MulScale"].apply(h, a, 3.0)
        (y.sum() + h.mean()).backward()
        return y, a.grad
    _both(run)


def test_double_backward_through_custom_function():
    def run(L, F):
        a = L.tensor([0.5, -1.0], requires_grad=True)
        y = F["ExpSaveOutput"].apply(a * a)
        g, = L.autograd.grad(y.sum(), a, create_graph=True)
        gg, = L.autograd.grad(g.sum(), a)
        return g, gg
    _both(run)


def test_multiple_outputs_materialized_grads():
    def run(L, F):
        a = L.tensor([1.0, 3.0], requires_grad=True)
        y1, y2 = F["TwoOutputs"].apply(a)
        node = y1.grad_fn
        y2.sum().backward()      # y1 unused: its grad arrives as zeros
        return y1, y2, a.grad, node.got, y1.grad_fn is y2.grad_fn
    _both(run)


def test_multiple_outputs_without_materialize_grads():
    def run(L, F):
        a = L.tensor([1.0, 3.0], requires_grad=True)
        y1, y2 = F["TwoOutputsNoMaterialize"].apply(a)
        y2.sum().backward()
        g2 = a.grad.clone()
        a.grad = None
        y1, y2 = F["TwoOutputsNoMaterialize"].apply(a)
        (y1 * y2).sum().backward()
        return g2, a.grad
    _both(run)


def test_mark_non_differentiable():
    def run(L, F):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        y, idx = F["WithIndex"].apply(a)
        z, mask = F["FloatNonDiff"].apply(a)
        (y.sum() + (z * mask).sum()).backward()
        return a.grad, idx.requires_grad, mask.requires_grad, y.requires_grad, idx.dtype == L.int64
    _both(run)


def test_mark_dirty():
    def run(L, F):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1.0
        v = b._version
        c = F["AddOne_"].apply(b)
        (c * c).sum().backward()
        return a.grad, c is b, b._version > v, c
    _both(run)


@pytest.mark.parametrize("L", [ember, torch], ids=["ember", "torch"])
def test_mark_dirty_on_leaf_requiring_grad_raises(L):
    F = _functions(L)
    a = L.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F["AddOne_"].apply(a)


def test_once_differentiable_first_order():
    def run(L, F):
        a = L.tensor([0.5, 1.5], requires_grad=True)
        y = F["ExpOnce"].apply(a)
        y.sum().backward()
        g, = L.autograd.grad(F["ExpOnce"].apply(a).sum(), a, create_graph=True)
        return a.grad, g.requires_grad
    _both(run)


@pytest.mark.parametrize("L", [ember, torch], ids=["ember", "torch"])
def test_once_differentiable_double_backward_raises(L):
    F = _functions(L)
    a = L.tensor([0.5, 1.5], requires_grad=True)
    y = F["ExpOnce"].apply(a * 2.0)
    g, = L.autograd.grad(y.sum(), a, create_graph=True)
    with pytest.raises(RuntimeError):
        g.sum().backward()


def test_backward_returning_none_grads():
    def run(L, F):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = L.tensor([3.0, 4.0], requires_grad=True)
        F["ReturnsNone"].apply(a, b).sum().backward()
        return a.grad, b.grad
    _both(run)


def test_non_tensor_arguments_of_several_kinds():
    def run(L, F):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        y = F["KwargScale"].apply(a, 4.0, True, "scale")
        y.sum().backward()
        return y, a.grad, y.grad_fn.name
    e = run(ember, _functions(ember))
    t = run(torch, _functions(torch))
    _assert_same(e, t)


@pytest.mark.parametrize("L", [ember, torch], ids=["ember", "torch"])
def test_wrong_number_of_grads_raises(L):
    F = _functions(L)
    a = L.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        F["Bad"].apply(a).sum().backward()


def test_custom_functions_pass_gradcheck():
    F = _functions(ember)
    a = ember.tensor([0.5, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    b = ember.tensor([1.5, 0.25, -0.75], dtype=ember.float64, requires_grad=True)
    gc = ember.autograd.gradcheck
    assert gc(lambda x, y: F["MulScale"].apply(x, y, 1.5), (a, b))
    assert gc(lambda x: F["ExpSaveOutput"].apply(x), (a,))
    assert gc(lambda x: F["TwoOutputs"].apply(x), (a,))
    assert ember.autograd.gradgradcheck(lambda x: F["ExpSaveOutput"].apply(x * x), (a,))


def test_ctx_and_function_exports():
    assert issubclass(ember.autograd.Function, ember.autograd.FunctionCtx)
    assert ember.autograd.once_differentiable is ember.autograd.function.once_differentiable
    assert ember.autograd.Variable is ember.Tensor


def test_custom_function_node_name():
    def run(L, F):
        a = L.tensor([1.0], requires_grad=True)
        return F["ExpSaveOutput"].apply(a).grad_fn.name()
    _both(run)


def test_saved_tensors_after_backward_raise():
    for L in (ember, torch):
        F = _functions(L)
        a = L.tensor([1.0], requires_grad=True)
        y = F["ExpSaveOutput"].apply(a)
        y.sum().backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.grad_fn.saved_tensors
