"""The cross-entropy family: binary_cross_entropy(_with_logits), cross_entropy and nll_loss.

Fused Functions, forward and backward on backend arrays with the reduction inside:
``cross_entropy`` with class indices is log_softmax + nll in one node (grad
``softmax - onehot``); with class probabilities (or label smoothing) it is a composition.
"""
from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.function import Function
from .._tensor import _make
from .activation import logsigmoid
from .loss import (_MEAN, _NONE, _SUM, _broadcast_check, _errstate, _host_of, _reduce_arr,
                   _reduction, _scale, _size)
from .softmax import LogSoftmax, Softmax, _log_softmax_arr, _work

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "nll_loss"]


# ---------------------------------------------------------------- binary cross-entropy
class BinaryCrossEntropy(Function):
    """``-w (t log(x) + (1 - t) log(1 - x))`` with both logs clamped at -100 (as torch)."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, t, w, red):
        xp = ctx.xp
        ctx.save_for_backward(x, t, w)
        ctx.red, ctx.n = red, x.size
        if x.size and not bool(((x >= 0) & (x <= 1)).all()):
            raise RuntimeError("all elements of input should be between 0 and 1")
        if t.size and not bool(((t >= 0) & (t <= 1)).all()):
            raise RuntimeError("all elements of target should be between 0 and 1")
        with _errstate(xp):
            lo = xp.maximum(xp.log1p(-x), -100.0)
            lx = xp.maximum(xp.log(x), -100.0)
        loss = (t - 1) * lo - t * lx
        if w is not None:
            loss = loss * w
        return _reduce_arr(xp, loss.astype(x.dtype, copy=False), red)

    @staticmethod
    def backward(ctx, g):
        x, t, w = ctx.saved_tensors
        xp = ctx.xp
        s = _scale(g, ctx.red, ctx.n)
        if w is not None:
            s = s * w
        need_x, need_t = ctx.needs_input_grad[:2]
        gx = gt = None
        if need_x:
            gx = (x - t) / ((1 - x) * x).clip(1e-12) * s
        if need_t:
            with _errstate(xp):
                gt = -xp.log(x / (1 - x)) * s
        return gx, gt, None, None


class BinaryCrossEntropyWithLogits(Function):
    """``(1 - t) x - lw * logsigmoid(x)`` with ``lw = (pos_weight - 1) t + 1``, times w."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, t, w, pw, red):
        xp = ctx.xp
        ctx.save_for_backward(x, t, w, pw)
        ctx.red = red
        ls = xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))
        if pw is not None:
            ls = ls * ((pw - 1) * t + 1)
        loss = (1 - t) * x - ls
        if w is not None:
            loss = loss * w
        ctx.n = loss.size
        return _reduce_arr(xp, loss.astype(x.dtype, copy=False), red)

    @staticmethod
    def backward(ctx, g):
        x, t, w, pw = ctx.saved_tensors
        xp = ctx.xp
        s = _scale(g, ctx.red, ctx.n)
        if w is not None:
            s = s * w
        need_x, need_t = ctx.needs_input_grad[:2]
        gx = gt = None
        if ctx.create_graph:
            sig, lsp, lsn = x.sigmoid(), logsigmoid(x), logsigmoid(-x)
        else:
            from .activation import _sigmoid_arr
            sig = _sigmoid_arr(xp, x)
            e = xp.log1p(xp.exp(-xp.abs(x)))
            lsp, lsn = xp.minimum(x, 0) - e, xp.minimum(-x, 0) - e
        if need_x:
            if pw is not None:
                pt = pw * t
                gx = ((pt + 1 - t) * sig - pt) * s
            else:
                gx = (sig - t) * s
        if need_t:
            gt = (lsn - lsp * pw) * s if pw is not None else -x * s
        return gx, gt, None, None, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Compute Binary Cross Entropy between the target and input probabilities. See
    :class:`~ember.nn.BCELoss` for details."""
    red = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({_size(target)}) that is different to the input "
                         f"size ({_size(input)}) is deprecated. Please ensure they have the same "
                         "size.")
    if weight is not None:
        weight = weight.expand(_broadcast_check(target, weight))
    return BinaryCrossEntropy.apply(input, target, weight, red)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Compute Binary Cross Entropy between target and input logits (a sigmoid layer and
    BCELoss in one, numerically more stable). See :class:`~ember.nn.BCEWithLogitsLoss`."""
    red = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({_size(target)}) must be the same as input size "
                         f"({_size(input)})")
    _broadcast_check(input, weight, pos_weight)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, red)


