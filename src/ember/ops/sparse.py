"""Embedding kernels (fused forward/backward on backend arrays) and their functional forms:
embedding, embedding_bag.

The weight gradient is a scatter-add of rows: the indices are sorted once and equal runs are
summed with ``add.reduceat`` (no ``add.at``), then written to their rows in one assignment.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.grad_mode import no_grad

__all__ = ["embedding", "embedding_bag"]


_SHORT = 8   # runs of equal indices up to this length are summed by vectorised passes


def index_add_rows(xp, n, idx, rows, is_sorted=False):
    """``out[idx[k]] += rows[k]`` into a zero (n, *rows.shape[1:]) array, duplicates summed.

    The indices are sorted once; the first row of every run of equal indices is written in
    one assignment, runs of up to ``_SHORT`` rows are completed by that many vectorised
    passes (each pass touches distinct rows), and the few longer runs by ``add.reduceat``
    (whose per-run overhead would dominate on many short runs). No ``add.at``.
    """
    out = xp.zeros((n,) + rows.shape[1:], dtype=rows.dtype)
    m = idx.shape[0]
    if m == 0:
        return out
    order = None if is_sorted else xp.argsort(idx, kind="stable")
    s = idx if order is None else idx[order]
    flag = xp.empty(m, dtype=bool)
    flag[0] = True
    xp.not_equal(s[1:], s[:-1], out=flag[1:])
    starts = xp.flatnonzero(flag)
    lens = xp.diff(xp.append(starts, m))
    uniq = s[starts]

    def take(pos):
        return rows[pos if order is None else order[pos]]

    out[uniq] = take(starts)
    longest = int(lens.max())
    for k in range(1, min(longest, _SHORT)):
        sel = xp.flatnonzero((lens > k) & (lens <= _SHORT))
        if sel.size == 0:
            break
        out[uniq[sel]] += take(starts[sel] + k)
    if longest > _SHORT:
        big = lens > _SHORT
        pos = xp.flatnonzero(xp.repeat(big, lens))
        blens = lens[big]
        bstarts = xp.cumsum(blens) - blens
        out[uniq[big]] = xp.add.reduceat(take(pos), bstarts, axis=0)
    return out


def _graph_index_add(n, idx, rows):
    """The same scatter-add with ember ops (differentiable, for create_graph)."""
    from .creation import tensor, zeros
    from .scatter import index_add
    return index_add(zeros((n,) + tuple(rows.shape[1:]), dtype=rows.dtype), 0, tensor(idx),
                     rows)


class Embedding(Function):
    """``weight[indices]``; backward scatter-adds the output gradient's rows."""
    _arrays = True

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        xp = ctx.xp
        ctx.idx = indices.reshape(-1)
        ctx.V = weight.shape[0]
        ctx.wshape = weight.shape
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        return xp.take(weight, indices, axis=0)

    @staticmethod
    def backward(ctx, g):
        if not ctx.needs_input_grad[0]:
            return None, None, None, None
        xp = ctx.xp
        idx, V, pad = ctx.idx, ctx.V, ctx.padding_idx
        rest = ctx.wshape[1:]
        g2 = g.reshape((idx.shape[0],) + tuple(rest))
        if ctx.create_graph:
            import numpy as np
            if ctx.scale:
                cnt = np.bincount(idx, minlength=V)[idx].astype(g2.dtype.np)
                g2 = g2 / xp.tensor(cnt.reshape((-1,) + (1,) * len(rest)))
            gw = _graph_index_add(V, idx, g2)
            if pad >= 0:
                mask = np.ones((V,) + (1,) * len(rest), dtype=g2.dtype.np)
                mask[pad] = 0
                gw = gw * xp.tensor(mask)
            return gw, None, None, None
        if ctx.scale:
            cnt = xp.bincount(idx, minlength=V)[idx].astype(g2.dtype)
            g2 = g2 / cnt.reshape((-1,) + (1,) * len(rest))
        gw = index_add_rows(xp, V, idx, g2)
        if pad >= 0:
            gw[pad] = 0
        return gw, None, None, None


