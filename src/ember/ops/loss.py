"""Loss kernels and their functional forms (``F.<name>_loss``): the reduction helpers
(torch's ``_Reduction``), the pointwise regression losses and the composite losses.

Hot-path losses are fused Functions, forward and backward on backend arrays with the
reduction inside: ``mse_loss``, ``l1_loss``, ``smooth_l1_loss``, ``huber_loss`` here, the
cross-entropy family in cross_entropy.py and ``ctc_loss`` in ctc.py. The rest (kl_div,
margin and embedding losses, ...) are compositions of ember ops, as in torch.
"""
from __future__ import annotations

import importlib
import math
import warnings

from ..autograd.function import Function
from .._tensor import Tensor, _make
from ._util import promote
from .activation import logsigmoid

__all__ = [
    "l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "kl_div", "poisson_nll_loss",
    "gaussian_nll_loss", "cosine_embedding_loss", "margin_ranking_loss",
    "hinge_embedding_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
    "multilabel_soft_margin_loss", "multilabel_margin_loss", "multi_margin_loss",
    "soft_margin_loss",
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


def _host_of(arr):
    from ..backend import get_xp
    return get_xp(arr)


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


# ---------------------------------------------------------------- names that moved out
def __getattr__(name):
    """The cross-entropy family and ctc_loss moved to cross_entropy.py and ctc.py; they stay
    importable from here."""
    if not name.startswith("__"):
        for mod in ("cross_entropy", "ctc"):
            module = importlib.import_module(f".{mod}", __package__)
            if name in module.__dict__:
                return module.__dict__[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
