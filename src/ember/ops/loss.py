"""Loss kernels and their functional forms (``F.<name>_loss``).

Hot-path losses are fused Functions, forward and backward on backend arrays with the
reduction inside: ``cross_entropy`` with class indices (log_softmax + nll in one node, grad
``softmax - onehot``), ``nll_loss``, ``mse_loss``, ``l1_loss``, ``smooth_l1_loss``,
``huber_loss``, ``binary_cross_entropy(_with_logits)`` and ``ctc_loss`` (alpha/beta
recursions in log space, vectorised over the batch). The rest are compositions of ember ops,
as in torch.
"""
from __future__ import annotations

import math
import warnings

from .. import dtypes as _dt
from ..autograd.function import Function
from .._tensor import Tensor, _make
from ._util import promote
from .activation import (LogSoftmax, Softmax, _log_softmax_arr, _work,
                         logsigmoid)

__all__ = [
    "l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss",
    "gaussian_nll_loss", "cosine_embedding_loss", "margin_ranking_loss",
    "hinge_embedding_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
    "multilabel_soft_margin_loss", "multilabel_margin_loss", "multi_margin_loss",
    "soft_margin_loss", "ctc_loss",
]

_NONE, _MEAN, _SUM = 0, 1, 2


# ---------------------------------------------------------------- reductions (torch's _Reduction)
def _get_enum(reduction):
    if reduction == "none":
        return _NONE
    if reduction == "mean":
        return _MEAN
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=3)
        return _MEAN
    if reduction == "sum":
        return _SUM
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_get_string(size_average, reduce, emit_warning=True):
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    return _get_enum(reduction)


def _reduce(loss, red):
    """The reduction of a composite loss (ember ops)."""
    if red == _MEAN:
        return loss.mean()
    if red == _SUM:
        return loss.sum()
    return loss


def _reduce_arr(xp, loss, red, denom=None):
    if red == _NONE:
        return loss
    s = loss.sum()
    if red == _MEAN:
        s = s / (loss.size if denom is None else denom)
    return xp.asarray(s, dtype=loss.dtype)


def _scale(g, red, n):
    """The upstream gradient of a reduced loss as a factor of the pointwise derivative."""
    return g / n if red == _MEAN else g


def _size(t):
    return "torch.Size([" + ", ".join(str(s) for s in t.shape) + "])"


