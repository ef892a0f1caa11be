"""gradcheck / gradgradcheck: the same checks pass and fail as with torch's."""
from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.autograd.gradcheck import GradcheckError

RNG = np.random.default_rng(1)
A = RNG.uniform(0.5, 1.5, (2, 3))
B = RNG.uniform(-1.0, 1.0, (3,))
LIBS = pytest.mark.parametrize("L", [ember, torch], ids=["ember", "torch"])
FAST = pytest.mark.parametrize("fast_mode", [False, True], ids=["slow", "fast"])


def _t(L, a, requires_grad=True, dtype=None):
    return L.tensor(a, dtype=dtype or L.float64, requires_grad=requires_grad)


def _wrong_grad(L):
    """exp with a backward that is off by 10%."""
    class BadExp(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):
            r, = ctx.saved_tensors
            return g * r * 1.1
    return BadExp


def _ignores_grad_output(L):
    """A backward that ignores grad_output (always returns the local derivative)."""
    class NoChain(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2.0

        @staticmethod
        def backward(ctx, g):
            return g * 0.0 + 2.0
    return NoChain


def _funcs(L):
    return {
        "elementwise": (lambda x, y: (x * y).exp() / (x + 2.0), (A, B)),
        "reduction": (lambda x, y: (L.matmul(x, y) * x.sum(1)).relu().mean(), (A, B)),
        "two_outputs": (lambda x, y: (x.log() * y, (x * x).sum(0) - y), (A, B)),
        "movement": (lambda x, y: x.permute(1, 0).reshape(2, 3) * y.reshape(1, 3), (A, B)),
    }


@LIBS
@FAST
@pytest.mark.parametrize("name", ["elementwise", "reduction", "two_outputs", "movement"])
def test_gradcheck_passes_on_correct_gradients(L, name, fast_mode):
    fn, arrays = _funcs(L)[name]
    inputs = tuple(_t(L, a) for a in arrays)
    assert L.autograd.gradcheck(fn, inputs, fast_mode=fast_mode) is True


@LIBS
@FAST
def test_gradcheck_detects_wrong_gradient(L, fast_mode):
    bad = _wrong_grad(L)
    x = _t(L, A)
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to "
                       "input 0"):
        L.autograd.gradcheck(bad.apply, (x,), fast_mode=fast_mode)
    assert L.autograd.gradcheck(bad.apply, (x,), raise_exception=False,
                                fast_mode=fast_mode) is False


def test_gradcheck_error_type_and_message():
    torch_error = sys.modules["torch.autograd.gradcheck"].GradcheckError
    assert sys.modules["ember.autograd.gradcheck"].GradcheckError is GradcheckError
    messages = []
    for L, error in ((ember, GradcheckError), (torch, torch_error)):
        with pytest.raises(error) as info:
            L.autograd.gradcheck(_wrong_grad(L).apply, (_t(L, A),))
        assert isinstance(info.value, RuntimeError)
        messages.append(str(info.value).split("\n")[0])
    assert messages[0] == messages[1]
    assert "numerical:" in str(info.value) and "analytical:" in str(info.value)


@LIBS
def test_gradcheck_names_the_failing_input_and_output(L):
    bad = _wrong_grad(L)

    def fn(x, y):
        return x * 2.0, bad.apply(y)
    with pytest.raises(RuntimeError, match="output 1 with respect to input 1"):
        L.autograd.gradcheck(fn, (_t(L, A), _t(L, B)))


@LIBS
def test_gradcheck_detects_backward_not_multiplied_by_grad_output(L):
    with pytest.raises(RuntimeError, match="backward not multiplied by grad_output|Jacobian"):
        L.autograd.gradcheck(_ignores_grad_output(L).apply, (_t(L, B),),
                             check_undefined_grad=False)