# ---------------------------------------------------------------- cross-entropy, nll
def _class_targets(x, target, weight, ignore_index, name="nll_loss"):
    """torch's checks of (input, class-index target, weight); returns the class axis."""
    nd = x.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if target.dtype.kind not in "iu" or target.dtype.itemsize not in (8, 1) or \
            (target.dtype.kind == "i" and target.dtype.itemsize == 1):
        tn = _dt.FROM_NP[target.dtype].name
        names = {"int32": "Int", "int16": "Short", "int8": "Char", "float32": "Float",
                 "float64": "Double", "bool": "Bool", "float16": "Half"}
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{names.get(tn, tn)}")
    if nd != 1 and x.shape[0] != target.shape[0] if target.ndim else nd != 1:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.ndim else 1}).")
    if nd <= 2:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if not (nd == 1 and target.ndim == 0) and x.shape[0] != target.shape[0]:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)}, target: "
                               f"{list(target.shape)})")
    elif nd == 4:
        if target.ndim != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {target.ndim}")
        if target.shape != x.shape[:1] + x.shape[2:]:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: "
                               f"{list(target.shape)}")
    elif target.shape[1:] != x.shape[2:]:
        raise RuntimeError(f"Expected target size {[x.shape[0]] + list(x.shape[2:])}, got "
                           f"{list(target.shape)}")
    axis = 1 if nd > 1 else 0
    c = x.shape[axis]
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    bad = (target != ignore_index) & ((target < 0) | (target >= c))
    if bad.any():
        raise IndexError(f"Target {int(target[bad].reshape(-1)[0])} is out of bounds.")
    return axis


def _target_weights(xp, target, weight, ignore_index, dtype):
    """(class index with ignored -> 0, per-target weight (0 where ignored), valid mask)."""
    valid = target != ignore_index
    tgt = xp.where(valid, target, 0) if not valid.all() else target
    if weight is not None:
        wt = weight[tgt].astype(dtype, copy=False) * valid
    else:
        wt = valid.astype(dtype)
    return tgt, wt, valid


def _put_class(xp, arr, tgt, axis, values):
    """``arr[..., tgt, ...] += values`` along the class axis (one entry per sample)."""
    if arr.ndim == 2 and axis == 1:
        rows = xp.arange(arr.shape[0])
        arr[rows, tgt] += values
    elif arr.ndim == 1:
        arr[tgt] += values
    else:
        idx = xp.expand_dims(tgt, axis)
        cur = xp.take_along_axis(arr, idx, axis)
        xp.put_along_axis(arr, idx, cur + xp.expand_dims(values, axis), axis)


def _take_class(xp, arr, tgt, axis):
    if arr.ndim == 2 and axis == 1:
        return arr[xp.arange(arr.shape[0]), tgt]
    if arr.ndim == 1:
        return arr[tgt]
    return xp.take_along_axis(arr, xp.expand_dims(tgt, axis), axis).squeeze(axis)


