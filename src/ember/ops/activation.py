"""Activation kernels: one fused Function per op (forward and backward side by side on backend
arrays), then the functional forms (``F.<name>``). The softmax family is in softmax.py and
dropout in dropout.py; ``TOP_LEVEL`` below gathers the ``torch.<name>`` forms of all three.

Backward formulas are duck-typed over arrays and Tensors (``ctx.xp`` is numpy/cupy, or the
``ember`` namespace under ``create_graph``), so double backward comes for free; the few
functions NumPy lacks (erf, sigmoid) go through ``_erf``/``_sigmoid``, which pick the array
kernel or the differentiable ember op.
"""
from __future__ import annotations

import importlib
import math

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend.pool import empty as _pooled
from ..backend.pool import MIN_BYTES as _POOL_MIN
from ._util import inplace, type_name, wrap_dim
from .floatmath import Relu
from .special import _calerf
from .dropout import (_alpha_dropout_top, _alpha_dropout_top_, _dropout_top, _dropout_top_,
                      _feature_alpha_dropout_top, _feature_alpha_dropout_top_,
                      _feature_dropout_top, _feature_dropout_top_)
from .softmax import _log_softmax_top, _softmax_top

__all__ = [
    "threshold", "threshold_", "relu", "relu_", "hardtanh", "hardtanh_", "relu6", "elu",
    "elu_", "selu", "selu_", "celu", "celu_", "leaky_relu", "leaky_relu_", "prelu", "rrelu",
    "rrelu_", "glu", "gelu", "logsigmoid", "hardshrink", "tanhshrink", "softsign", "softplus",
    "softshrink", "tanh", "sigmoid", "hardsigmoid", "silu", "mish", "hardswish",
]

_SQRT1_2 = math.sqrt(0.5)
_GELU_PDF = 2 / math.sqrt(math.pi) * _SQRT1_2 * 0.5     # 1 / sqrt(2 pi)
_GELU_BETA = math.sqrt(2) * 2 / math.sqrt(math.pi) * 0.5  # sqrt(2 / pi)
_GELU_KAPPA = 0.044715
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------- helpers
def _check_float(a, kernel):
    if a.dtype.kind != "f":
        raise RuntimeError(f'"{kernel}" not implemented for \'{type_name(a.dtype)}\'')


def _erf(ctx, x):
    """erf of an array (the accurate kernel of ``ember.erf``) or of a Tensor (ember.erf)."""
    if ctx.create_graph:
        return x.erf()
    return _calerf(ctx.xp, x, False).astype(x.dtype, copy=False)


def _sigmoid(ctx, x):
    if ctx.create_graph:
        return x.sigmoid()
    return _sigmoid_arr(ctx.xp, x)


def _sigmoid_arr(xp, x):
    """1 / (1 + exp(-x)) of an array (exp overflowing to inf gives the exact limit 0)."""
    if x.ndim == 0:
        x = x.reshape(1)
        return _sigmoid_arr(xp, x).reshape(())
    with _quiet(xp):
        e = xp.negative(x)
        xp.exp(e, out=e)
    e += 1
    return xp.reciprocal(e, out=e)


class _quiet:
    """numpy's errstate (overflow/invalid/divide ignored); nothing for other backends."""
    __slots__ = ("cm",)

    def __init__(self, xp):
        self.cm = xp.errstate(over="ignore", divide="ignore", invalid="ignore") \
            if hasattr(xp, "errstate") else None

    def __enter__(self):
        if self.cm is not None:
            self.cm.__enter__()

    def __exit__(self, *exc):
        if self.cm is not None:
            self.cm.__exit__(*exc)


def _inplace_or(fn, input, inplace_flag, *args):
    return inplace(fn, input, *args) if inplace_flag else fn(input, *args)


# ---------------------------------------------------------------- piecewise-linear family
class Threshold(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x, threshold, value):
        keep = x > threshold
        ctx.save_for_backward(keep)
        return ctx.xp.where(keep, x, ctx.xp.asarray(value, dtype=x.dtype))

    @staticmethod
    def backward(ctx, g):
        keep, = ctx.saved_tensors
        return g * keep, None, None