@LIBS
def test_gradcheck_tolerances(L):
    # a gradient 1e-4 off passes with a loose atol and fails with a tight one
    class Off(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3.0

        @staticmethod
        def backward(ctx, g):
            return g * 3.0 + 1e-4 * g
    x = _t(L, B)
    assert L.autograd.gradcheck(Off.apply, (x,), atol=1e-3, rtol=0.0)
    assert not L.autograd.gradcheck(Off.apply, (x,), atol=1e-6, rtol=0.0,
                                    raise_exception=False)
    assert L.autograd.gradcheck(Off.apply, (x,), atol=0.0, rtol=1e-3)


@LIBS
def test_gradcheck_with_non_tensor_and_constant_inputs(L):
    c = _t(L, B, requires_grad=False)
    assert L.autograd.gradcheck(lambda x, k, y: (x * y * k).exp(), (_t(L, B), 0.5, c))


@LIBS
def test_gradcheck_without_differentiable_input_raises(L):
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        L.autograd.gradcheck(lambda x: x * 2.0, (_t(L, B, requires_grad=False),))


@LIBS
def test_gradcheck_warns_on_single_precision(L):
    x = _t(L, B, dtype=L.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        L.autograd.gradcheck(lambda t: t * 2.0, (x,), eps=1e-2, atol=1e-2,
                             raise_exception=False)
    assert any("not a double precision" in str(w.message) for w in caught)


@LIBS
def test_gradcheck_rejects_stride_zero_inputs(L):
    x = _t(L, [1.0], requires_grad=False).expand(3).detach().requires_grad_()
    with pytest.raises(RuntimeError, match="stride 0"):
        L.autograd.gradcheck(lambda t: t * 2.0, (x,))


@LIBS
def test_gradcheck_output_not_requiring_grad(L):
    # no differentiable output: the numerical gradient must be zero
    assert L.autograd.gradcheck(lambda x: x.detach() * 0.0 + 1.0, (_t(L, B),))
    with pytest.raises(RuntimeError, match="Numerical gradient for function expected to be "
                       "zero"):
        L.autograd.gradcheck(lambda x: x.detach() * 2.0, (_t(L, B),))


@LIBS
def test_gradcheck_leaves_inputs_unchanged(L):
    x = _t(L, A)
    before = x.detach().clone()
    L.autograd.gradcheck(lambda t: t.exp(), (x,))
    assert np.array_equal(x.detach().numpy(), before.numpy())
    assert x._version == 0


@LIBS
@FAST
@pytest.mark.parametrize("name", ["elementwise", "reduction", "two_outputs"])
def test_gradgradcheck_passes(L, name, fast_mode):
    fn, arrays = _funcs(L)[name]
    inputs = tuple(_t(L, a) for a in arrays)
    assert L.autograd.gradgradcheck(fn, inputs, fast_mode=fast_mode) is True


@LIBS
def test_gradgradcheck_with_given_and_non_contiguous_grad_outputs(L):
    fn = lambda x: (x * x * x).sum(1)  # noqa: E731
    x = _t(L, A)
    go = _t(L, [0.5, -2.0])
    assert L.autograd.gradgradcheck(fn, (x,), (go,))
    assert L.autograd.gradgradcheck(lambda t: t * t * t, (x,), gen_non_contig_grad_outputs=True)


@LIBS
def test_gradgradcheck_detects_wrong_double_backward(L):
    class BadSquare(L.autograd.Function):
        """Correct first derivative 2x, written so that its own derivative is wrong."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 2.0 * x.detach()   # detached: the second derivative is lost
    x = _t(L, B)
    assert L.autograd.gradcheck(BadSquare.apply, (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        L.autograd.gradgradcheck(BadSquare.apply, (x,))


def test_gradcheck_forward_ad_not_supported():
    with pytest.raises(NotImplementedError, match="forward-mode"):
        ember.autograd.gradcheck(lambda t: t * 2.0, (_t(ember, B),), check_forward_ad=True)


@LIBS
@FAST
def test_gradcheck_non_contiguous_and_empty_inputs(L, fast_mode):
    nc = L.tensor(np.ascontiguousarray(A.T)).transpose(0, 1).detach().requires_grad_()
    assert not nc.is_contiguous()
    w = _t(L, B)
    empty = L.zeros((0, 3), dtype=L.float64, requires_grad=True)
    assert L.autograd.gradcheck(lambda x, y: (x * y).exp().sum(0), (nc, w), fast_mode=fast_mode)
    assert L.autograd.gradcheck(lambda e, y: ((e * y).sum() + y).exp(), (empty, w),
                                fast_mode=fast_mode)