def _warn_size(input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({_size(target)}) that is different to the input "
                      f"size ({_size(input)}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def _broadcast_check(*tensors):
    from .movement import broadcast_shapes
    return broadcast_shapes(*[tuple(t.shape) for t in tensors if isinstance(t, Tensor)])


# ---------------------------------------------------------------- pointwise regression losses
class _Pointwise(Function):
    """``reduce(l(x, t))`` for a pointwise loss ``l`` whose derivative in ``x`` is ``d(x, t)``
    and in ``t`` is ``-d`` (losses of ``x - t``). Subclasses give ``loss`` and ``deriv``."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, t, red, param):
        x, t = promote(x, t)
        ctx.save_for_backward(x, t)
        ctx.red, ctx.param = red, param
        xp = ctx.xp
        if x.shape != t.shape:
            x, t = xp.broadcast_arrays(x, t)
        ctx.n = x.size
        return _reduce_arr(xp, type(ctx).loss(xp, x - t, param), red)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        d = type(ctx).deriv(ctx.xp, x - t, ctx.param) * _scale(g, ctx.red, ctx.n)
        need_x, need_t = ctx.needs_input_grad[:2]
        return (d if need_x else None), (-d if need_t else None), None, None


class MseLoss(_Pointwise):
    @staticmethod
    def loss(xp, d, _):
        return d * d

    @staticmethod
    def deriv(xp, d, _):
        return d * 2


class L1Loss(_Pointwise):
    @staticmethod
    def loss(xp, d, _):
        return xp.abs(d)

    @staticmethod
    def deriv(xp, d, _):
        return xp.sign(d)


class SmoothL1Loss(_Pointwise):
    @staticmethod
    def loss(xp, d, beta):
        z = xp.abs(d)
        return xp.where(z < beta, z * z * (0.5 / beta), z - 0.5 * beta)

    @staticmethod
    def deriv(xp, d, beta):
        return xp.where(d <= -beta, d * 0 - 1, xp.where(d >= beta, d * 0 + 1, d / beta))


class HuberLoss(_Pointwise):
    @staticmethod
    def loss(xp, d, delta):
        z = xp.abs(d)
        return xp.where(z < delta, z * z * 0.5, (z - 0.5 * delta) * delta)

    @staticmethod
    def deriv(xp, d, delta):
        return xp.where(d <= -delta, d * 0 - delta, xp.where(d >= delta, d * 0 + delta, d))


def _pointwise(cls, input, target, red, param=None):
    _broadcast_check(input, target)
    return cls.apply(input, target, red, param)


def _weighted(loss, weight, input, reduction, mean_by_weight):
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Compute the L1 loss, with optional weighting: the mean element-wise absolute value
    difference. See :class:`~ember.nn.L1Loss` for details."""
    _warn_size(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    if weight is not None:
        _broadcast_check(input, target)
        return _weighted((input - target).abs(), weight, input, reduction, True)
    return _pointwise(L1Loss, input, target, _get_enum(reduction))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Compute the element-wise mean squared error, with optional weighting. See
    :class:`~ember.nn.MSELoss` for details."""
    _warn_size(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    if weight is not None:
        _broadcast_check(input, target)
        return _weighted((input - target) ** 2, weight, input, reduction, True)
    return _pointwise(MseLoss, input, target, _get_enum(reduction))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Compute the Smooth L1 loss: a squared term if the absolute element-wise error falls
    below beta and an L1 term otherwise. See :class:`~ember.nn.SmoothL1Loss` for details."""
    _warn_size(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    red = _get_enum(reduction)
    if beta == 0.0:
        return _pointwise(L1Loss, input, target, red)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _pointwise(SmoothL1Loss, input, target, red, beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Compute the Huber loss, with optional weighting: a squared term if the absolute
    element-wise error falls below delta and a delta-scaled L1 term otherwise."""
    _warn_size(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        loss = _pointwise(HuberLoss, input, target, _NONE, delta)
        return _weighted(loss, weight, input, reduction, False)
    return _pointwise(HuberLoss, input, target, _get_enum(reduction), delta)


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


class _errstate:
    def __init__(self, xp):
        self.cm = xp.errstate(divide="ignore", invalid="ignore") if hasattr(xp, "errstate") \
            else None

    def __enter__(self):
        if self.cm is not None:
            self.cm.__enter__()

    def __exit__(self, *exc):
        if self.cm is not None:
            self.cm.__exit__(*exc)


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


def _host_of(arr):
    from ..backend import get_xp
    return get_xp(arr)


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


# ---------------------------------------------------------------- composite losses
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Compute the KL Divergence loss: ``target * (log(target) - input)`` pointwise, ``input``
    being log-probabilities (``target`` too when ``log_target``). See
    :class:`~ember.nn.KLDivLoss` for details."""
    if size_average is not None or reduce is not None:
        red = _get_enum(_legacy_get_string(size_average, reduce))
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        red = _SUM if reduction == "batchmean" else _get_enum(reduction)
    from .floatmath import xlogy
    if log_target:
        out = target.exp() * (target - input)
    else:
        out = xlogy(target, target) - target * input
    out = _reduce(out, red)
    if reduction == "batchmean" and input.ndim != 0:
        out = out / input.shape[0]
    return out


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Compute the Poisson negative log likelihood loss: ``exp(input) - target * input`` when
    ``log_input``, else ``input - target * log(input + eps)``; ``full`` adds the Stirling
    approximation term. See :class:`~ember.nn.PoissonNLLLoss` for details."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        from .selection import where
        stirling = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + where(target <= 1, stirling * 0, stirling)
    return _reduce(loss, _get_enum(reduction))


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Compute the Gaussian negative log likelihood loss: ``0.5 * (log(max(var, eps)) +
    (input - target)**2 / max(var, eps))`` (plus ``0.5 log(2 pi)`` when ``full``). See
    :class:`~ember.nn.GaussianNLLLoss` for details."""
    from ..autograd.grad_mode import no_grad
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        from .creation import ones_like
        var = var * ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(
                y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, _get_enum(reduction))


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """Compute the cosine embedding loss: ``1 - cos(x1, x2)`` where ``target == 1``,
    ``max(0, cos(x1, x2) - margin)`` where ``target == -1``. See
    :class:`~ember.nn.CosineEmbeddingLoss` for details."""
    red = _reduction(size_average, reduce, reduction)
    td = target.ndim
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if td == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    if td == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    from .selection import where
    eps = 1e-12
    prod = (input1 * input2).sum(td)
    mag1 = (input1 * input1).sum(td) + eps
    mag2 = (input2 * input2).sum(td) + eps
    cos = prod / (mag1 * mag2).sqrt()
    zeros = cos * 0
    out = where(target == 1, 1 - cos, zeros) + where(target == -1, (cos - margin).clamp_min(0),
                                                     zeros)
    return _reduce(out, red)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """Compute the margin ranking loss: ``max(0, -target * (input1 - input2) + margin)``. See
    :class:`~ember.nn.MarginRankingLoss` for details."""
    red = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {_size(input1)}, input2: {_size(input2)}, "
                           f"target: {_size(target)} ")
    _broadcast_check(input1, input2, target)
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), red)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """Compute the hinge embedding loss: ``x`` where ``target == 1``, ``max(0, margin - x)``
    where ``target == -1``. See :class:`~ember.nn.HingeEmbeddingLoss` for details."""
    from .selection import where
    red = _reduction(size_average, reduce, reduction)
    _broadcast_check(input, target)
    zeros = input * 0
    out = where(target != 1, (margin - input).clamp_min(0), zeros) + \
        where(target != -1, input, zeros)
    return _reduce(out, red)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Compute the soft margin loss: ``log(1 + exp(-target * input))``. See
    :class:`~ember.nn.SoftMarginLoss` for details."""
    red = _reduction(size_average, reduce, reduction)
    _broadcast_check(input, target)
    return _reduce((-input * target).exp().log1p(), red)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Compute the multilabel soft margin loss (one-versus-all, max-entropy), averaged over
    the classes. See :class:`~ember.nn.MultiLabelSoftMarginLoss` for details."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Compute the multi-class multi-classification hinge loss: for each sample, the sum over
    its target classes ``j`` (``target`` lists them, ended by -1) and the other classes ``k``
    of ``max(0, 1 - (x[j] - x[k]))``, divided by the number of classes."""
    red = _reduction(size_average, reduce, reduction)
    nd = input.ndim
    t = target._data
    if nd > 2 or (nd <= 1 and t.ndim > 1) or tuple(t.shape) != tuple(input.shape) and not (
            nd == 0 and t.size == 1):
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: "
                           f"{list(input.shape)}")
    c = input.shape[-1] if nd else 1
    x = input if nd == 2 else input.reshape(1, c)
    xp = _host_of(t)
    t2 = t.reshape(-1, c).astype(xp.int64)
    if ((t2 < -1) | (t2 >= c)).any():
        raise RuntimeError("argument #2 'target' is out of range")
    live = xp.cumprod(t2 >= 0, axis=1).astype(bool)          # entries before the first -1
    cnt = xp.zeros(t2.shape, x._data.dtype)
    rows = xp.broadcast_to(xp.arange(t2.shape[0])[:, None], t2.shape)
    xp.add.at(cnt, (rows[live], t2[live]), 1)
    other = (cnt == 0).astype(x._data.dtype)
    pair = _make(cnt[:, :, None] * other[:, None, :], False, None, 0)
    z = (1 - x.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0)
    loss = (z * pair).sum((1, 2)) / c
    if nd < 2:
        loss = loss.reshape(())
    return _reduce(loss, red)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Compute the multi-class classification hinge loss: per sample, the sum over ``i !=
    y`` of ``max(0, margin - x[y] + x[i])**p`` (times ``weight[y]``), divided by the number
    of classes. See :class:`~ember.nn.MultiMarginLoss` for details."""
    red = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    nd = input.ndim
    c = input.shape[-1] if nd else 1
    n = input.shape[0] if nd == 2 else 1
    t = target._data.reshape(-1)
    if nd > 2 or t.size != n:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to "
                           f"the number of input samples (batch size). Expected target size "
                           f"[{n}], but got {list(target.shape)}. Input shape: "
                           f"{list(input.shape)}")
    if ((t < 0) | (t >= c)).any():
        raise RuntimeError("target out of range")
    xp = _host_of(t)
    x = input.reshape(n, c)
    onehot = xp.zeros((n, c), bool)
    onehot[xp.arange(n), t] = True
    xy = x[_make(onehot, False, None, 0)].reshape(n, 1)
    z = (margin - xy + x).clamp_min(0)
    if p == 2:
        z = z * z
    z = z * _make((~onehot).astype(x._data.dtype), False, None, 0)
    if weight is not None:
        z = z * weight[_make(t, False, None, 0)].reshape(n, 1)
    loss = z.sum(1) / c
    if nd < 2:
        loss = loss.reshape(())
    return _reduce(loss, red)


def _pairwise_distance(x1, x2, p, eps):
    from .reduce import norm
    return norm(x1 - x2 + eps, p, max(x1.ndim, x2.ndim) - 1)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """Compute the triplet loss between anchor, positive and negative samples:
    ``max(d(a, p) - d(a, n) + margin, 0)`` with the p-norm pairwise distance. See
    :class:`~ember.nn.TripletMarginLoss` for details."""
    red = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, pd, nd = anchor.ndim, positive.ndim, negative.ndim
    if not (a == pd == nd):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {a}D, positive "
                           f"{pd}D, and negative {nd}D inputs")
    d_pos = _pairwise_distance(anchor, positive, p, eps)
    d_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        from .selection import minimum
        d_neg = minimum(d_neg, _pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp_min(0), red)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """Compute the triplet margin loss with a custom distance function (default: the
    pairwise distance). See :class:`~ember.nn.TripletMarginWithDistanceLoss` for details."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, pd, nd = anchor.ndim, positive.ndim, negative.ndim
    if not (a == pd == nd):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {a}D, positive "
                           f"{pd}D, and negative {nd}D inputs")
    if distance_function is None:
        def distance_function(x1, x2):
            return _pairwise_distance(x1, x2, 2.0, 1e-6)
    d_pos = distance_function(anchor, positive)
    d_neg = distance_function(anchor, negative)
    if swap:
        from .selection import minimum
        d_neg = minimum(d_neg, distance_function(positive, negative))
    loss = (margin + d_pos - d_neg).clamp_min(0)
    return _reduce(loss, _get_enum(reduction))


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
