"""Math functions of floats: exponentials and logarithms, powers and roots, trigonometric and
hyperbolic functions, sigmoid/logit, relu, and the binary ones (atan2, hypot, copysign,
logaddexp, xlogy).

Integer and bool inputs compute in the default float dtype, as in torch. The one-argument
functions are a table of ``_float_unary`` entries (forward and vjp on one line each, see
elementwise.py); the others are Functions with their backward right below the forward.
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..backend.pool import empty as _pooled
from ..backend.pool import MIN_BYTES as _POOL_MIN
from ._util import promote, to_float, weak_scalar
from .elementwise import (_binary_fn, _float_unary, _into, _ip, _kind, _not_implemented,
                          _promote_float, _require_tensor, _shape_error, _unary_fn)

__all__ = [
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal",
    "sin", "cos", "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "atan2",
    "arctan2", "sinh", "cosh", "tanh", "asinh", "arcsinh", "acosh", "arccosh", "atanh",
    "arctanh", "sigmoid", "logit", "deg2rad", "rad2deg", "copysign", "hypot", "logaddexp",
    "logaddexp2", "xlogy", "relu",
]

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_INF, _NAN = float("inf"), float("nan")


# ---------------------------------------------------------------- math functions of floats
def _sigmoid(xp, x):
    if x.ndim == 0:
        return 1 / (1 + xp.exp(-x))
    e = xp.negative(x)
    xp.exp(e, out=e)
    e += 1
    return xp.reciprocal(e, out=e)


Exp = _float_unary("Exp", lambda xp, x: xp.exp(x), lambda xp, g, y: g * y, "y")
Exp2 = _float_unary("Exp2", lambda xp, x: xp.exp2(x), lambda xp, g, y: g * (y * _LN2), "y")
Expm1 = _float_unary("Expm1", lambda xp, x: xp.expm1(x), lambda xp, g, y: g * (y + 1), "y")
Log = _float_unary("Log", lambda xp, x: xp.log(x), lambda xp, g, x: g / x)
Log2 = _float_unary("Log2", lambda xp, x: xp.log2(x), lambda xp, g, x: g / (x * _LN2))
Log10 = _float_unary("Log10", lambda xp, x: xp.log10(x), lambda xp, g, x: g / (x * _LN10))
Log1p = _float_unary("Log1p", lambda xp, x: xp.log1p(x), lambda xp, g, x: g / (x + 1))
Sqrt = _float_unary("Sqrt", lambda xp, x: xp.sqrt(x), lambda xp, g, y: g / (2 * y), "y")
Rsqrt = _float_unary("Rsqrt", lambda xp, x: 1 / xp.sqrt(x),
                     lambda xp, g, y: g * (y * y * y * -0.5), "y")
Reciprocal = _float_unary("Reciprocal", lambda xp, x: 1 / x, lambda xp, g, y: g * -(y * y), "y")
Sin = _float_unary("Sin", lambda xp, x: xp.sin(x), lambda xp, g, x: g * xp.cos(x))
Cos = _float_unary("Cos", lambda xp, x: xp.cos(x), lambda xp, g, x: g * -xp.sin(x))
Tan = _float_unary("Tan", lambda xp, x: xp.tan(x), lambda xp, g, y: g * (y * y + 1), "y")
Asin = _float_unary("Asin", lambda xp, x: xp.arcsin(x), lambda xp, g, x: g / xp.sqrt(1 - x * x))
Acos = _float_unary("Acos", lambda xp, x: xp.arccos(x),
                    lambda xp, g, x: -g / xp.sqrt(1 - x * x))
Atan = _float_unary("Atan", lambda xp, x: xp.arctan(x), lambda xp, g, x: g / (x * x + 1))
Sinh = _float_unary("Sinh", lambda xp, x: xp.sinh(x), lambda xp, g, x: g * xp.cosh(x))
Cosh = _float_unary("Cosh", lambda xp, x: xp.cosh(x), lambda xp, g, x: g * xp.sinh(x))
Tanh = _float_unary("Tanh", lambda xp, x: xp.tanh(x), lambda xp, g, y: g * (1 - y * y), "y")
Asinh = _float_unary("Asinh", lambda xp, x: xp.arcsinh(x),
                     lambda xp, g, x: g / xp.sqrt(x * x + 1))
Acosh = _float_unary("Acosh", lambda xp, x: xp.arccosh(x),
                     lambda xp, g, x: g / xp.sqrt(x * x - 1))
Atanh = _float_unary("Atanh", lambda xp, x: xp.arctanh(x), lambda xp, g, x: g / (1 - x * x))
Sigmoid = _float_unary("Sigmoid", _sigmoid, lambda xp, g, y: g * ((1 - y) * y), "y")
Deg2Rad = _float_unary("Deg2Rad", lambda xp, x: x * (math.pi / 180),
                       lambda xp, g, _: g * (math.pi / 180), None)
Rad2Deg = _float_unary("Rad2Deg", lambda xp, x: x * (180 / math.pi),
                       lambda xp, g, _: g * (180 / math.pi), None)

exp = _unary_fn("exp", Exp, "Returns a new tensor with the exponential of the elements of "
                "``input``.")
exp2 = _unary_fn("exp2", Exp2, "Computes the base two exponential function of ``input``.")
expm1 = _unary_fn("expm1", Expm1, "Computes the exponential of the elements minus 1 of "
                  "``input``.")
log = _unary_fn("log", Log, "Returns a new tensor with the natural logarithm of the elements "
                "of ``input``.")
log2 = _unary_fn("log2", Log2, "Returns a new tensor with the logarithm to the base 2 of the "
                 "elements of ``input``.")
log10 = _unary_fn("log10", Log10, "Returns a new tensor with the logarithm to the base 10 of "
                  "the elements of ``input``.")
log1p = _unary_fn("log1p", Log1p, "Returns a new tensor with the natural logarithm of (1 + "
                  "``input``).")
sqrt = _unary_fn("sqrt", Sqrt, "Returns a new tensor with the square-root of the elements of "
                 "``input``.")
rsqrt = _unary_fn("rsqrt", Rsqrt, "Returns a new tensor with the reciprocal of the square-root "
                  "of each of the elements of ``input``.")
reciprocal = _unary_fn("reciprocal", Reciprocal, "Returns a new tensor with the reciprocal of "
                       "the elements of ``input``.")
sin = _unary_fn("sin", Sin, "Returns a new tensor with the sine of the elements of ``input``.")
cos = _unary_fn("cos", Cos, "Returns a new tensor with the cosine of the elements of "
                "``input``.")
tan = _unary_fn("tan", Tan, "Returns a new tensor with the tangent of the elements of "
                "``input``.")
asin = arcsin = _unary_fn("asin", Asin, "Returns a new tensor with the arcsine of the elements "
                          "of ``input``.")
acos = arccos = _unary_fn("acos", Acos, "Returns a new tensor with the inverse cosine of the "
                          "elements of ``input``.")
atan = arctan = _unary_fn("atan", Atan, "Returns a new tensor with the arctangent of the "
                          "elements of ``input``.")
sinh = _unary_fn("sinh", Sinh, "Returns a new tensor with the hyperbolic sine of the elements "
                 "of ``input``.")
cosh = _unary_fn("cosh", Cosh, "Returns a new tensor with the hyperbolic cosine of the "
                 "elements of ``input``.")
tanh = _unary_fn("tanh", Tanh, "Returns a new tensor with the hyperbolic tangent of the "
                 "elements of ``input``.")
asinh = arcsinh = _unary_fn("asinh", Asinh, "Returns a new tensor with the inverse hyperbolic "
                            "sine of the elements of ``input``.")
acosh = arccosh = _unary_fn("acosh", Acosh, "Returns a new tensor with the inverse hyperbolic "
                            "cosine of the elements of ``input``.")
atanh = arctanh = _unary_fn("atanh", Atanh, "Returns a new tensor with the inverse hyperbolic "
                            "tangent of the elements of ``input``.")
sigmoid = _unary_fn("sigmoid", Sigmoid, "Computes the logistic sigmoid function of the "
                    "elements of ``input``: :math:`1 / (1 + e^{-x})`.")
deg2rad = _unary_fn("deg2rad", Deg2Rad, "Returns a new tensor with each of the elements of "
                    "``input`` converted from angles in degrees to radians.")
rad2deg = _unary_fn("rad2deg", Rad2Deg, "Returns a new tensor with each of the elements of "
                    "``input`` converted from angles in radians to degrees.")


class Logit(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, eps):
        ctx.save_for_backward(a)
        ctx.eps = eps
        x = to_float(a)
        if eps is not None:
            x = ctx.xp.clip(x, eps, 1 - eps)
        return ctx.xp.log(x / (1 - x))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        xp, eps = ctx.xp, ctx.eps
        ga = g / (a * (1 - a))
        if eps is None:
            return xp.where((a < 0) | (a > 1), _NAN, ga), None
        return xp.where((a >= eps) & (a <= 1 - eps), ga, 0.0), None


def logit(input, eps=None, *, out=None):
    """Returns a new tensor with the logit of the elements of ``input``, clamped to
    ``[eps, 1 - eps]`` when ``eps`` is not None: :math:`\\log(z / (1 - z))`."""
    r = Logit.apply(input, eps)
    return r if out is None else _into(r, out)


_RELU_SPLIT = 1 << 20   # elements: above this, relu runs in chunks on two threads


def _relu_split(a, zero, want_mask):
    """Relu of a large contiguous host array: each ~1 MB chunk's max and mask computed while
    it is in cache, the chunks shared by two threads (see backend.threads.split_flat)."""
    from ..backend.cpu import xp
    from ..backend.threads import split_flat
    out = _pooled(xp, a.shape, a.dtype)
    mask = _pooled(xp, a.shape, bool) if want_mask else None
    af, of = a.reshape(-1), out.reshape(-1)
    mf = mask.reshape(-1) if want_mask else None

    def run(c0, c1):
        xp.maximum(af[c0:c1], zero, out=of[c0:c1])
        if mf is not None:
            xp.greater(af[c0:c1], zero, out=mf[c0:c1])
    split_flat(a.size, run)
    return out, mask


def _relu_grad_split(g, mask):
    from ..backend.cpu import xp
    from ..backend.threads import split_flat
    out = _pooled(xp, g.shape, g.dtype)
    gf, mf, of = g.reshape(-1), mask.reshape(-1), out.reshape(-1)
    split_flat(g.size, lambda c0, c1: xp.multiply(gf[c0:c1], mf[c0:c1], out=of[c0:c1]))
    return out


def _splittable(a):
    return a.size >= _RELU_SPLIT and a.__class__.__module__ == "numpy" and a.flags.c_contiguous


class Relu(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        zero = weak_scalar(a, 0)  # a typed zero: both ufuncs run ~2x faster on small arrays
        if a.size >= _RELU_SPLIT and _splittable(a):
            out, mask = _relu_split(a, zero, bool(ctx._edges))
            if mask is not None:
                ctx.save_for_backward(mask)
            return out
        if a.nbytes < _POOL_MIN:
            if ctx._edges:
                ctx.save_for_backward(a > zero)
            return ctx.xp.maximum(a, zero)
        xp = ctx.xp
        if ctx._edges:
            ctx.save_for_backward(xp.greater(a, zero, out=_pooled(xp, a.shape, bool)))
        return xp.maximum(a, zero, out=_pooled(xp, a.shape, a.dtype))

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        if not ctx.create_graph and g.size >= _RELU_SPLIT and _splittable(g) \
                and g.shape == mask.shape:  # (under create_graph ``g`` is a Tensor)
            return _relu_grad_split(g, mask)
        if g.nbytes < _POOL_MIN or ctx.create_graph or g.shape != mask.shape:
            return g * mask
        return ctx.xp.multiply(g, mask, out=_pooled(ctx.xp, g.shape, g.dtype))


def relu(input):
    """Applies the rectified linear unit function element-wise: :math:`\\max(0, x)`."""
    return Relu.apply(input)


# ---------------------------------------------------------------- binary math of floats
class Atan2(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = _promote_float(a, b)
        return ctx.xp.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        d = a * a + b * b
        d = ctx.xp.where(d == 0, _INF, d)
        return (g * b / d if need_a else None), (g * -a / d if need_b else None)


class Hypot(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        a0, b0 = a, b
        a, b = promote(a, b)
        if _kind(a, b) not in "fc":
            raise _not_implemented("hypot_cpu", a.dtype)
        out = ctx.xp.hypot(a, b)
        ctx.save_for_backward(a0, b0, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * a / out if need_a else None), (g * b / out if need_b else None)


class Copysign(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        a0 = a
        a, b = _promote_float(a, b)
        out = ctx.xp.copysign(a, b)
        ctx.save_for_backward(a0, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = g * ctx.xp.where(a == 0, 0.0, out / a) if need_a else None
        return ga, (ctx.xp.zeros_like(g) if need_b else None)


class Logaddexp(Function):
    _arrays = True
    _base2 = False

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        if _kind(a, b) not in "fc":
            raise _not_implemented("logaddexp2_cpu" if ctx._base2 else "logaddexp_cpu",
                                   a.dtype)
        return ctx.xp.logaddexp2(a, b) if ctx._base2 else ctx.xp.logaddexp(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        e = (lambda d: 2 ** d) if ctx._base2 else ctx.xp.exp
        return (g / (1 + e(b - a)) if need_a else None), (g / (1 + e(a - b)) if need_b else None)


class Logaddexp2(Logaddexp):
    _arrays = True
    _base2 = True


def _xlogy(xp, x, y):
    """x * log(y), 0 where x == 0 unless y is NaN (works on arrays and Tensors)."""
    return xp.where((x == 0) & ~xp.isnan(y), 0.0, x * xp.log(y))


class Xlogy(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = _promote_float(a, b)
        if not hasattr(b, "dtype"):
            return _xlogy(ctx.xp, a, ctx.xp.asarray(b, a.dtype))
        return _xlogy(ctx.xp, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = ctx.xp
        need_a, need_b = ctx.needs_input_grad
        ga = xp.where((a == 0) & (b <= 0), 0.0, _xlogy(xp, g, b)) if need_a else None
        return ga, (g * a / b if need_b else None)


atan2 = arctan2 = _binary_fn("atan2", Atan2, "Element-wise arctangent of "
                             ":math:`\\text{input}_i / \\text{other}_i` with consideration of "
                             "the quadrant.", scalars=False)
hypot = _binary_fn("hypot", Hypot, "Given the legs of a right triangle, return its hypotenuse: "
                   ":math:`\\sqrt{\\text{input}_i^2 + \\text{other}_i^2}`.", scalars=False)
logaddexp = _binary_fn("logaddexp", Logaddexp, "Logarithm of the sum of exponentiations of the "
                       "inputs: :math:`\\log(e^x + e^y)`.", scalars=False)
logaddexp2 = _binary_fn("logaddexp2", Logaddexp2, "Logarithm of the sum of exponentiations of "
                        "the inputs in base-2: :math:`\\log_2(2^x + 2^y)`.", scalars=False)
xlogy = _binary_fn("xlogy", Xlogy, "Computes ``input * log(other)`` with the following cases: "
                   "0 where ``input`` is 0 and ``other`` is not NaN.")


def copysign(input, other, *, out=None):
    """Create a new floating-point tensor with the magnitude of ``input`` and the sign of
    ``other``, elementwise."""
    _require_tensor("copysign", input)
    try:
        r = Copysign.apply(input, other)
    except ValueError as e:
        raise _shape_error(e, input, other) from None
    return r if out is None else _into(r, out)


# ---------------------------------------------------------------- Tensor methods
_METHODS = [
    exp, exp2, expm1, log, log2, log10, log1p, sqrt, rsqrt, reciprocal, sin, cos, tan, asin,
    acos, atan, atan2, sinh, cosh, tanh, asinh, acosh, atanh, sigmoid, logit, deg2rad,
    rad2deg, copysign, hypot, xlogy, relu,
]
_ALIASES = {
    "arcsin": asin, "arccos": acos, "arctan": atan, "arctan2": atan2, "arcsinh": asinh,
    "arccosh": acosh, "arctanh": atanh,
}

TENSOR_METHODS = {fn.__name__: fn for fn in _METHODS}
TENSOR_METHODS.update(_ALIASES)
TENSOR_METHODS.update({name + "_": _ip(fn) for name, fn in list(TENSOR_METHODS.items())})
TENSOR_METHODS.update({"logaddexp": logaddexp, "logaddexp2": logaddexp2})
