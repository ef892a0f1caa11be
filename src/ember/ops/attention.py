"""Attention: scaled dot-product attention as one fused node (forward and backward on backend
arrays, batched BLAS matmuls), and the functional forms built on it:
``scaled_dot_product_attention`` and ``multi_head_attention_forward``.

Inside the kernel the scores are kept transposed, ``(..., S, L)`` (keys by queries): the
softmax then reduces along the second-to-last axis, which NumPy vectorises across the rows
(a reduction along a short last axis runs ~4x slower), and BLAS takes the transposes for free.
"""
from __future__ import annotations

import math
import warnings

from .. import dtypes as _dt
from .._tensor import Tensor
from ..autograd.function import Function
from ..backend.pool import empty as _pooled

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_F16 = _dt.float16.np
_F32 = _dt.float32.np
_INF = float("inf")
_CAUSAL = {}


def _causal_t(xp, L, S, dtype):
    """The upper-left causal bias, transposed to (S, L): -inf where key j > query i."""
    key = (xp.__name__, L, S, dtype)
    b = _CAUSAL.get(key)
    if b is None:
        if len(_CAUSAL) > 64:
            _CAUSAL.clear()
        b = xp.tril(xp.full((S, L), -_INF, dtype), -1)
        _CAUSAL[key] = b
    return b


def _mask_bias(xp, mask, dtype):
    """An attention mask as an additive bias of ``dtype``: bool True -> 0, False -> -inf."""
    if mask.dtype.kind == "b":
        return xp.where(mask, dtype.type(0), dtype.type(-_INF))
    return mask if mask.dtype == dtype else mask.astype(dtype)


def _canon(a, perm):
    return a if perm is None else a.transpose(perm)


def _softmax_t(xp, pt, safe):
    """Softmax in place along axis -2 of the transposed scores; with ``safe`` a column that is
    masked everywhere (all -inf) gives zeros instead of NaN (torch's math kernel)."""
    m = pt.max(-2, keepdims=True)
    bad = None
    if safe:
        bad = m == -_INF
        if bad.any():
            m[bad] = 0
        else:
            bad = None
    pt -= m
    xp.exp(pt, out=pt)
    # the column sums as a batched GEMV against ones (~5x faster than sum(-2) here)
    z = xp.matmul(xp.ones(pt.shape[-2], pt.dtype), pt)[..., None, :]
    if bad is not None:
        z[z == 0] = 1
    xp.reciprocal(z, out=z)
    pt *= z
    return pt


