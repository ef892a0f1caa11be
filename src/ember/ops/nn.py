"""Fused neural-network kernels: one forward and one backward on backend arrays for what
would otherwise be a chain of small ops (linear, softmax/cross-entropy, normalisation, ...)."""
from __future__ import annotations

from ..autograd.function import Function

__all__ = ["linear"]


class Linear(Function):
    """``y = x @ W.T + b`` as one node (the matmul chain of every MLP)."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = gw = gb = None
        if need_x:
            gx = g @ weight
        if need_w or need_b:
            g2 = g.reshape((-1, g.shape[-1])) if g.ndim != 2 else g
            if need_w:
                x2 = x.reshape((-1, x.shape[-1])) if x.ndim != 2 else x
                gw = g2.T @ x2
            if need_b:
                gb = g2.sum(0)
        return gx, gw, gb


def linear(input, weight, bias=None):
    """Applies a linear transformation to the incoming data: :math:`y = xA^T + b`."""
    if input.ndim == 0 or weight.ndim not in (1, 2):
        from .linalg import matmul
        out = matmul(input, weight.t() if weight.ndim == 2 else weight)
        return out if bias is None else out + bias
    if input._data.shape[-1] != weight._data.shape[-1]:
        rows = input._data.size // max(input._data.shape[-1], 1)
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x"
                           f"{input._data.shape[-1]} and {weight._data.shape[-1]}x"
                           f"{weight._data.shape[0] if weight.ndim == 2 else 1})")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{input.dtype.name.capitalize()} and "
                           f"{weight.dtype.name.capitalize()}")
    if weight.ndim == 1:
        from .linalg import matmul
        out = matmul(input, weight)
        return out if bias is None else out + bias
    return Linear.apply(input, weight, bias)