def _check_indices(input, fn):
    from .. import dtypes as _dt
    if input._data.dtype not in (_dt.int64.np, _dt.int32.np):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got "
                           f"torch.{_type_name(input)}Tensor instead (while checking arguments "
                           f"for {fn})")


def _type_name(t):
    from ._util import type_name
    return type_name(t._data.dtype)


def _check_range(idx, V):
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= V):
        raise IndexError("index out of range in self")


def _renorm_(weight, idx, max_norm, norm_type):
    """torch.embedding_renorm_: rows referenced by ``idx`` whose norm exceeds ``max_norm``
    are rescaled in place (no autograd record)."""
    from .. import backend
    w = weight._data
    xp = backend.get_xp(w)
    uniq = xp.unique(idx)
    if uniq.size == 0:
        return
    rows = w[uniq].reshape(uniq.size, -1)
    a = xp.abs(rows)
    p = float(norm_type)
    if p == float("inf"):
        norms = a.max(axis=1)
    elif p == 0:
        norms = (a != 0).sum(axis=1).astype(w.dtype)
    else:
        norms = (a ** p).sum(axis=1) ** (1.0 / p)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        sel = uniq[big]
        w[sel] = w[sel] * scale.reshape((-1,) + (1,) * (w.ndim - 1))
        weight._bump_version()


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    r"""Generate a simple lookup table that looks up embeddings in a fixed dictionary and size.

    This module is often used to retrieve word embeddings using indices. The input to the
    module is a list of indices, and the embedding matrix, and the output is the
    corresponding word embeddings.

    Args:
        input (LongTensor): Tensor containing indices into the embedding matrix
        weight (Tensor): The embedding matrix with number of rows equal to the maximum
            possible index + 1, and number of columns equal to the embedding size
        padding_idx (int, optional): If specified, the entries at :attr:`padding_idx` do not
            contribute to the gradient; therefore, the embedding vector at
            :attr:`padding_idx` is not updated during training, i.e. it remains as a fixed
            "pad".
        max_norm (float, optional): If given, each embedding vector with norm larger than
            :attr:`max_norm` is renormalized to have norm :attr:`max_norm`. Note: this will
            modify :attr:`weight` in-place.
        norm_type (float, optional): The p of the p-norm to compute for the :attr:`max_norm`
            option. Default ``2``.
        scale_grad_by_freq (bool, optional): If given, this will scale gradients by the
            inverse of frequency of the words in the mini-batch. Default ``False``.
        sparse (bool, optional): If ``True``, gradient w.r.t. :attr:`weight` will be a sparse
            tensor (not supported by ember).

    Shape:
        - Input: LongTensor of arbitrary shape containing the indices to extract
        - Weight: Embedding matrix of floating point type with shape `(V, embedding_dim)`,
          where V = maximum index + 1 and embedding_dim = the embedding size
        - Output: `(*, embedding_dim)`, where `*` is the input shape
    """
    V = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= V:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -V:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = V + padding_idx
    else:
        padding_idx = -1
    if sparse:
        raise NotImplementedError("ember does not support sparse gradients (sparse=True)")
    _check_indices(input, "embedding")
    idx = input._data
    _check_range(idx, V)
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx.reshape(-1), max_norm, norm_type)
    return Embedding.apply(weight, input, int(padding_idx), bool(scale_grad_by_freq))