class ScaledDotProductAttention(Function):
    """``softmax(q @ k^T * scale + mask) @ v`` as one node.

    ``perm`` (or None) is the axis order that takes the arrays' layout to the canonical
    ``(..., H, L, E)``: multi-head attention passes ``(N, L, H, E)`` or ``(L, N, H, E)`` views of
    its projections and gets the output back in that same layout, so no transpose is copied.
    ``groups`` > 1 repeats each key/value head for that many query heads (GQA). ``weights``
    also returns the attention weights (after dropout); ``safe`` zeroes fully masked rows.
    """
    _arrays = True

    @staticmethod
    def forward(ctx, q, k, v, mask, p, causal, scale, groups, perm, weights, safe):
        xp = ctx.xp
        ctx.set_materialize_grads(False)
        ctx.scale, ctx.groups, ctx.perm, ctx.causal, ctx.safe = scale, groups, perm, causal, safe
        qc, kc, vc = _canon(q, perm), _canon(k, perm), _canon(v, perm)
        half = qc.dtype == _F16
        if half:
            qc, kc, vc = qc.astype(_F32), kc.astype(_F32), vc.astype(_F32)
        if groups > 1:
            kc = xp.repeat(kc, groups, axis=-3)
            vc = xp.repeat(vc, groups, axis=-3)
        L, S = qc.shape[-2], kc.shape[-2]
        # (..., S, L): the scores, transposed. q^T * scale in one pass into a contiguous
        # buffer (BLAS runs ~20% faster on it than on the transposed view)
        st = _scaled_t(xp, qc, scale)
        pt = xp.matmul(kc, st, out=_pooled(xp, kc.shape[:-1] + st.shape[-1:], st.dtype)) \
            if kc.shape[:-2] == st.shape[:-2] and kc.dtype == st.dtype else xp.matmul(kc, st)
        del st
        if pt.size:
            if mask is not None:
                pt += _mask_bias(xp, mask, pt.dtype).swapaxes(-1, -2)
            if causal:
                pt += _causal_t(xp, L, S, pt.dtype)
            _softmax_t(xp, pt, safe and (causal or mask is not None))
        keep = ctx.pk = None
        pdt = pt
        if p > 0:
            from .dropout import _keep_mask
            keep = _keep_mask(pt.shape, p, pt)
            ctx.drop = 0.0 if p >= 1 else 1.0 / (1.0 - p)
            pdt = xp.multiply(pt, keep, out=_pooled(xp, pt.shape, pt.dtype))
            if weights:
                pdt *= ctx.drop
            else:       # 1 / (1 - p) applied to the (smaller) output; P * keep kept for dV
                ctx.pk = pdt
        if perm is None:
            out = xp.matmul(pdt.swapaxes(-1, -2), vc, out=_pooled(
                xp, pdt.shape[:-2] + (pdt.shape[-1], vc.shape[-1]), pt.dtype)) \
                if pdt.shape[:-2] == vc.shape[:-2] and vc.dtype == pt.dtype \
                else xp.matmul(pdt.swapaxes(-1, -2), vc)
        else:
            out = _pooled(xp, q.shape[:-1] + (vc.shape[-1],), pt.dtype)
            xp.matmul(pdt.swapaxes(-1, -2), vc, out=out.transpose(perm))
        if ctx.pk is not None:
            out *= ctx.drop
        if half:
            out = out.astype(_F16)
        # the optional mask is saved last, only when given (keep is internal: not version-checked)
        ctx.keep = keep
        if not weights:
            ctx.from_w = False
            ctx.save_for_backward(q, k, v, pt, out, *(() if mask is None else (mask,)))
            return out
        w = pdt.swapaxes(-1, -2)
        if half:
            w = w.astype(_F16)
        # without dropout the weights are P itself: save them as the output (version-checked)
        ctx.from_w = keep is None and not half
        ctx.save_for_backward(q, k, v, w if ctx.from_w else pt, out,
                              *(() if mask is None else (mask,)))
        return out, w

    @staticmethod
    def backward(ctx, g, gw=None):
        if ctx.create_graph:
            return _sdpa_backward_graph(ctx, g, gw)
        xp = ctx.xp
        q, k, v, pt, out = ctx.saved_tensors[:5]
        keep = ctx.keep
        perm, groups, scale = ctx.perm, ctx.groups, ctx.scale
        need_q, need_k, need_v, need_m = ctx.needs_input_grad[:4]
        qc, kc, vc = _canon(q, perm), _canon(k, perm), _canon(v, perm)
        if ctx.from_w:
            pt = pt.swapaxes(-1, -2)
        half = qc.dtype == _F16
        if half:
            qc, kc, vc = qc.astype(_F32), kc.astype(_F32), vc.astype(_F32)
        if groups > 1:
            kc = xp.repeat(kc, groups, axis=-3)
            vc = xp.repeat(vc, groups, axis=-3)
        gc = None
        if g is not None:
            gc = _canon(g, perm)
            if gc.dtype != pt.dtype:
                gc = gc.astype(pt.dtype)
        dq = dk = dv = dm = None
        if need_v and gc is not None:
            if ctx.pk is not None:
                dv = xp.matmul(ctx.pk, gc)
                dv *= ctx.drop
            else:
                dv = xp.matmul(pt if keep is None else pt * keep * ctx.drop, gc)
            if groups > 1:
                dv = _sum_groups(dv, groups)
        if (need_q or need_k or need_m) and pt.size:
            # the softmax scale folded into dP (through dO^T) when dS itself is not needed,
            # and dropout's 1 / (1 - p) too when there is no weights gradient
            fold = gw is None and not need_m
            sg = scale if fold else 1.0
            drop_in = keep is not None and gw is None and gc is not None
            if gc is not None:
                sgd = sg * ctx.drop if drop_in else sg
                dpt = xp.matmul(vc, _scaled_t(xp, gc, sgd))    # (dO V^T)^T, (..., S, L)
                if gw is not None:
                    dpt += gw.swapaxes(-1, -2)
            else:
                dpt = gw.swapaxes(-1, -2).astype(pt.dtype)
            if keep is not None:
                dpt *= keep
                if not drop_in:
                    dpt *= ctx.drop
            if gw is None:
                # rowsum(dP * P) = rowsum(dO * O): an (L, Ev) product instead of (L, S)
                oc = _canon(out, perm)
                if oc.dtype != gc.dtype:
                    oc = oc.astype(gc.dtype)
                r = xp.matmul(gc * oc, xp.full(oc.shape[-1], sg, gc.dtype))[..., None, :]
            else:
                r = (dpt * pt).sum(-2, keepdims=True)
            dpt -= r
            dpt *= pt                                       # dS^T
            if need_m:
                dm = dpt.swapaxes(-1, -2)
            if need_q:
                dq = xp.matmul(dpt.swapaxes(-1, -2), kc)
                if not fold:
                    dq *= scale
            if need_k:
                dk = xp.matmul(dpt, qc)
                if groups > 1:
                    dk = _sum_groups(dk, groups)
                if not fold:
                    dk *= scale
        elif need_q or need_k or need_m:
            dq = xp.zeros(qc.shape, pt.dtype) if need_q else None
            dk = xp.zeros(_canon(k, perm).shape, pt.dtype) if need_k else None
            dm = xp.zeros(pt.shape[:-2] + (pt.shape[-1], pt.shape[-2]), pt.dtype) \
                if need_m else None
        if perm is not None:
            inv = _inverse(perm)
            dq = None if dq is None else dq.transpose(inv)
            dk = None if dk is None else dk.transpose(inv)
            dv = None if dv is None else dv.transpose(inv)
        return dq, dk, dv, dm, None, None, None, None, None, None, None


