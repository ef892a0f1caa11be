"""unfold (im2col) and fold (col2im): sliding local blocks of a batched image and back.

The two are each other's adjoint, so each one's backward is the other and double backward is
closed over the pair. They use the convolution's window machinery (conv.py).
"""
from __future__ import annotations

from itertools import product as _product

from ..autograd.function import Function
from .conv import _Geo, _out_size, _prod, _shape_str, _tuple, _windows

__all__ = ["unfold", "fold"]


# ------------------------------------------------------------------ unfold / fold
def _im2col_arrays(xp, x, K, geo, Q):
    N, C = x.shape[:2]
    S = x.shape[2:]
    nd = len(S)
    lo, hi = geo.lo, geo.hi
    if any(lo) or any(hi):
        xpad = xp.zeros((N, C) + tuple(S[i] + lo[i] + hi[i] for i in range(nd)), x.dtype)
        xpad[(slice(None), slice(None)) + tuple(slice(lo[i], lo[i] + S[i])
                                                for i in range(nd))] = x
    else:
        xpad = x
    cols = xp.empty((N, C) + tuple(K) + tuple(Q), x.dtype)
    cols[...] = _windows(xp, xpad, tuple(K), tuple(Q), geo.stride, geo.dilation)
    return cols.reshape(N, C * _prod(K), _prod(Q))


def _col2im_arrays(xp, cols, K, geo, S, Q):
    N = cols.shape[0]
    nd = len(S)
    Kp = _prod(K)
    C = cols.shape[1] // Kp
    lo, hi = geo.lo, geo.hi
    Sp = tuple(S[i] + lo[i] + hi[i] for i in range(nd))
    out = xp.zeros((N, C) + Sp, cols.dtype)
    dc = cols.reshape((N, C, Kp) + tuple(Q))
    for t, k in enumerate(_product(*map(range, K))):
        sl = tuple(slice(k[i] * geo.dilation[i],
                         k[i] * geo.dilation[i] + geo.stride[i] * (Q[i] - 1) + 1, geo.stride[i])
                   for i in range(nd))
        out[(slice(None), slice(None)) + sl] += dc[:, :, t]
    if any(lo) or any(hi):
        out = xp.ascontiguousarray(out[(slice(None), slice(None)) + tuple(
            slice(lo[i], lo[i] + S[i]) for i in range(nd))])
    return out


class Im2col(Function):
    """``unfold``: (N, C, *S) -> (N, C*prod(K), L), the sliding local blocks."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, K, geo):
        ctx.args = (K, geo, x.shape[2:])
        Q = _out_size(x.shape[2:], K, geo)
        ctx.Q = Q
        return _im2col_arrays(ctx.xp, x, K, geo, Q)

    @staticmethod
    def backward(ctx, g):
        K, geo, S = ctx.args
        if ctx.create_graph:
            return Col2im.apply(g, K, geo, S), None, None
        return _col2im_arrays(ctx.xp, g, K, geo, S, ctx.Q), None, None


class Col2im(Function):
    """``fold``: (N, C*prod(K), L) -> (N, C, *S), summing overlapping blocks."""
    _arrays = True

    @staticmethod
    def forward(ctx, cols, K, geo, S):
        ctx.args = (K, geo)
        Q = _out_size(S, K, geo)
        ctx.Q = Q
        return _col2im_arrays(ctx.xp, cols, K, geo, S, Q)

    @staticmethod
    def backward(ctx, g):
        K, geo = ctx.args
        if ctx.create_graph:
            return Im2col.apply(g, K, geo), None, None, None
        return _im2col_arrays(ctx.xp, g, K, geo, ctx.Q), None, None, None


def _fold_args(kernel_size, dilation, padding, stride):
    K = _tuple(kernel_size, 2, "kernel_size")
    d = _tuple(dilation, 2, "dilation")
    p = _tuple(padding, 2, "padding")
    s = _tuple(stride, 2, "stride")
    return K, _Geo(s, d, p, p, 1)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    r"""Extract sliding local blocks from a batched input tensor.

    .. warning::
        Currently, only 4-D input tensors (batched image-like tensors) are supported.

    See :class:`ember.nn.Unfold` for details.
    """
    if input.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got 2)")
    if input.ndim != 4 and input.ndim != 3:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: "
                           f"{_shape_str(input.shape)}")
    K, geo = _fold_args(kernel_size, dilation, padding, stride)
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    Q = _out_size(x.shape[2:], K, geo)
    if any(q <= 0 for q in Q):
        raise RuntimeError(f"Given input with spatial size {tuple(x.shape[2:])}, "
                           f"kernel_size={K}, dilation={geo.dilation}, padding={geo.lo}, "
                           f"calculated shape of the array of sliding blocks as {Q}, but its "
                           f"components must be at least one.")
    out = Im2col.apply(x, K, geo)
    return out.squeeze(0) if unbatched else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    r"""Combine an array of sliding local blocks into a large containing tensor.

    .. warning::
        Currently, only unbatched (3D) or batched (4D) image-like output tensors are supported.

    See :class:`ember.nn.Fold` for details.
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{_shape_str(input.shape)}")
    S = _tuple(output_size, 2, "output_size")
    K, geo = _fold_args(kernel_size, dilation, padding, stride)
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    Kp = _prod(K)
    if x.shape[1] % Kp:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={x.shape[1]} and "
                           f"kernel_size={K}.")
    Q = _out_size(S, K, geo)
    if any(q <= 0 for q in Q) or _prod(Q) != x.shape[2]:
        raise RuntimeError(f"Given output_size={S}, kernel_size={K}, dilation={geo.dilation}, "
                           f"padding={geo.lo}, stride={geo.stride}, expected size of input's "
                           f"dimension 2 to match the calculated number of sliding blocks "
                           f"{Q[0]} * {Q[1]} = {_prod(Q)}, but got input.size(2)={x.shape[2]}.")
    out = Col2im.apply(x, K, geo, S)
    return out.squeeze(0) if unbatched else out