def threshold(input, threshold, value, inplace=False):
    """Applies a threshold to each element of the input tensor:
    :math:`y = x` if :math:`x > \\text{threshold}` else :math:`\\text{value}`."""
    return _inplace_or(Threshold.apply, input, inplace, threshold, value)


def threshold_(input, threshold, value):
    """In-place version of :func:`threshold`."""
    return inplace(Threshold.apply, input, threshold, value)


def relu(input, inplace=False):
    """Applies the rectified linear unit function element-wise. See
    :class:`~ember.nn.ReLU` for more details."""
    return _inplace_or(Relu.apply, input, inplace)


def relu_(input):
    """In-place version of :func:`relu`."""
    return inplace(Relu.apply, input)


class Hardtanh(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return ctx.xp.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * ((x > ctx.lo) & (x < ctx.hi)), None, None


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Applies the HardTanh function element-wise. See :class:`~ember.nn.Hardtanh`."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _inplace_or(Hardtanh.apply, input, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place version of :func:`hardtanh`."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """Applies the element-wise function :math:`\\text{ReLU6}(x) = \\min(\\max(0,x), 6)`."""
    return _inplace_or(Hardtanh.apply, input, inplace, 0.0, 6.0)


class LeakyRelu(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return ctx.xp.where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return ctx.xp.where(x > 0, g, g * ctx.slope), None


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Applies element-wise, :math:`\\text{LeakyReLU}(x) = \\max(0, x) +
    \\text{negative\\_slope} * \\min(0, x)`."""
    return _inplace_or(LeakyRelu.apply, input, inplace, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """In-place version of :func:`leaky_relu`."""
    return inplace(LeakyRelu.apply, input, negative_slope)


class Prelu(Function):
    """``x if x > 0 else w * x``; ``w`` already has the input's rank (broadcast on dim 1)."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return ctx.xp.where(x > 0, x, w * x)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        pos = x > 0
        need_x, need_w = ctx.needs_input_grad
        gx = ctx.xp.where(pos, g, w * g) if need_x else None
        gw = g * x * (x <= 0) if need_w else None
        return gx, gw


def prelu(input, weight):
    """Applies element-wise the function :math:`\\text{PReLU}(x) = \\max(0,x) + \\text{weight}
    * \\min(0,x)` where weight is a learnable parameter."""
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{type_name(input._data.dtype)} and {type_name(weight._data.dtype)}")
    nd = input.ndim
    if weight.numel() != 1:
        if nd == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if nd > 1 else 1
        if channels != weight.numel():
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{channels}.")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")
    if nd != weight.ndim:
        shape = [1] * nd
        if nd > 1:
            shape[1] = weight.numel()
        weight = weight.reshape(shape)
    return Prelu.apply(input, weight)


class Rrelu(Function):
    """Randomized leaky ReLU in training: ``x * a`` for ``x <= 0``, ``a ~ U(lower, upper)``."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, lower, upper):
        from .random import _generator
        r = _generator(None).uniform(lower, upper, x.shape)
        noise = ctx.xp.asarray(r, dtype=x.dtype)
        noise = ctx.xp.where(x <= 0, noise, ctx.xp.ones_like(noise))
        ctx.save_for_backward(noise)
        return x * noise

    @staticmethod
    def backward(ctx, g):
        noise, = ctx.saved_tensors
        return g * noise, None, None


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU. See :class:`~ember.nn.RReLU` for more details."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    return _inplace_or(Rrelu.apply, input, inplace, lower, upper)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place version of :func:`rrelu`."""
    return rrelu(input, lower, upper, training, inplace=True)


class Hardshrink(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x, lambd):
        keep = (x < -lambd) | (x > lambd)
        ctx.save_for_backward(keep)
        return x * keep

    @staticmethod
    def backward(ctx, g):
        keep, = ctx.saved_tensors
        return g * keep, None


def hardshrink(input, lambd=0.5):
    """Applies the hard shrinkage function element-wise: :math:`x` if :math:`|x| > \\lambda`,
    else 0."""
    return Hardshrink.apply(input, lambd)


class Softshrink(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x, lambd):
        keep = (x < -lambd) | (x > lambd)
        ctx.save_for_backward(keep)
        return (x - ctx.xp.clip(x, -lambd, lambd).astype(x.dtype, copy=False))

    @staticmethod
    def backward(ctx, g):
        keep, = ctx.saved_tensors
        return g * keep, None


def softshrink(input, lambd=0.5):
    """Applies the soft shrinkage function elementwise: :math:`x - \\lambda` if
    :math:`x > \\lambda`, :math:`x + \\lambda` if :math:`x < -\\lambda`, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return Softshrink.apply(input, lambd)


class Hardsigmoid(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x):
        _check_float(x, "hardsigmoid_cpu")
        ctx.save_for_backward(x)
        y = ctx.xp.clip(x.reshape(-1) + 3, 0, 6).astype(x.dtype, copy=False)
        y /= 6
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * ((x > -3) & (x < 3)) / 6


def hardsigmoid(input, inplace=False):
    """Applies the Hardsigmoid function element-wise: :math:`\\text{ReLU6}(x + 3) / 6`."""
    return _inplace_or(Hardsigmoid.apply, input, inplace)


class Hardswish(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x):
        _check_float(x, "hardswish_cpu")
        ctx.save_for_backward(x)
        x1 = x.reshape(-1)
        y = ctx.xp.clip(x1 + 3, 0, 6).astype(x.dtype, copy=False)
        y *= x1
        y /= 6
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        xp = ctx.xp
        mid = g * (x / 3 + 0.5)
        return xp.where(x < -3, g * 0, xp.where(x <= 3, mid, g))


def hardswish(input, inplace=False):
    """Applies hardswish function, element-wise: :math:`x \\cdot \\text{ReLU6}(x + 3) / 6`."""
    return _inplace_or(Hardswish.apply, input, inplace)


# ---------------------------------------------------------------- smooth family
class Elu(Function):
    """``scale * x`` for ``x > 0``, else ``scale * alpha * (exp(x * input_scale) - 1)``."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        _check_float(x, "elu")
        ctx.save_for_backward(x)
        ctx.c = (alpha, scale, input_scale)
        xp, shape = ctx.xp, x.shape
        x = x.reshape(-1)
        neg = xp.minimum(x, 0)
        neg *= input_scale
        xp.expm1(neg, out=neg)
        neg *= alpha * scale
        pos = xp.maximum(x, 0)
        if scale != 1:
            pos *= scale
        neg += pos
        return neg.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        alpha, scale, input_scale = ctx.c
        xp = ctx.xp
        dneg = xp.exp(x.clip(max=0) * input_scale) * (alpha * scale * input_scale)
        return xp.where(x > 0, g * scale, g * dneg), None, None, None


def elu(input, alpha=1.0, inplace=False):
    """Apply the Exponential Linear Unit (ELU) function element-wise:
    :math:`\\max(0,x) + \\min(0, \\alpha * (\\exp(x) - 1))`."""
    return _inplace_or(Elu.apply, input, inplace, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    """In-place version of :func:`elu`."""
    return inplace(Elu.apply, input, alpha, 1.0, 1.0)


def selu(input, inplace=False):
    """Applies element-wise, :math:`\\text{SELU}(x) = scale * (\\max(0,x) + \\min(0, \\alpha *
    (\\exp(x) - 1)))`, with :math:`\\alpha=1.6732632423543772848170429916717` and
    :math:`scale=1.0507009873554804934193349852946`."""
    return _inplace_or(Elu.apply, input, inplace, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    """In-place version of :func:`selu`."""
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """Applies element-wise, :math:`\\text{CELU}(x) = \\max(0,x) + \\min(0, \\alpha *
    (\\exp(x/\\alpha) - 1))`."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _inplace_or(Elu.apply, input, inplace, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    """In-place version of :func:`celu`."""
    return celu(input, alpha, inplace=True)


# GELU of float32 (and narrower) inputs, computed in float32: with t = 1 / (1 + k|x|),
# Phi(-|x|) = t exp(-x^2 / 2) P(t), P the degree-7 minimax fit of relative error 9e-8 on
# |x| <= 13.5 (all of float32's range: Phi(-13.5) is subnormal); the result is within a few
# float32 ulps of x * Phi(x), keeping its relative accuracy for negative x (torch's float32
# kernel, 1 + erf, loses it). One pass over cache-sized chunks gives GELU and its derivative.
_GELU_K = 0.30343891810175594
_GELU_P = (0.12100926401255069, 0.12197537485300937, 0.10205074802494207, 0.12432762149528466,
           -0.04475186917114953, 0.1943711688998434, -0.15570949464651265, 0.03672718748026594)
_GELU_CHUNK = 65536
_F32 = _dt.float32.np


def _gelu_single(xp, x, grad):
    """``x * Phi(x)`` of a flat float32 array and, with ``grad``, its derivative
    ``Phi(x) + x phi(x)`` (else None)."""
    n = x.size
    f = x.dtype.type
    out = _pooled(xp, (n,), x.dtype)
    d = _pooled(xp, (n,), x.dtype) if grad else None
    m = max(1, min(_GELU_CHUNK, n))
    bufs = [xp.empty(m, x.dtype) for _ in range(3)]
    k, half, one, pdf = f(_GELU_K), f(0.5), f(1), f(_GELU_PDF)
    c = [f(v) for v in _GELU_P]
    with _quiet(xp):
        for i in range(0, n, m):
            xs = x[i:i + m]
            j = xs.size
            e, t, p = (b[:j] for b in bufs)
            o = out[i:i + j]
            xp.multiply(xs, xs, out=e)
            e *= -half
            xp.exp(e, out=e)                        # exp(-x^2 / 2)
            xp.abs(xs, out=t)
            t *= k
            t += one
            xp.reciprocal(t, out=t)
            xp.multiply(t, c[7], out=p)
            for ci in c[6::-1]:
                p += ci
                p *= t
            p *= e                                  # q = Phi(-|x|)
            # Phi(x) = max(q, min(1 - q, 1/2 + x)): q for x < 0 (exactly, no cancellation),
            # 1 - q for x >= 0 (since |Phi(x) - 1/2| <= |x| / sqrt(2 pi) < |x|)
            xp.subtract(one, p, out=t)
            xp.add(xs, half, out=o)
            xp.minimum(t, o, out=t)
            xp.maximum(p, t, out=p)
            xp.multiply(xs, p, out=o)
            if grad:
                di = d[i:i + j]
                xp.multiply(xs, e, out=di)
                di *= pdf
                di += p
    return out, d


class Gelu(Function):
    """``x * Phi(x)`` (``approximate='none'``, with erf) or its tanh approximation."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, approximate):
        _check_float(x, "GeluKernelImpl")
        ctx.tanh = approximate == "tanh"
        xp, shape, x0 = ctx.xp, x.shape, x
        x = x.reshape(-1)
        if ctx.tanh:
            ctx.save_for_backward(x0)
            inner = x * x
            inner *= _GELU_KAPPA
            inner += 1
            inner *= x
            inner *= _GELU_BETA
            xp.tanh(inner, out=inner)
            inner += 1
            inner *= x
            inner *= 0.5
            return inner.reshape(shape)
        # the derivative Phi(x) + x phi(x) is computed here and saved (with x, for double
        # backward) when a gradient is needed
        if x.dtype.itemsize < 8:
            x32 = x if x.dtype == _F32 else x.astype(_F32)
            out, d = _gelu_single(xp, x32, bool(ctx._edges))
            ctx.save_for_backward(x0, d)
            return out.reshape(shape).astype(x.dtype, copy=False)
        cdf = _erf(ctx, x * _SQRT1_2)
        cdf += 1
        cdf *= 0.5
        d = None
        if ctx._edges:
            d = x * x
            d *= -0.5
            xp.exp(d, out=d)
            d *= _GELU_PDF
            d *= x
            d += cdf
        ctx.save_for_backward(x0, d)
        return (x * cdf).reshape(shape)

    @staticmethod
    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        xp = ctx.xp
        if ctx.tanh:
            x_sq = x * x
            inner = (x + x * x_sq * _GELU_KAPPA) * _GELU_BETA
            t = xp.tanh(inner)
            left_d = (t + 1) * 0.5
            right_d = (x * 0.5) * (1 - t * t) * ((x_sq * (3 * _GELU_KAPPA) + 1) * _GELU_BETA)
            return g * (left_d + right_d), None
        if ctx.create_graph:
            cdf = (_erf(ctx, x * _SQRT1_2) + 1) * 0.5
            pdf = xp.exp(x * x * -0.5) * _GELU_PDF
            return g * (cdf + x * pdf), None
        d = ctx.saved_tensors[1].reshape(x.shape)
        if g.shape == d.shape and g.dtype == d.dtype and g.nbytes >= _POOL_MIN:
            return xp.multiply(g, d, out=_pooled(xp, g.shape, g.dtype)), None
        return g * d, None   # float16: float32, cast back


def gelu(input, approximate="none"):
    """When the approximate argument is 'none', it applies element-wise the function
    :math:`\\text{GELU}(x) = x * \\Phi(x)` where :math:`\\Phi(x)` is the Cumulative Distribution
    Function for Gaussian Distribution. When the approximate argument is 'tanh', Gelu is
    estimated with :math:`0.5 * x * (1 + \\text{Tanh}(\\sqrt{2 / \\pi} * (x + 0.044715 *
    x^3)))`."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input, approximate)


class Silu(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x):
        _check_float(x, "silu_cpu")
        s = _sigmoid_arr(ctx.xp, x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved_tensors
        if ctx.create_graph:
            s = x.sigmoid()
            return g * (s * (x * (1 - s) + 1))
        d = 1 - s                   # s * (1 + x * (1 - s)), in place
        d *= x
        d += 1
        d *= s
        d *= g
        return d


def silu(input, inplace=False):
    """Apply the Sigmoid Linear Unit (SiLU) function, element-wise:
    :math:`\\text{silu}(x) = x * \\sigma(x)`."""
    return _inplace_or(Silu.apply, input, inplace)


class Mish(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x):
        _check_float(x, "mish_cpu")
        ctx.save_for_backward(x)
        xp = ctx.xp
        return x * xp.tanh(xp.logaddexp(x, 0))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        xp = ctx.xp
        s = _sigmoid(ctx, x)
        if ctx.create_graph:
            t = (x.exp().log1p()).tanh()
        else:
            t = xp.tanh(xp.logaddexp(x, 0))
        return g * (t + x * s * (1 - t * t))


def mish(input, inplace=False):
    """Apply the Mish function, element-wise: :math:`x * \\text{Tanh}(\\text{Softplus}(x))`."""
    return _inplace_or(Mish.apply, input, inplace)


class Softplus(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x, beta, threshold):
        _check_float(x, "softplus_cpu")
        ctx.save_for_backward(x)
        ctx.c = (beta, threshold)
        xp = ctx.xp
        xb = x * beta
        lin = xb > threshold
        y = xp.log1p(xp.exp(xp.minimum(xb, threshold)))
        if beta != 1:
            y /= beta
        return xp.where(lin, x, y)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        beta, threshold = ctx.c
        xp = ctx.xp
        xb = x * beta
        z = xp.exp(xb.clip(max=threshold))
        return xp.where(xb > threshold, g, g * z / (z + 1)), None, None


def softplus(input, beta=1.0, threshold=20.0):
    """Applies element-wise, the function :math:`\\text{Softplus}(x) = \\frac{1}{\\beta} *
    \\log(1 + \\exp(\\beta * x))`; reverts to the linear function when :math:`input \\times
    \\beta > threshold`."""
    return Softplus.apply(input, beta, threshold)


class Logsigmoid(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x):
        _check_float(x, "log_sigmoid_cpu")
        ctx.save_for_backward(x)
        xp = ctx.xp
        z = xp.exp(-xp.abs(x))
        return xp.minimum(x, 0) - xp.log1p(z)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        xp = ctx.xp
        z = xp.exp(-xp.abs(x))
        r = z / (z + 1)
        return g * xp.where(x < 0, 1 - r, r)


def logsigmoid(input):
    """Applies element-wise :math:`\\text{LogSigmoid}(x_i) = \\log \\left(\\frac{1}{1 +
    \\exp(-x_i)}\\right)`."""
    return Logsigmoid.apply(input)


class Tanhshrink(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x - ctx.xp.tanh(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        t = ctx.xp.tanh(x)
        return g * (t * t)


def tanhshrink(input):
    """Applies element-wise, :math:`\\text{Tanhshrink}(x) = x - \\text{Tanh}(x)`."""
    return Tanhshrink.apply(input)


class Softsign(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (ctx.xp.abs(x) + 1)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        d = ctx.xp.abs(x) + 1
        return g / (d * d)


def softsign(input):
    """Applies element-wise, the function :math:`\\text{SoftSign}(x) = \\frac{x}{1 + |x|}`."""
    return Softsign.apply(input)


class Glu(Function):
    """``a * sigmoid(b)`` with ``a, b`` the two halves of ``dim``."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, dim):
        xp = ctx.xp
        n = x.shape[dim] // 2
        a, b = xp.split(x, [n], axis=dim)
        ctx.save_for_backward(x)
        ctx.dim, ctx.n = dim, n
        return a * _sigmoid_arr(xp, b)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        xp, dim, n = ctx.xp, ctx.dim, ctx.n
        if ctx.create_graph:
            a, b = x.split(n, dim)
        else:
            a, b = xp.split(x, [n], axis=dim)
        s = _sigmoid(ctx, b)
        ga = g * s
        gb = ga * a * (1 - s)
        return xp.concatenate([ga, gb], axis=dim), None


def glu(input, dim=-1):
    """The gated linear unit: :math:`\\text{GLU}(a, b) = a \\otimes \\sigma(b)` where ``input``
    is split in half along ``dim`` to form ``a`` and ``b``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    return Glu.apply(input, d)


def tanh(input):
    """Applies element-wise, :math:`\\text{Tanh}(x) = \\tanh(x)`."""
    return input.tanh()


def sigmoid(input):
    """Applies the element-wise function :math:`\\text{Sigmoid}(x) = \\frac{1}{1 +
    \\exp(-x)}`."""
    return input.sigmoid()


# ---------------------------------------------------------------- Tensor methods, top level
TENSOR_METHODS = {"hardshrink": hardshrink, "prelu": prelu}

# torch's top-level (``torch.<name>``) activation and dropout functions whose signature differs
# from ``F.<name>`` or that ``F`` lacks: ember/__init__.py exports these under these names.
TOP_LEVEL = {
    "softmax": _softmax_top, "log_softmax": _log_softmax_top, "relu_": relu_,
    "selu": selu, "selu_": selu_, "celu": celu, "celu_": celu_, "threshold": threshold,
    "threshold_": threshold_, "prelu": prelu, "rrelu": rrelu, "rrelu_": rrelu_,
    "hardshrink": hardshrink, "dropout": _dropout_top, "dropout_": _dropout_top_,
    "feature_dropout": _feature_dropout_top, "feature_dropout_": _feature_dropout_top_,
    "alpha_dropout": _alpha_dropout_top, "alpha_dropout_": _alpha_dropout_top_,
    "feature_alpha_dropout": _feature_alpha_dropout_top,
    "feature_alpha_dropout_": _feature_alpha_dropout_top_,
}
for _n, _f in TOP_LEVEL.items():
    if _f.__name__.startswith("_"):
        _f.__name__ = _f.__qualname__ = _n
del _n, _f


# ---------------------------------------------------------------- names that moved out
def __getattr__(name):
    """The softmax family and dropout moved to softmax.py and dropout.py; they stay
    importable from here."""
    if not name.startswith("__"):
        for mod in ("softmax", "dropout"):
            module = importlib.import_module(f".{mod}", __package__)
            if name in module.__dict__:
                return module.__dict__[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
