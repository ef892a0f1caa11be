"""Dropout: dropout, alpha_dropout, feature_alpha_dropout, dropout1d/2d/3d and the
``torch.dropout``-style top-level forms.

The keep mask is drawn from the default generator (one random byte per element when ``p`` is
a multiple of 1/256) and saved for backward, which multiplies by it again.
"""
from __future__ import annotations

import math
import warnings

from ..autograd.function import Function
from ..backend.cpu import xp as _host
from ..backend.pool import empty as _pooled
from ._util import inplace, type_name

__all__ = ["dropout", "alpha_dropout", "dropout1d", "dropout2d", "dropout3d",
           "feature_alpha_dropout"]


# ---------------------------------------------------------------- dropout
def _keep_mask(shape, p, like):
    """A bool array, True with probability ``1 - p``: one random byte per element when ``p``
    is a multiple of 1/256, else a uint32 draw compared against ``p * 2**32``."""
    from .random import _generator
    bits = _generator(None).bit_generator
    n = 1
    for s in shape:
        n *= s
    k = p * 256
    keep = _pooled(_host, (n,), bool)
    if k == int(k):
        r = bits.random_raw((n + 7) // 8).view(_host.uint8)[:n]
        _host.greater_equal(r, int(k), out=keep)
    else:
        r = bits.random_raw((n + 1) // 2).view(_host.uint32)[:n]
        _host.greater_equal(r, min(int(round(p * 4294967296.0)), 4294967295), out=keep)
    keep = keep.reshape(shape)
    if type(like) is not _host.ndarray:
        from ..backend import get_xp
        keep = get_xp(like).asarray(keep)
    return keep


class Dropout(Function):
    """``x * keep / (1 - p)`` with a Bernoulli(1 - p) ``keep`` of ``mask_shape`` (the input's
    shape, or (N, C, 1, ...) for channel-wise dropout), drawn from the default generator."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, p, mask_shape):
        if x.dtype.kind not in "fc":
            raise RuntimeError(f"result type Float can't be cast to the desired output type "
                               f"{type_name(x.dtype)}")
        keep = _keep_mask(mask_shape, p, x)
        scale = 1.0 / (1.0 - p)
        out = ctx.xp.multiply(x, scale, out=_pooled(ctx.xp, x.shape, x.dtype))
        out *= keep
        ctx.scale = scale
        ctx.save_for_backward(keep)
        return out

    @staticmethod
    def backward(ctx, g):
        keep, = ctx.saved_tensors
        if ctx.create_graph:
            return g * keep * ctx.scale, None, None
        gx = ctx.xp.multiply(g, keep, out=_pooled(ctx.xp, g.shape, g.dtype))
        if gx.ndim == 0:
            return gx * ctx.scale, None, None
        gx *= ctx.scale
        return gx, None, None


class AlphaDropout(Function):
    """``x * a * keep + b`` (keep ~ Bernoulli(1 - p)) keeping SELU's zero mean, unit
    variance: ``a = 1 / sqrt((alpha^2 p + 1)(1 - p))``, ``b = alpha a (p - 1 + keep)``."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, p, mask_shape):
        alpha = 1.7580993408473766
        a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
        keep = _keep_mask(mask_shape, p, x)
        noise = keep.astype(x.dtype)
        b = (noise - 1) * (alpha * a) + alpha * a * p
        noise *= a
        ctx.save_for_backward(noise)
        return x * noise + b

    @staticmethod
    def backward(ctx, g):
        noise, = ctx.saved_tensors
        return g * noise, None, None


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _zeros_times(input):
    from .creation import zeros
    return input * zeros((), dtype=input.dtype)


def _dropout_impl(cls, input, p, training, inplace_flag, feature):
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        if inplace_flag:
            return inplace(lambda t: _zeros_times(t), input)
        return _zeros_times(input)
    shape = tuple(input.shape)
    if feature:
        if len(shape) < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        mask = shape[:2] + (1,) * (len(shape) - 2)
    else:
        mask = shape
    if inplace_flag:
        return inplace(cls.apply, input, p, mask)
    return cls.apply(input, p, mask)


def dropout(input, p=0.5, training=True, inplace=False):
    """During training, randomly zeroes some elements of the input tensor with probability
    :attr:`p`, and scales the output by :math:`\\frac{1}{1-p}`."""
    _check_p(p)
    return _dropout_impl(Dropout, input, p, training, inplace, False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Apply alpha dropout to the input. See :class:`~ember.nn.AlphaDropout` for details."""
    _check_p(p)
    return _dropout_impl(AlphaDropout, input, p, training, inplace, False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Randomly masks out entire channels with alpha dropout (the values SELU's negative
    saturation). See :class:`~ember.nn.FeatureAlphaDropout` for details."""
    _check_p(p)
    return _dropout_impl(AlphaDropout, input, p, training, inplace, True)


def _feature_dropout(input, p, training, inplace_flag, batched=True):
    if batched:
        return _dropout_impl(Dropout, input, p, training, inplace_flag, True)
    # unbatched (C, *): one mask value per channel, shape (C, 1, ...)
    if p == 0 or not training or input.numel() == 0 or p == 1:
        return _dropout_impl(Dropout, input, p, training, inplace_flag, False)
    mask = (input.shape[0],) + (1,) * (input.ndim - 1)
    if inplace_flag:
        return inplace(Dropout.apply, input, p, mask)
    return Dropout.apply(input, p, mask)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Randomly zero out entire channels (a channel is a 1D feature map) of a (N, C, L) or
    (C, L) input, each with probability ``p``, scaling the kept ones by :math:`1/(1-p)`."""
    _check_p(p)
    nd = input.ndim
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _feature_dropout(input, p, training, inplace, nd == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Randomly zero out entire channels (a channel is a 2D feature map) of a (N, C, H, W)
    input, each with probability ``p``, scaling the kept ones by :math:`1/(1-p)`."""
    _check_p(p)
    nd = input.ndim
    if nd not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
            "the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Randomly zero out entire channels (a channel is a 3D feature map) of a (N, C, D, H, W)
    or (C, D, H, W) input, each with probability ``p``, scaling the kept ones by
    :math:`1/(1-p)`."""
    _check_p(p)
    nd = input.ndim
    if nd not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, nd == 5)


def _top_level(kind, inplace, feature):
    """``torch.dropout``/``feature_dropout``/``alpha_dropout``/... ``(input, p, train)``."""
    def fn(input, p, train):
        _check_p(p)
        return _dropout_impl(kind, input, p, train, inplace, feature)
    return fn


_dropout_top = _top_level(Dropout, False, False)
_dropout_top_ = _top_level(Dropout, True, False)
_feature_dropout_top = _top_level(Dropout, False, True)
_feature_dropout_top_ = _top_level(Dropout, True, True)
_alpha_dropout_top = _top_level(AlphaDropout, False, False)
_alpha_dropout_top_ = _top_level(AlphaDropout, True, False)
_feature_alpha_dropout_top = _top_level(AlphaDropout, False, True)
_feature_alpha_dropout_top_ = _top_level(AlphaDropout, True, True)