class CrossEntropy(Function):
    """Cross-entropy with class indices as one node: log_softmax and the (weighted, smoothed,
    ignore-aware) nll in forward; ``softmax * A - a`` in backward, with ``a`` the per-class
    target weights (``(1 - ls) w_t onehot + ls / C w``) and ``A = sum(a)``."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, target, weight, red, ignore_index, ls):
        xp = ctx.xp
        axis = 1 if x.ndim > 1 else 0
        c = x.shape[axis]
        logp = _log_softmax_arr(xp, _work(x), axis) if x.size else _work(x).copy()
        dt = logp.dtype
        if weight is not None:
            weight = weight.astype(dt, copy=False)
        tgt, wt, valid = _target_weights(xp, target, weight, ignore_index, dt)
        loss = _take_class(xp, logp, tgt, axis)
        loss *= wt
        loss = -loss
        if ls > 0:
            if weight is not None:
                shape = [1] * x.ndim
                shape[axis] = c
                smooth = (logp * weight.reshape(shape)).sum(axis=axis)
            else:
                smooth = logp.sum(axis=axis)
            loss = loss * (1 - ls) - smooth * valid * (ls / c)
        denom = wt.sum() if red == _MEAN else None
        ctx.save_for_backward(x, logp)
        ctx.meta = (axis, red, ls, tgt, wt, valid, weight, denom)
        return _reduce_arr(xp, loss, red, denom).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, logp = ctx.saved_tensors
        axis, red, ls, tgt, wt, valid, weight, denom = ctx.meta
        xp = ctx.xp
        c = x.shape[axis]
        if ctx.create_graph:
            return CrossEntropy._graph_backward(ctx, g, x, axis, red, ls, tgt, wt, valid,
                                                weight, denom), None, None, None, None, None
        coef = _mean_coef(g, denom) if red == _MEAN else g     # per sample, or a scalar
        wsum = (weight.sum() if weight is not None else c) * (ls / c)
        big_a = wt * (1 - ls) + valid * wsum if ls > 0 else wt
        k = big_a * coef
        gx = xp.exp(logp)
        gx *= xp.expand_dims(k, axis) if k.ndim else k
        _put_class(xp, gx, tgt, axis, -(wt * (1 - ls)) * coef)
        if ls > 0:
            vc = valid * coef
            w = weight if weight is not None else xp.ones(c, gx.dtype)
            shape = [1] * x.ndim
            shape[axis] = c
            gx -= xp.expand_dims(vc, axis) * (w.reshape(shape) * (ls / c))
        return gx, None, None, None, None, None

    @staticmethod
    def _graph_backward(ctx, g, x, axis, red, ls, tgt, wt, valid, weight, denom):
        """Under create_graph: the same formula with ember ops (differentiable in x and g)."""
        xp = _host_of(tgt)
        c = x.shape[axis]
        a = xp.zeros(tuple(x.shape), wt.dtype)
        _put_class(xp, a, tgt, axis, wt * (1 - ls))
        if ls > 0:
            w = weight if weight is not None else xp.ones(c, wt.dtype)
            shape = [1] * x.ndim
            shape[axis] = c
            a += xp.expand_dims(valid.astype(wt.dtype), axis) * (w.reshape(shape) * (ls / c))
        big_a = a.sum(axis=axis, keepdims=True)
        p = Softmax.apply(x, axis)
        inner = p * _make(big_a.astype(x._data.dtype), False, None, 0) - \
            _make(a.astype(x._data.dtype), False, None, 0)
        if red == _NONE:
            return inner * g.unsqueeze(axis)
        return inner * (_mean_coef(g, float(denom)) if red == _MEAN else g)


def _mean_coef(g, denom):
    """``g / total_weight``; every target ignored gives a zero gradient (as torch), not nan."""
    return g / denom if denom != 0 else g * 0


class NllLoss(Function):
    """``-w_t x[t]`` per sample (ignored targets give 0), reduced; the mean divides by the
    sum of the target weights."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, target, weight, red, ignore_index):
        xp = ctx.xp
        axis = 1 if x.ndim > 1 else 0
        tgt, wt, valid = _target_weights(xp, target, weight, ignore_index, x.dtype)
        loss = -(_take_class(xp, x, tgt, axis) * wt)
        denom = wt.sum() if red == _MEAN else None
        ctx.meta = (axis, red, tgt, wt, denom, x.shape)
        ctx.save_for_backward(x)
        return _reduce_arr(xp, loss, red, denom).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        axis, red, tgt, wt, denom, shape = ctx.meta
        xp = _host_of(tgt)
        a = xp.zeros(shape, wt.dtype)
        _put_class(xp, a, tgt, axis, -wt)
        if ctx.create_graph:
            # linear in g; torch's double backward in x is zero (x * 0 keeps it connected)
            x, = ctx.saved_tensors
            a = _make(a, False, None, 0)
            gr = g.unsqueeze(axis) if red == _NONE else \
                _mean_coef(g, float(denom)) if red == _MEAN else g
            return a * gr + x * 0, None, None, None, None
        if red == _NONE:
            a *= xp.expand_dims(g, axis) if g.ndim else g
        else:
            a *= _mean_coef(g, denom) if red == _MEAN else g
        return a, None, None, None, None


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Compute the negative log likelihood loss. See :class:`~ember.nn.NLLLoss` for details.

    Args:
        input: :math:`(N, C)` where `C = number of classes` or :math:`(N, C, H, W)` in case of
            2D Loss, or :math:`(N, C, d_1, d_2, ..., d_K)` where :math:`K \\geq 1` in the case
            of K-dimensional loss. `input` is expected to be log-probabilities.
        target: :math:`(N)` where each value is :math:`0 \\leq \\text{targets}[i] \\leq C-1`,
            or :math:`(N, d_1, d_2, ..., d_K)` where :math:`K \\geq 1` for K-dimensional loss.
    """
    red = _reduction(size_average, reduce, reduction)
    _class_targets(input._data, target._data, None if weight is None else weight._data,
                   ignore_index)
    return NllLoss.apply(input, target, weight, red, ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Compute the cross entropy loss between input logits and target: class indices in
    :math:`[0, C)` or class probabilities. See :class:`~ember.nn.CrossEntropyLoss` for
    details.

    Args:
        input (Tensor): Predicted unnormalized logits; :math:`(C)`, :math:`(N, C)` or
            :math:`(N, C, d_1, ..., d_K)`.
        target (Tensor): class indices (:math:`()`, :math:`(N)` or :math:`(N, d_1, ...,
            d_K)`) or class probabilities (same shape as the input).
        weight (Tensor, optional): a manual rescaling weight given to each class.
        ignore_index (int, optional): a target value that is ignored and does not contribute
            to the input gradient (class indices only). Default: -100
        reduction (str, optional): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``
        label_smoothing (float, optional): the amount of smoothing, in [0.0, 1.0]. Default: 0.0

    Examples::

        >>> import ember
        >>> input = ember.tensor([[2.0, 0.0], [0.0, 2.0]])
        >>> ember.nn.functional.cross_entropy(input, ember.tensor([0, 1]))
        tensor(0.1269)
    """
    red = _reduction(size_average, reduce, reduction)
    x, t = input._data, target._data
    if x.shape == t.shape:
        if t.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_tname(t.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if not 0.0 <= label_smoothing <= 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing}")
        return _cross_entropy_probs(input, target, weight, red, label_smoothing)
    if label_smoothing > 0.0 and label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    _class_targets(x, t, None if weight is None else weight._data, ignore_index)
    return CrossEntropy.apply(input, target, weight, red, ignore_index, float(label_smoothing))


def _tname(np_dtype):
    from ._util import type_name
    return type_name(np_dtype)


def _cross_entropy_probs(input, target, weight, red, ls):
    axis = 1 if input.ndim > 1 else 0
    c = input.shape[axis]
    logp = LogSoftmax.apply(input, axis)
    if ls > 0:
        target = target * (1 - ls) + ls / c
    prod = logp * target
    if weight is not None:
        shape = [1] * input.ndim
        shape[axis] = c
        prod = prod * weight.reshape(shape)
    if red == _NONE:
        return -prod.sum(axis)
    total = -prod.sum()
    if red == _SUM:
        return total
    n = input.numel() // c if c else 0
    return total / n if n else total * float("nan")
