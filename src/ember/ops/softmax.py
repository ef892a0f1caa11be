"""The softmax family: softmax, log_softmax, softmin, gumbel_softmax (shared with the
cross-entropy losses).

Softmax and LogSoftmax are fused Functions on backend arrays (max-shifted, float16 computed in
float32); their backwards are written with differentiable operations, so double backward is
free.
"""
from __future__ import annotations

import warnings

from .. import dtypes as _dt
from ..autograd.function import Function
from ._util import type_name, wrap_dim

__all__ = ["softmin", "softmax", "log_softmax", "gumbel_softmax"]


# ---------------------------------------------------------------- softmax family
def _work(x):
    """float16 computes in float32."""
    return x.astype(_dt.float32.np) if x.dtype == _dt.float16.np else x


def _row_sums(xp, e, axis):
    """``e.sum(axis, keepdims=True)``; along the last axis of a contiguous array as einsum's
    row sums (3x faster than NumPy's reduction there)."""
    if (axis == e.ndim - 1 or axis == -1) and e.flags.c_contiguous:
        return xp.einsum("...i->...", e)[..., None]
    return e.sum(axis=axis, keepdims=True)


def _softmax_arr(xp, x, axis):
    m = x.max(axis=axis, keepdims=True)
    e = xp.subtract(x, m)
    xp.exp(e, out=e)
    s = _row_sums(xp, e, axis)
    e *= xp.divide(1, s, out=s)   # one reciprocal per row, then products (as torch does)
    return e


def _log_softmax_arr(xp, x, axis):
    m = x.max(axis=axis, keepdims=True)
    y = xp.subtract(x, m)
    s = _row_sums(xp, xp.exp(y), axis)
    y -= xp.log(s, out=s)
    return y


class Softmax(Function):
    """``exp(x - max) / sum(exp(x - max))`` along ``dim``; backward ``y * (g - sum(g * y))``."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        if x.size == 0:
            y = x.copy()
        elif x.ndim == 0:
            y = ctx.xp.ones_like(x)
        else:
            y = _softmax_arr(ctx.xp, _work(x), dim).astype(x.dtype, copy=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        if y.ndim == 0:
            return g * 0, None
        if ctx.create_graph:
            gy = g * y
            return gy - y * gy.sum(axis=ctx.dim, keepdims=True), None
        xp = ctx.xp
        if ctx.dim == y.ndim - 1 and g.shape == y.shape:
            s = xp.einsum("...i,...i->...", g, y)[..., None]
        else:
            s = (g * y).sum(axis=ctx.dim, keepdims=True)
        out = g - s
        out *= y
        return out, None


class LogSoftmax(Function):
    """``x - max - log(sum(exp(x - max)))`` along ``dim``; backward ``g - exp(y) * sum(g)``."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        if x.size == 0:
            y = x.copy()
        elif x.ndim == 0:
            y = ctx.xp.zeros_like(x)
        else:
            y = _log_softmax_arr(ctx.xp, _work(x), dim).astype(x.dtype, copy=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        if y.ndim == 0:
            return g * 0, None
        xp = ctx.xp
        if ctx.create_graph:
            return g - xp.exp(y) * g.sum(axis=ctx.dim, keepdims=True), None
        p = xp.exp(y)
        p *= _row_sums(xp, g, ctx.dim)
        return g - p, None


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input, dtype, kernel):
    if dtype is not None:
        return input.to(dtype)
    if input.dtype.is_floating_point is False:
        raise RuntimeError(f'"{kernel}" not implemented for \'{type_name(input._data.dtype)}\'')
    return input


def _apply_softmax(cls, input, dim, dtype, kernel):
    input = _softmax_input(input, dtype, kernel)
    return cls.apply(input, wrap_dim(dim, input.ndim))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Apply a softmax function: :math:`\\text{Softmax}(x_{i}) = \\frac{\\exp(x_i)}{\\sum_j
    \\exp(x_j)}` along ``dim``; ``dtype``, if given, is the dtype the input is cast to before
    the operation (useful to prevent overflows)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel + 1)
    return _apply_softmax(Softmax, input, dim, dtype, "softmax_lastdim_kernel_impl")


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Apply a softmax followed by a logarithm, along ``dim``: mathematically equivalent to
    ``log(softmax(x))``, but faster and numerically more stable."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel + 1)
    return _apply_softmax(LogSoftmax, input, dim, dtype, "log_softmax_lastdim_kernel_impl")


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """Apply a softmin function: :math:`\\text{Softmin}(x) = \\text{Softmax}(-x)` along
    ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel + 1)
    return _apply_softmax(Softmax, -input, dim, dtype, "softmax_lastdim_kernel_impl")


def _softmax_top(input, dim, dtype=None):
    """Alias for :func:`ember.nn.functional.softmax` (``torch.softmax(input, dim, dtype)``)."""
    return _apply_softmax(Softmax, input, dim, dtype, "softmax_lastdim_kernel_impl")


def _log_softmax_top(input, dim, dtype=None):
    """Alias for :func:`ember.nn.functional.log_softmax`."""
    return _apply_softmax(LogSoftmax, input, dim, dtype, "log_softmax_lastdim_kernel_impl")


_softmax_top.__name__ = _softmax_top.__qualname__ = "softmax"
_log_softmax_top.__name__ = _log_softmax_top.__qualname__ = "log_softmax"


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Sample from the Gumbel-Softmax distribution and optionally discretize: returns a tensor
    of the same shape as ``logits`` sampled from it; with ``hard=True`` the returned samples
    are one-hot, their gradient the soft sample's (straight-through)."""
    from .creation import empty_like, zeros_like
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -empty_like(logits).exponential_().log()
    gumbels = (logits + gumbels) / tau
    y_soft = _softmax_top(gumbels, dim)
    if hard:
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return y_soft


# ---------------------------------------------------------------- Tensor methods
def _method_softmax(self, dim, dtype=None):
    return _softmax_top(self, dim, dtype)


def _method_log_softmax(self, dim, dtype=None):
    return _log_softmax_top(self, dim, dtype)


_method_softmax.__name__ = "softmax"
_method_log_softmax.__name__ = "log_softmax"

TENSOR_METHODS = {"softmax": _method_softmax, "log_softmax": _method_log_softmax}
