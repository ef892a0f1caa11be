"""The connectionist temporal classification loss, ``ctc_loss``: the alpha/beta recursions
in log space, vectorised over the batch, in one fused Function.
"""
from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.function import Function
from .._tensor import Tensor, _make
from .loss import _MEAN, _SUM, _errstate, _get_enum, _host_of

__all__ = ["ctc_loss"]


# ---------------------------------------------------------------- CTC
_NEG_INF = float("-inf")


def _log3(xp, a1, a2, a3):
    """torch's ``log(exp(a1-m) + exp(a2-m) + exp(a3-m)) + m`` with ``m = max`` (0 if -inf)."""
    m = xp.maximum(xp.maximum(a1, a2), a3)
    m[m == _NEG_INF] = 0
    return xp.log(xp.exp(a1 - m) + xp.exp(a2 - m) + xp.exp(a3 - m)) + m


def _shift(xp, a, k, fill):
    """``a`` moved ``k`` positions along the last axis (right for k > 0), ``fill`` entering."""
    out = xp.full(a.shape, fill, a.dtype)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class CtcLoss(Function):
    """Per-sample negative log likelihood of the CTC alignment (Graves et al. 2006): the
    alpha recursion in log space over time, vectorised over batch and extended labels; the
    backward runs the beta recursion and gathers ``alpha * beta`` per class (as torch's CPU
    kernel, eq. 16)."""
    _arrays = True

    @staticmethod
    def forward(ctx, log_probs, targets, in_lens, tg_lens, blank, zero_infinity):
        xp = ctx.xp
        lp = log_probs.astype(_dt.float64.np)
        T, N, C = lp.shape
        lmax = int(tg_lens.max()) if N else 0
        S = 2 * lmax + 1
        tg = xp.full((N, max(lmax, 1)), blank, xp.int64)
        if targets.ndim == 1:
            offsets = xp.concatenate([xp.zeros(1, xp.int64), xp.cumsum(tg_lens)[:-1]])
        for b in range(N):
            n = int(tg_lens[b])
            if n:
                tg[b, :n] = targets[offsets[b]:offsets[b] + n] if targets.ndim == 1 \
                    else targets[b, :n]
        ext = xp.full((N, S), blank, xp.int64)
        ext[:, 1::2] = tg[:, :lmax]
        skip = xp.zeros((N, S), bool)
        skip[:, 2:] = ext[:, 2:] != ext[:, :-2]
        lpe = lp[:, xp.arange(N)[:, None], ext]                       # (T, N, S)
        alpha = xp.full((T, N, S), _NEG_INF)
        with _errstate(xp):
            if T:
                alpha[0, :, 0] = lpe[0, :, 0]
                if S > 1:
                    alpha[0, :, 1] = xp.where(tg_lens > 0, lpe[0, :, 1], _NEG_INF)
            for t in range(1, T):
                a1 = alpha[t - 1]
                a3 = xp.where(skip, _shift(xp, a1, 2, _NEG_INF), _NEG_INF)
                alpha[t] = _log3(xp, a1, _shift(xp, a1, 1, _NEG_INF), a3) + lpe[t]
            bidx = xp.arange(N)
            last = alpha[xp.maximum(in_lens - 1, 0), bidx]             # (N, S)
            l1 = last[bidx, 2 * tg_lens]
            l2 = xp.where(tg_lens > 0, last[bidx, xp.maximum(2 * tg_lens - 1, 0)], _NEG_INF)
            m = xp.maximum(l1, l2)
            m[m == _NEG_INF] = 0
            nll = -(xp.log(xp.exp(l1 - m) + xp.exp(l2 - m)) + m)
        inf = nll == float("inf")
        if zero_infinity:
            nll = xp.where(inf, 0.0, nll)
        ctx.save_for_backward(log_probs)
        ctx.out_dtype = log_probs.dtype
        ctx.meta = (lp, alpha, lpe, ext, skip, nll, inf, in_lens, tg_lens, zero_infinity)
        return nll.astype(log_probs.dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            # a gradient that is itself not differentiable (torch has no double backward)
            log_probs, = ctx.saved_tensors
            grad = CtcLoss._grad(ctx, g._data)
            return _CtcGrad.apply(log_probs, g, grad), None, None, None, None, None
        return CtcLoss._grad(ctx, g), None, None, None, None, None

    @staticmethod
    def _grad(ctx, g):
        lp, alpha, lpe, ext, skip, nll, inf, in_lens, tg_lens, zero_inf = ctx.meta
        xp = _host_of(lp)
        T, N, C = lp.shape
        S = ext.shape[1]
        bidx = xp.arange(N)
        beta = xp.full((T, N, S), _NEG_INF)
        skip_up = _shift(xp, skip, -2, False)           # s -> s + 2 allowed
        with _errstate(xp):
            for t in range(T - 1, -1, -1):
                if t < T - 1:
                    b1 = beta[t + 1]
                    b3 = xp.where(skip_up, _shift(xp, b1, -2, _NEG_INF), _NEG_INF)
                    beta[t] = _log3(xp, b1, _shift(xp, b1, -1, _NEG_INF), b3) + lpe[t]
                sel = xp.nonzero(in_lens - 1 == t)[0]
                if sel.size:
                    row = xp.full((sel.size, S), _NEG_INF)
                    s2 = 2 * tg_lens[sel]
                    k = xp.arange(sel.size)
                    row[k, s2] = lpe[t, sel, s2]
                    has = tg_lens[sel] > 0
                    row[k[has], s2[has] - 1] = lpe[t, sel[has], s2[has] - 1]
                    beta[t, sel] = row
            ab = alpha + beta
            mx = ab.max(axis=2, keepdims=True)
            mx[~xp.isfinite(mx)] = 0
            e = xp.exp(ab - mx)
            acc = xp.zeros((T, N, C))
            for s in range(S):
                acc[:, bidx, ext[:, s]] += e[:, :, s]
            lcab = xp.log(acc) + mx
            grad = xp.exp(lp) - xp.exp(lcab + nll[None, :, None] - lp)
        gr = xp.asarray(g, dtype=grad.dtype)
        grad *= gr[None, :, None]
        grad[xp.arange(T)[:, None] >= in_lens[None, :]] = 0
        if zero_inf:
            grad[:, inf] = 0
        return grad.astype(ctx.out_dtype, copy=False)


class _CtcGrad(Function):
    """The CTC gradient as a graph node whose own gradient is not implemented (as torch)."""
    _arrays = True

    @staticmethod
    def forward(ctx, log_probs, g, grad):
        return grad

    @staticmethod
    def backward(ctx, gg):
        raise RuntimeError("derivative for _ctc_loss_backward is not implemented")


def _lengths(v, name):
    if isinstance(v, Tensor):
        if v._data.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        return v._host().reshape(-1).astype("int64") if hasattr(v, "_host") else \
            v._data.reshape(-1).astype("int64")
    if not isinstance(v, (tuple, list)):
        raise TypeError(f"ctc_loss(): argument '{name}' must be a Tensor or a tuple of ints, "
                        f"not {type(v).__name__}")
    from ..backend.cpu import xp as host
    return host.asarray(v, dtype=host.int64).reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Compute the Connectionist Temporal Classification loss. See
    :class:`~ember.nn.CTCLoss` for details.

    Args:
        log_probs: :math:`(T, N, C)` or :math:`(T, C)`: the logarithmized probabilities of
            the outputs (e.g. from :func:`log_softmax`).
        targets: :math:`(N, S)` padded, or :math:`(\\operatorname{sum}(\\text{target\\_lengths}))`
            concatenated; they cannot be blank.
        input_lengths: :math:`(N)` or :math:`()`: lengths of the inputs (each :math:`\\leq T`)
        target_lengths: :math:`(N)` or :math:`()`: lengths of the targets
        blank (int, optional): Blank label. Default :math:`0`.
        reduction (str, optional): ``'none'`` | ``'mean'`` | ``'sum'``: ``'mean'`` divides the
            output losses by the target lengths and then takes the mean over the batch.
        zero_infinity (bool, optional): Whether to zero infinite losses and the associated
            gradients. Default: ``False``
    """
    red = _get_enum(reduction)
    batched = log_probs.ndim == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    il = _lengths(input_lengths, "input_lengths")
    tl = _lengths(target_lengths, "target_lengths")
    t = targets._host() if hasattr(targets, "_host") else targets._data
    t = t.astype("int64")
    if lp.ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional "
                           "tensor for argument #1 'log_probs' (while checking arguments for "
                           "ctc_loss_allocate_outputs)")
    T, N, C = lp.shape
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    if il.size != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl.size != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    where_ = "(while checking arguments for ctc_loss_cpu)"
    for b in range(N):
        if tl[b] < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got "
                               f"value {tl[b]} {where_}")
    if t.ndim == 1:
        if t.shape[0] != int(tl.sum()):
            raise RuntimeError(f"Expected tensor to have size {int(tl.sum())} at dimension 0, "
                               f"but got size {t.shape[0]} for argument #2 'targets' {where_}")
    elif t.ndim == 2:
        if t.shape[0] != N:
            raise RuntimeError(f"Expected tensor to have size {N} at dimension 0, but got size "
                               f"{t.shape[0]} for argument #2 'targets' {where_}")
        if N and t.shape[1] < tl.max():
            raise RuntimeError(f"Expected tensor to have size at least {int(tl.max())} at "
                               f"dimension 1, but got size {t.shape[1]} for argument #2 "
                               f"'targets' {where_}")
    else:
        raise RuntimeError(f"Expected 1 to 3 dimensions, but got {t.ndim}-dimensional tensor "
                           f"for argument #2 'targets' {where_}")
    for b in range(N):
        if il[b] < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got "
                               f"value {il[b]} {where_}")
        if il[b] > T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got "
                               f"value {il[b]} {where_}")
    res = CtcLoss.apply(lp, t, il, tl, blank, bool(zero_infinity))
    if red == _MEAN:
        from ..backend.cpu import xp as host
        denom = _make(host.maximum(tl, 1).astype(res._data.dtype), False, None, 0)
        return (res / denom).mean()
    if red == _SUM:
        return res.sum()
    return res if batched else res.squeeze(0)