# ------------------------------------------------------------------ embedding bag
class EmbeddingBag(Function):
    """Sums, means or maxima of bags of embeddings; ``seg`` gives each used index its bag."""
    _arrays = True

    @staticmethod
    def forward(ctx, weight, psw, idx, seg, valid, B, mode, scale_grad_by_freq):
        xp = ctx.xp
        D = weight.shape[1]
        rows = xp.take(weight, idx, axis=0)
        if psw is not None:
            rows *= psw[:, None]
        ctx.args = (idx, seg, valid, B, mode, scale_grad_by_freq, weight.shape[0])
        # (a saved None would be mapped to the first input by autograd's _save)
        ctx.save_for_backward(weight, *(() if psw is None else (psw,)))
        if mode == "max":
            if valid is not None:
                rows[~valid] = -xp.inf
            out = xp.full((B, D), -xp.inf, dtype=weight.dtype)
            word = xp.full((B, D), -1, dtype=idx.dtype)
            if idx.size:
                starts = _starts(xp, seg)
                bags = seg[starts]
                mx = xp.maximum.reduceat(rows, starts, axis=0)
                pos = xp.where(rows == mx[xp.searchsorted(starts, xp.arange(seg.size),
                                                          side="right") - 1],
                               xp.arange(seg.size)[:, None], seg.size)
                first = xp.minimum.reduceat(pos, starts, axis=0)
                ok = first < seg.size
                out[bags] = mx
                word[bags] = xp.where(ok, idx[xp.minimum(first, seg.size - 1)], -1)
            empty = (word < 0) | (out == -xp.inf)
            word[empty] = -1
            out[empty] = 0
            ctx.word = word
            return out
        if valid is not None:
            rows *= valid[:, None]
        out = index_add_rows(xp, B, seg, rows, is_sorted=True)
        if mode == "mean":
            cnt = _counts(xp, seg, valid, B)
            out /= xp.maximum(cnt, 1).astype(out.dtype)[:, None]
        return out

    @staticmethod
    def backward(ctx, g):
        idx, seg, valid, B, mode, scale, V = ctx.args
        weight, psw = (ctx.saved_tensors + (None,))[:2]
        need_w, need_psw = ctx.needs_input_grad[:2]
        xp = ctx.xp
        graph = ctx.create_graph
        if mode == "max":
            if graph:
                raise RuntimeError("ember: double backward of embedding_bag(mode='max') is "
                                   "not implemented")
            word = ctx.word
            D = g.shape[1]
            ok = word >= 0
            flat = (word * D + xp.arange(D))[ok]
            gw = xp.bincount(flat, weights=g[ok], minlength=V * D).reshape(V, D)
            return gw.astype(g.dtype), None, None, None, None, None, None, None
        np_ = _np()
        scale_rows = np_.ones(idx.shape[0], dtype=_dtype_np(g))
        if mode == "mean":
            cnt = np_.maximum(_counts(np_, seg, valid, B), 1)
            scale_rows = scale_rows / cnt[seg]
        if valid is not None:
            scale_rows = scale_rows * valid
        if scale:
            scale_rows = scale_rows / np_.bincount(idx, minlength=V)[idx]
        if graph:
            from .creation import tensor
            tseg = tensor(seg)
            gr = g.index_select(0, tseg)
            gw = gpsw = None
            sr = tensor(scale_rows.astype(_dtype_np(g)))[:, None]
            if need_w:
                rows = gr * sr
                if psw is not None:
                    rows = rows * psw[:, None]
                gw = _graph_index_add(V, idx, rows)
            if need_psw and psw is not None:
                gpsw = (gr * weight.index_select(0, tensor(idx)) * sr).sum(dim=1)
            return gw, gpsw, None, None, None, None, None, None
        gr = g[seg]
        gpsw = None
        if need_psw and psw is not None:
            gpsw = xp.einsum("md,md->m", gr, xp.take(weight, idx, axis=0)) * scale_rows
        gw = None
        if need_w:
            f = scale_rows if psw is None else scale_rows * psw
            gr *= f.astype(gr.dtype)[:, None]
            gw = index_add_rows(xp, V, idx, gr)
        return gw, gpsw, None, None, None, None, None, None


def _np():
    import numpy
    return numpy


def _dtype_np(a):
    return a.dtype if not hasattr(a.dtype, "np") else a.dtype.np


def _starts(xp, seg):
    s = xp.empty(seg.shape, dtype=bool)
    s[0] = True
    xp.not_equal(seg[1:], seg[:-1], out=s[1:])
    return xp.flatnonzero(s)