def _scaled_t(xp, a, scale):
    """``a.swapaxes(-1, -2) * scale`` as a C-contiguous array (one pass)."""
    out = _pooled(xp, a.shape[:-2] + (a.shape[-1], a.shape[-2]), a.dtype)
    if scale == 1.0:
        out[...] = a.swapaxes(-1, -2)
    else:
        xp.multiply(a.swapaxes(-1, -2), scale, out=out)
    return out


def _sum_groups(d, groups):
    shape = d.shape
    return d.reshape(shape[:-3] + (shape[-3] // groups, groups) + shape[-2:]).sum(-3)


def _inverse(perm):
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


def _sdpa_backward_graph(ctx, g, gw):
    """The same gradients written with ember ops on Tensors (create_graph: double backward)."""
    import ember
    saved = ctx.saved_tensors
    q, k, v = saved[:3]
    mask = saved[5] if len(saved) > 5 else None
    keep = None if ctx.keep is None else ember.tensor(ctx.keep)
    perm, groups, scale = ctx.perm, ctx.groups, ctx.scale
    need_q, need_k, need_v, need_m = ctx.needs_input_grad[:4]
    qc, kc, vc = (t if perm is None else t.permute(perm) for t in (q, k, v))
    if qc.dtype == ember.float16:
        qc, kc, vc = qc.float(), kc.float(), vc.float()
    if groups > 1:
        kc = kc.repeat_interleave(groups, dim=-3)
        vc = vc.repeat_interleave(groups, dim=-3)
    L, S = qc.shape[-2], kc.shape[-2]
    s = ember.matmul(qc, kc.transpose(-1, -2)) * scale
    if mask is not None:
        if mask.dtype == ember.bool:
            s = s.masked_fill(~mask, -_INF)
        else:
            s = s + mask.to(s.dtype)
    if ctx.causal:
        cm = ember.ones(L, S, dtype=ember.bool).triu(1)
        s = s.masked_fill(cm, -_INF)
    m = s.detach().amax(-1, keepdim=True)
    m = m.masked_fill(m == -_INF, 0.0)
    e = (s - m).exp()
    z = e.sum(-1, keepdim=True)
    if ctx.safe:
        z = z.masked_fill(z == 0, 1.0)
    P = e / z
    kd = None if keep is None else keep.swapaxes(-1, -2).to(s.dtype) * ctx.drop
    Pd = P if kd is None else P * kd
    gc = None
    if g is not None:
        gc = g if perm is None else g.permute(perm)
        gc = gc.to(s.dtype)
    dq = dk = dv = dm = None
    if need_v and gc is not None:
        dv = ember.matmul(Pd.transpose(-1, -2), gc)
        if groups > 1:
            dv = _sum_groups_t(dv, groups)
    if need_q or need_k or need_m:
        dp = None
        if gc is not None:
            dp = ember.matmul(gc, vc.transpose(-1, -2))
        if gw is not None:
            dp = gw.to(s.dtype) if dp is None else dp + gw
        if kd is not None:
            dp = dp * kd
        ds = P * (dp - (dp * P).sum(-1, keepdim=True))
        if need_m:
            dm = ds
        if need_q:
            dq = ember.matmul(ds, kc) * scale
        if need_k:
            dk = ember.matmul(ds.transpose(-1, -2), qc) * scale
            if groups > 1:
                dk = _sum_groups_t(dk, groups)
    if perm is not None:
        inv = _inverse(perm)
        dq = None if dq is None else dq.permute(inv)
        dk = None if dk is None else dk.permute(inv)
        dv = None if dv is None else dv.permute(inv)
    return dq, dk, dv, dm, None, None, None, None, None, None, None


def _sum_groups_t(d, groups):
    shape = tuple(d.shape)
    return d.reshape(shape[:-3] + (shape[-3] // groups, groups) + shape[-2:]).sum(-3)


def _broadcast(a, b):
    """Broadcast two shapes, or None when they do not."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            return None
        out.append(max(x, y) if x != 1 and y != 1 else (y if x == 1 else x))
    return tuple(out)


def _dtype_name(t):
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "int64": "long int", "int32": "int", "bool": "bool"}.get(t.dtype.name, t.dtype.name)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    r"""Computes scaled dot product attention on query, key and value tensors, using an
    optional attention mask if passed, and applying dropout if a probability greater than 0.0
    is specified. The optional scale argument can only be specified as a keyword argument.

    Equivalent to ``softmax(query @ key.transpose(-2, -1) * scale + attn_bias) @ value`` (with
    dropout on the attention weights), computed as one fused node.

    Args:
        query (Tensor): Query tensor; shape :math:`(N, ..., Hq, L, E)`.
        key (Tensor): Key tensor; shape :math:`(N, ..., H, S, E)`.
        value (Tensor): Value tensor; shape :math:`(N, ..., H, S, Ev)`.
        attn_mask (optional Tensor): Attention mask; shape must be broadcastable to the shape
            of attention weights, which is :math:`(N,..., Hq, L, S)`. Two types of masks are
            supported. A boolean mask where a value of True indicates that the element *should*
            take part in attention. A float mask of the same type as query, key, value that is
            added to the attention score.
        dropout_p (float): Dropout probability; if greater than 0.0, dropout is applied
        is_causal (bool): If set to true, the attention masking is a lower triangular matrix
            when the mask is a square matrix. The attention masking has the form of the upper
            left causal bias due to the alignment when the mask is a non-square matrix.
        scale (optional float, keyword-only): Scaling factor applied prior to softmax. If None,
            the default value is set to :math:`\frac{1}{\sqrt{E}}`.
        enable_gqa (bool): If set to True, Grouped Query Attention (GQA) is enabled, by default
            it is set to False.

    Returns:
        output (Tensor): Attention output; shape :math:`(N, ..., Hq, L, Ev)`.

    Example::

        >>> q = k = v = ember.randn(2, 4, 8, 16)
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
        ember.Size([2, 4, 8, 16])
    """
    qs, ks, vs = tuple(query.shape), tuple(key.shape), tuple(value.shape)
    if len(qs) < 2 or len(ks) < 2 or len(vs) < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {len(qs)} key.dim: {len(ks)} and value.dim: {len(vs)} instead.")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_dtype_name(query)} key.dtype: {_dtype_name(key)} and value.dtype: "
            f"{_dtype_name(value)} instead.")
    if not query.is_floating_point():
        raise RuntimeError(f"expected scalar type Float but found {query.dtype}")
    if attn_mask is not None and attn_mask.dtype != _dt.bool \
            and not attn_mask.is_floating_point():
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {_dtype_name(attn_mask)} and  query.dtype: "
            f"{_dtype_name(query)} instead.")
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if ks[-1] != qs[-1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"{list(ks[:-2]) + [qs[-1]]} but got: {list(ks[:-2]) + [ks[-1]]}.")
    if vs[-2] != ks[-2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"{list(vs[:-2]) + [ks[-2]]} but got: {list(vs[:-2]) + [vs[-2]]}.")
    groups = 1
    kb, vb = ks[:-2], vs[:-2]
    if enable_gqa and len(qs) >= 3 and len(ks) >= 3 and qs[-3] != ks[-3]:
        if ks[-3] != vs[-3] or qs[-3] % ks[-3]:
            raise RuntimeError(
                "Number of heads in key and value must divide the number of heads in query")
        groups = qs[-3] // ks[-3]
        kb = kb[:-1] + (qs[-3],)
        vb = vb[:-1] + (qs[-3],)
    batch = _broadcast(qs[:-2], kb)
    batch = None if batch is None else _broadcast(batch, vb)
    if batch is None:
        raise RuntimeError(f"The size of tensor a ({qs[-3]}) must match the size of tensor b "
                           f"({ks[-3]}) at non-singleton dimension {len(qs) - 3}")
    L, S = qs[-2], ks[-2]
    if attn_mask is not None:
        ms = tuple(attn_mask.shape)
        if len(ms) < 2:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-max(len(ms), 1)}, {max(len(ms), 1) - 1}], but got -2)")
        full = batch + (L, S)
        if _broadcast(full, ms) != full:
            raise RuntimeError(
                f"output with shape {list(full)} doesn't match the broadcast shape "
                f"{list(_broadcast(full, ms) or ms)}")
    if scale is None:
        scale = 1.0 / math.sqrt(qs[-1]) if qs[-1] else _INF
    return ScaledDotProductAttention.apply(query, key, value, attn_mask, float(dropout_p),
                                           bool(is_causal), float(scale), groups, None,
                                           False, True)


# ----------------------------------------------------------------------------- multi-head
def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """torch's checks of the query/key/value/mask ranks; returns whether input is batched."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D "
                f"but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                f"but found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                f"but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or "
                    f"3-D but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                         f"{attn_mask.shape}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask becomes a float mask of ``target_type`` with -inf where it was True."""
    if mask is None:
        return None
    is_float = mask.is_floating_point()
    if mask.dtype != _dt.bool and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=3)
    if not is_float:
        from .creation import zeros_like
        mask = zeros_like(mask, dtype=target_type).masked_fill_(mask, -_INF)
    return mask


def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _linear(x, w, b):
    """F.linear, with (.., .., E) input folded to one (rows, E) GEMM when that is a view: NumPy
    runs a 3-D @ 2-D matmul as one small GEMM per leading index (~1.5x slower here)."""
    from .nn import linear
    d = x._data
    if d.ndim == 3 and d.flags.c_contiguous:
        return linear(x.reshape(-1, d.shape[2]), w, b).reshape(d.shape[0], d.shape[1], -1)
    return linear(x, w, b)


def _pad_last(mask):
    """``F.pad(mask, (0, 1))``: one zero column appended."""
    from .creation import zeros
    from .join import cat
    z = zeros(tuple(mask.shape[:-1]) + (1,), dtype=mask.dtype)
    return cat([mask, z], -1)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    r"""Forward method for MultiHeadAttention.

    See :class:`ember.nn.MultiheadAttention` for details.

    Args:
        query, key, value: map a query and a set of key-value pairs to an output.
            See "Attention Is All You Need" for more details.
        embed_dim_to_check: total dimension of the model.
        num_heads: parallel attention heads.
        in_proj_weight, in_proj_bias: input projection weight and bias.
        bias_k, bias_v: bias of the key and value sequences to be added at dim=0.
        add_zero_attn: add a new batch of zeros to the key and value sequences at dim=1.
        dropout_p: probability of an element to be zeroed.
        out_proj_weight, out_proj_bias: the output projection weight and bias.
        training: apply dropout if is ``True``.
        key_padding_mask: if provided, specified padding elements in the key will be ignored
            by the attention. This is a binary mask. When the value is True, the corresponding
            value on the attention layer will be filled with -inf.
        need_weights: output attn_output_weights.
        attn_mask: 2D or 3D mask that prevents attention to certain positions. A 2D mask will
            be broadcasted for all the batches while a 3D mask allows to specify a different
            mask for the entries of each batch.
        is_causal: If specified, applies a causal mask as attention mask, and ignores
            attn_mask for computing scaled dot product attention.
        use_separate_proj_weight: the function accept the proj. weights for query, key, and
            value in different forms. If false, in_proj_weight will be used, which is a
            combination of q_proj_weight, k_proj_weight, v_proj_weight.
        q_proj_weight, k_proj_weight, v_proj_weight, in_proj_bias: input projection weight
            and bias.
        static_k, static_v: static key and value used for attention operators.
        average_attn_weights: If true, indicates that the returned ``attn_weights`` should be
            averaged across heads. Otherwise, ``attn_weights`` are provided separately per
            head. Note that this flag only has an effect when ``need_weights=True.``.

    Shape:
        - query: :math:`(L, E)` or :math:`(L, N, E)`; key, value: :math:`(S, E)` or
          :math:`(S, N, E)`; key_padding_mask: :math:`(S)` or :math:`(N, S)`; attn_mask:
          :math:`(L, S)` or :math:`(N\cdot\text{num\_heads}, L, S)`.
        - attn_output: :math:`(L, E)` or :math:`(L, N, E)`; attn_output_weights:
          :math:`(L, S)` or :math:`(N, L, S)` averaged, else :math:`(\text{num\_heads}, L, S)`
          or :math:`(N, \text{num\_heads}, L, S)`.
    """
    return _mha_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                        in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
                        out_proj_weight, out_proj_bias, training, key_padding_mask,
                        need_weights, attn_mask, use_separate_proj_weight, q_proj_weight,
                        k_proj_weight, v_proj_weight, static_k, static_v,
                        average_attn_weights, is_causal, batch_first=False)


def _mha_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
                 out_proj_bias, training, key_padding_mask, need_weights, attn_mask,
                 use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight,
                 static_k, static_v, average_attn_weights, is_causal, batch_first):
    """torch's multi_head_attention_forward, computed in the inputs' own layout: ``(L, N, E)``
    or, with ``batch_first``, ``(N, L, E)`` (the layer passes batch-first input untransposed).
    The heads are views ``(..., H, head_dim)`` of the projections, attended by one fused node
    that writes its output straight into the layout the output projection reads."""
    from .creation import zeros
    from .join import cat
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        batch_first = False
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    ba, sa = (0, 1) if batch_first else (1, 0)
    tgt_len, bsz, embed_dim = query.shape[sa], query.shape[ba], query.shape[2]
    src_len = key.shape[sa]

    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False

    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, "
                             f"but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    # in-projection: (.., .., E) views of one packed projection where q/k/v are shared
    E = embed_dim
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        if key is value and query is key:
            q, k, v = _linear(query, in_proj_weight, in_proj_bias).unflatten(
                -1, (3, E)).unbind(-2)
        elif key is value:
            w_q, w_kv = in_proj_weight.split([E, 2 * E])
            b_q, b_kv = (None, None) if in_proj_bias is None else in_proj_bias.split([E, 2 * E])
            q = _linear(query, w_q, b_q)
            k, v = _linear(key, w_kv, b_kv).unflatten(-1, (2, E)).unbind(-2)
        else:
            w_q, w_k, w_v = in_proj_weight.chunk(3)
            b_q = b_k = b_v = None
            if in_proj_bias is not None:
                b_q, b_k, b_v = in_proj_bias.chunk(3)
            q, k, v = (_linear(query, w_q, b_q), _linear(key, w_k, b_k),
                       _linear(value, w_v, b_v))
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = in_proj_bias.chunk(3)
        Ek, Ev = key.shape[-1], value.shape[-1]
        for name, w, want in (("query", q_proj_weight, (E, E)), ("key", k_proj_weight, (E, Ek)),
                              ("value", v_proj_weight, (E, Ev))):
            if tuple(w.shape) != want:
                raise AssertionError(f"expecting {name} weights shape of {want}, but got "
                                     f"{w.shape}")
        for name, b in (("query", b_q), ("key", b_k), ("value", b_v)):
            if b is not None and tuple(b.shape) != (E,):
                raise AssertionError(f"expecting {name} bias shape of {(E,)}, but got "
                                     f"{b.shape}")
        q, k, v = (_linear(query, q_proj_weight, b_q), _linear(key, k_proj_weight, b_k),
                   _linear(value, v_proj_weight, b_v))

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        shape = (bsz, 1, E) if batch_first else (1, bsz, E)
        k = cat([k, bias_k.reshape(1, 1, E).expand(shape)], sa)
        v = cat([v, bias_v.reshape(1, 1, E).expand(shape)], sa)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    else:
        if bias_k is not None:
            raise AssertionError("bias_k is set but bias_v is None")
        if bias_v is not None:
            raise AssertionError("bias_v is set but bias_k is None")

    # heads: (A0, A1, H, head_dim) views in the input layout
    q = q.unflatten(-1, (num_heads, head_dim))
    k = _static(static_k, "k", bsz, num_heads, head_dim, batch_first) if static_k is not None \
        else k.unflatten(-1, (num_heads, head_dim))
    v = _static(static_v, "v", bsz, num_heads, head_dim, batch_first) if static_v is not None \
        else v.unflatten(-1, (num_heads, head_dim))

    if add_zero_attn:
        shape = (bsz, 1, num_heads, head_dim) if batch_first else (1, bsz, num_heads, head_dim)
        k = cat([k, zeros(shape, dtype=k.dtype)], sa)
        v = cat([v, zeros(shape, dtype=v.dtype)], sa)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)

    src_len = k.shape[sa]
    # masks, broadcastable to (N, H, L, S)
    if attn_mask is not None:
        attn_mask = attn_mask.reshape(-1 if attn_mask.shape[0] != 1 else 1,
                                      num_heads if attn_mask.shape[0] != 1 else 1,
                                      attn_mask.shape[1], attn_mask.shape[2])
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm

    if not training:
        dropout_p = 0.0
    perm = (0, 2, 1, 3) if batch_first else (1, 2, 0, 3)
    scale = math.sqrt(1.0 / float(head_dim)) if need_weights else 1.0 / math.sqrt(head_dim)
    res = ScaledDotProductAttention.apply(q, k, v, attn_mask, float(dropout_p),
                                          bool(is_causal and attn_mask is None), scale, 1, perm,
                                          bool(need_weights), not need_weights)
    out, weights = res if need_weights else (res, None)
    a0, a1 = out.shape[0], out.shape[1]
    out = _linear(out.reshape(a0 * a1, embed_dim), out_proj_weight, out_proj_bias)
    out = out.reshape(a0, a1, -1)
    if weights is not None and average_attn_weights:
        weights = weights.mean(dim=1)
    if not is_batched:
        out = out.squeeze(1)
        if weights is not None:
            weights = weights.squeeze(0)
    return out, weights


def _static(t, name, bsz, num_heads, head_dim, batch_first):
    """A static key/value ``(N * H, S, head_dim)`` as a view in the projections' layout."""
    if t.size(0) != bsz * num_heads:
        raise AssertionError(f"expecting static_{name}.size(0) of {bsz * num_heads}, but got "
                             f"{t.size(0)}")
    if t.size(2) != head_dim:
        raise AssertionError(f"expecting static_{name}.size(2) of {head_dim}, but got "
                             f"{t.size(2)}")
    t = t.reshape(bsz, num_heads, t.size(1), head_dim)
    return t.permute(0, 2, 1, 3) if batch_first else t.permute(2, 0, 1, 3)
