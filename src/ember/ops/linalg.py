"""Linear algebra: matmul and its family, einsum, and ``ember.linalg``'s decompositions."""
from __future__ import annotations

from ..autograd.function import Function
from ._util import promote

__all__ = ["matmul"]


def _mT(x):
    return x.swapaxes(-1, -2)


class Matmul(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                               f"{a.ndim}D and {b.ndim}D")
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        xp = ctx.xp
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            return (g * b if need_a else None), (g * a if need_b else None)
        if a.ndim == 1:
            # (k) @ (..., k, n) -> (..., n)
            if need_a:
                ga = xp.matmul(b, g.reshape(g.shape + (1,))).reshape(b.shape[:-2] + (b.shape[-2],))
            if need_b:
                gb = a.reshape((a.shape[0], 1)) * g.reshape(g.shape[:-1] + (1, g.shape[-1]))
            return ga, gb
        if b.ndim == 1:
            # (..., m, k) @ (k) -> (..., m)
            if need_a:
                ga = g.reshape(g.shape + (1,)) * b
            if need_b:
                gb = xp.matmul(_mT(a), g.reshape(g.shape + (1,))).reshape(a.shape[:-2] + (a.shape[-1],))
            return ga, gb
        if need_a:
            ga = xp.matmul(g, _mT(b))
        if need_b:
            gb = xp.matmul(_mT(a), g)
        return ga, gb


def matmul(input, other, *, out=None):
    """Matrix product of two tensors, with torch.matmul's batching and broadcasting rules."""
    return Matmul.apply(input, other)


TENSOR_METHODS = {"matmul": matmul, "__matmul__": matmul,
                  "__rmatmul__": lambda self, other: matmul(other, self)}