def _counts(xp, seg, valid, B):
    if valid is None:
        return xp.bincount(seg, minlength=B)
    return xp.bincount(seg, weights=valid, minlength=B)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    r"""Compute sums, means or maxes of `bags` of embeddings.

    Calculation is done without instantiating the intermediate embeddings. See
    :class:`ember.nn.EmbeddingBag` for more details.

    Args:
        input (LongTensor): Tensor containing bags of indices into the embedding matrix
        weight (Tensor): The embedding matrix with number of rows equal to the maximum
            possible index + 1, and number of columns equal to the embedding size
        offsets (LongTensor, optional): Only used when :attr:`input` is 1D. :attr:`offsets`
            determines the starting index position of each bag (sequence) in :attr:`input`.
        max_norm (float, optional): If given, each embedding vector with norm larger than
            :attr:`max_norm` is renormalized to have norm :attr:`max_norm`. Note: this will
            modify :attr:`weight` in-place.
        norm_type (float, optional): The ``p`` in the ``p``-norm to compute for the
            :attr:`max_norm` option. Default ``2``.
        scale_grad_by_freq (bool, optional): if given, this will scale gradients by the
            inverse of frequency of the words in the mini-batch. Default ``False``. Note: this
            option is not supported when ``mode="max"``.
        mode (str, optional): ``"sum"``, ``"mean"`` or ``"max"``. Specifies the way to reduce
            the bag. Default: ``"mean"``
        sparse (bool, optional): if ``True``, gradient w.r.t. :attr:`weight` will be a sparse
            tensor (not supported by ember).
        per_sample_weights (Tensor, optional): a tensor of float / double weights, or None to
            indicate all weights should be taken to be 1. If specified,
            :attr:`per_sample_weights` must have exactly the same shape as input and is
            treated as having the same :attr:`offsets`, if those are not None.
        include_last_offset (bool, optional): if ``True``, the size of offsets is equal to the
            number of bags + 1. The last element is the size of the input, or the ending
            index position of the last bag (sequence).
        padding_idx (int, optional): If specified, the entries at :attr:`padding_idx` do not
            contribute to the gradient; therefore, the embedding vector at
            :attr:`padding_idx` is not updated during training, i.e. it remains as a fixed
            "pad". Note that the embedding vector at :attr:`padding_idx` is excluded from the
            reduction.
    """
    from .. import backend
    if weight.dtype.is_floating_point is False and input.dtype.is_floating_point:
        weight, input = input, weight
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if not weight.ndim == 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.ndim}")
    _check_indices(input, "embedding_bag")
    idx = input._data
    xp = backend.get_xp(idx)
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated "
                             f"is a mini-batch of fixed length sequences. However, found "
                             f"offsets of type {type(offsets)}")
        offs = xp.arange(0, idx.size, max(idx.shape[1], 1), dtype=xp.int64)[:idx.shape[0]]
        include_last_offset = False
        idx = idx.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offs = offsets._data.astype(xp.int64)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if sparse:
        raise NotImplementedError("ember does not support sparse gradients (sparse=True)")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    V = weight.shape[0]
    if padding_idx is not None:
        if padding_idx >= V or padding_idx < -V:
            raise AssertionError("padding_idx must be within the number of embeddings")
        padding_idx = padding_idx % V
    if offs.size and int(offs[0]) != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the "
                           f"mini-batch has to start from position 0. However, got "
                           f"{int(offs[0])}")
    n = idx.size
    if include_last_offset:
        if offs.size < 1:
            raise RuntimeError("include_last_offset: number of offsets should be at least 1")
        B = offs.size - 1
        bounds = offs
        end = int(offs[-1]) if offs.size else 0
    else:
        B = offs.size
        bounds = xp.concatenate([offs, xp.asarray([n], dtype=xp.int64)])
        end = n
    if (xp.diff(bounds) < 0).any() or end > n:
        raise RuntimeError("offsets must be non-decreasing and within the input")
    _check_range(idx, V)
    used = idx[:end]
    seg = xp.repeat(xp.arange(B, dtype=xp.int64), xp.diff(bounds))
    valid = None if padding_idx is None else (used != padding_idx)
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, used, max_norm, norm_type)
    psw = None
    if per_sample_weights is not None:
        psw = per_sample_weights[:end] if end < n else per_sample_weights
    return EmbeddingBag.apply(weight, psw, used, seg, valid, B, mode, bool(scale_grad_by_freq))
