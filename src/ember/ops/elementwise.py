"""Elementwise ops: arithmetic, math functions, comparisons, logical and bitwise ops.

Each primitive is a Function whose backward sits right under its forward. Backward formulas
are duck-typed over arrays and Tensors (``ctx.xp`` is numpy/cupy or ``ember``), and return
gradients in the inputs' broadcast shape: the engine sums and casts them back. The many
one-argument math functions are declared in a table (``_float_unary``: forward and vjp on
one line each); ops with no gradient (comparisons, logical, bitwise, tests) skip autograd.
"""
from __future__ import annotations

import math
import operator

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend import get_xp
from .._tensor import Tensor, _make
from ._util import check_inplace, inplace, promote, to_float, type_name, write_into

__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "neg", "negative", "positive", "abs",
    "absolute", "sign", "sgn", "square", "exp", "exp2", "expm1", "log", "log2", "log10",
    "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin", "arcsin", "acos",
    "arccos", "atan", "arctan", "atan2", "arctan2", "sinh", "cosh", "tanh", "asinh", "arcsinh",
    "acosh", "arccosh", "atanh", "arctanh", "sigmoid", "logit", "erf", "erfc", "erfinv",
    "deg2rad", "rad2deg", "floor", "ceil", "round", "trunc", "fix", "frac", "clamp", "clip",
    "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "lerp", "addcmul",
    "addcdiv", "where", "nan_to_num", "copysign", "hypot", "logaddexp", "logaddexp2", "xlogy",
    "relu", "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "signbit",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "eq", "ne",
    "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "equal", "isclose", "allclose",
]

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_INF, _NAN = float("inf"), float("nan")


# ---------------------------------------------------------------- shared helpers
def _into(res, out):
    """Write ``res`` into the ``out=`` tensor (resized when its shape differs, as in torch)."""
    if res._requires_grad:
        raise RuntimeError("functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out._data.shape != res._data.shape:
        out._data = get_xp(out._data).empty(res._data.shape, out._data.dtype)
    write_into(out, res)
    return out


def _shape_error(err, *operands):
    """NumPy's broadcasting ValueError as torch's RuntimeError (other errors unchanged)."""
    if "broadcast" not in str(err):
        return err
    shapes = [tuple(o.shape) for o in operands if hasattr(o, "shape")]
    n = max(len(s) for s in shapes)
    padded = [(1,) * (n - len(s)) + s for s in shapes]
    for i in range(n - 1, -1, -1):
        sizes = [s[i] for s in padded if s[i] != 1]
        if len(set(sizes)) > 1:
            return RuntimeError(f"The size of tensor a ({sizes[0]}) must match the size of "
                                f"tensor b ({sizes[1]}) at non-singleton dimension {i}")
    return RuntimeError(str(err))


def _not_implemented(kernel, np_dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{type_name(np_dtype)}\'')


def _require_tensor(name, *args):
    for pos, (what, a) in enumerate(zip(("input", "other"), args)):
        if not isinstance(a, Tensor):
            raise TypeError(f"{name}(): argument '{what}' (position {pos + 1}) must be Tensor, "
                            f"not {type(a).__name__}")


def _kind(a, b):
    """The dtype kind of a promoted pair (one of them is an array)."""
    return (a if hasattr(a, "dtype") else b).dtype.kind


def _promote_float(a, b):
    """torch's result dtype of ``a`` and ``b``, an integral one becoming the default float."""
    a, b = promote(a, b)
    if _kind(a, b) in "biu":
        a = to_float(a) if hasattr(a, "dtype") else float(a)
        b = to_float(b) if hasattr(b, "dtype") else float(b)
    return a, b


def _result_np(*xs):
    """torch's result dtype (numpy) of several arrays / Python scalars (None ignored)."""
    return _dt.result_type(*[_dt._ArrayMeta(x) if hasattr(x, "dtype") else x
                             for x in xs if x is not None]).np


def _cast(x, np_dtype):
    return x.astype(np_dtype) if hasattr(x, "dtype") and x.dtype != np_dtype else x


def _has_zero(b):
    return bool((b == 0).any()) if hasattr(b, "dtype") else b == 0


def _save_some(ctx, *xs):
    """save_for_backward of values some of which may be None (kept out of the records)."""
    ctx.nones = tuple([x is None for x in xs])
    ctx.save_for_backward(*[x for x in xs if x is not None])


def _saved_some(ctx):
    it = iter(ctx.saved_tensors)
    return tuple([None if n else next(it) for n in ctx.nones])


def _zero_grad(ctx, g):
    return ctx.xp.zeros_like(g)


def _ip(fn):
    """The in-place method ``fn_`` of a function ``fn``."""
    def method(self, *args, **kwargs):
        return inplace(fn, self, *args, **kwargs)
    method.__name__ = method.__qualname__ = fn.__name__ + "_"
    return method


class ZeroGrad(Function):
    """``x.lt_(y)`` and the like on a float tensor: torch keeps the (0./1.) result in the graph
    with a zero gradient for ``x`` and ``y``."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, b, r):
        return r.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        need_a, need_b, _ = ctx.needs_input_grad
        z = ctx.xp.zeros_like(g)
        return (z if need_a else None), (z if need_b else None), None


def _ip_nograd(fn):
    """The in-place method of a comparison (its result is in the graph with zero gradient)."""
    def compute(s, *args, **kwargs):
        r = fn(s, *args, **kwargs)
        if s._data.dtype.kind not in "fc":
            return r
        other = args[0] if args and isinstance(args[0], Tensor) else None
        return ZeroGrad.apply(s, other, r._data)

    def method(self, *args, **kwargs):
        return inplace(compute, self, *args, **kwargs)
    method.__name__ = method.__qualname__ = fn.__name__ + "_"
    return method


def _ip_keep_history(fn):
    """In-place logical ops: as in torch, they overwrite the values but leave the autograd
    history of ``self`` untouched."""
    def method(self, *args, **kwargs):
        check_inplace(self, *args)
        write_into(self, fn(self, *args, **kwargs))
        return self
    method.__name__ = method.__qualname__ = fn.__name__ + "_"
    return method


def _unary_fn(name, cls, doc):
    """The public function ``name(input, *, out=None)`` of a one-input op."""
    apply = cls.apply

    def fn(input, *, out=None):
        r = apply(input)
        return r if out is None else _into(r, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def _binary_fn(name, cls, doc, scalars=True):
    """The public function ``name(input, other, *, out=None)`` of a two-input op; with
    ``scalars=False`` both must be tensors (torch raises TypeError otherwise)."""
    apply = cls.apply

    def fn(input, other, *, out=None):
        if not scalars and not (isinstance(input, Tensor) and isinstance(other, Tensor)):
            _require_tensor(name, input, other)
        try:
            r = apply(input, other)
        except ValueError as e:
            raise _shape_error(e, input, other) from None
        return r if out is None else _into(r, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


# ---------------------------------------------------------------- arithmetic
class _NoDtype:
    kind = ""


_NO_DTYPE = _NoDtype()


class Add(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        a, b = promote(a, b)
        ctx.alpha = alpha
        if alpha == 1:
            return a + b
        if alpha.__class__ is float and _kind(a, b) in "biu":
            raise RuntimeError("For integral input tensors, argument alpha must not be a "
                               "floating point number.")
        return a + alpha * b

    @staticmethod
    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * ctx.alpha)


def add(input, other, *, alpha=1, out=None):
    """Adds ``other``, scaled by ``alpha``, to ``input``:
    :math:`\\text{out}_i = \\text{input}_i + \\text{alpha} \\times \\text{other}_i`."""
    try:
        r = Add.apply(input, other, alpha=alpha)
    except ValueError as e:
        raise _shape_error(e, input, other) from None
    return r if out is None else _into(r, out)


class Sub(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ka = "b" if a.__class__ is bool else getattr(a, "dtype", _NO_DTYPE).kind
        kb = "b" if b.__class__ is bool else getattr(b, "dtype", _NO_DTYPE).kind
        if ka == "b" or kb == "b":
            if ka == kb:
                raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                                   "supported. Use the `^` or `logical_xor()` operator instead.")
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                               "supported. If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        a, b = promote(a, b)
        ctx.alpha = alpha
        return a - b if alpha == 1 else a - alpha * b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * -ctx.alpha)


def sub(input, other, *, alpha=1, out=None):
    """Subtracts ``other``, scaled by ``alpha``, from ``input``:
    :math:`\\text{out}_i = \\text{input}_i - \\text{alpha} \\times \\text{other}_i`."""
    try:
        r = Sub.apply(input, other, alpha=alpha)
    except ValueError as e:
        raise _shape_error(e, input, other) from None
    return r if out is None else _into(r, out)


subtract = sub


def rsub(input, other, *, alpha=1):
    """Subtracts ``input``, scaled by ``alpha``, from ``other``."""
    try:
        return Sub.apply(other, input, alpha=alpha)
    except ValueError as e:
        raise _shape_error(e, input, other) from None


class Mul(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


mul = _binary_fn("mul", Mul, "Multiplies ``input`` by ``other``.")
multiply = mul


class Div(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        if _kind(a, b) in "biu":
            a = to_float(a) if hasattr(a, "dtype") else float(a)
            b = to_float(b) if hasattr(b, "dtype") else float(b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = g / b if need_a else None
        gb = -g * ((a / b) / b) if need_b else None
        return ga, gb


class DivMode(Function):
    """Division rounded towards zero ('trunc') or down ('floor'); its gradient is zero."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, b, mode):
        a, b = promote(a, b)
        kind = _kind(a, b)
        xp = ctx.xp
        if kind == "b":
            raise _not_implemented(f"div_{mode}_cpu", (a if hasattr(a, "dtype") else b).dtype)
        if kind in "iu":
            if _has_zero(b):
                raise RuntimeError("ZeroDivisionError")
            return a // b if mode == "floor" else (a - xp.fmod(a, b)) // b
        return xp.floor_divide(a, b) if mode == "floor" else xp.trunc(a / b)

    @staticmethod
    def backward(ctx, g):
        need_a, need_b, _ = ctx.needs_input_grad
        z = ctx.xp.zeros_like(g)
        return (z if need_a else None), (z if need_b else None), None


class FloorDivide(DivMode):
    """``floor_divide`` (``//``): as torch, it has no derivative."""
    _arrays = True

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def _rounded_div(input, other, rounding_mode):
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    try:
        return DivMode.apply(input, other, rounding_mode)
    except ValueError as e:
        raise _shape_error(e, input, other) from None


def div(input, other, *, rounding_mode=None, out=None):
    """Divides each element of ``input`` by the corresponding element of ``other``.

    ``rounding_mode``: ``None`` (true division; integer inputs give the default float dtype),
    ``'trunc'`` (rounds towards zero, like C integer division) or ``'floor'`` (rounds down,
    like Python's ``//``)."""
    if rounding_mode is None:
        try:
            r = Div.apply(input, other)
        except ValueError as e:
            raise _shape_error(e, input, other) from None
    else:
        r = _rounded_div(input, other, rounding_mode)
    return r if out is None else _into(r, out)


divide = true_divide = div


def floor_divide(input, other, *, out=None):
    """Computes ``input`` divided by ``other``, elementwise, and floors the result."""
    try:
        r = FloorDivide.apply(input, other, "floor")
    except ValueError as e:
        raise _shape_error(e, input, other) from None
    return r if out is None else _into(r, out)


class Remainder(Function):
    _arrays = True
    _ufunc = "remainder"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ctx.scalar_first = not hasattr(a, "dtype")
        a, b = promote(a, b)
        kind = _kind(a, b)
        if kind == "b":
            raise _not_implemented(ctx._ufunc + "_cpu", (a if hasattr(a, "dtype") else b).dtype)
        if kind in "iu" and _has_zero(b):
            raise RuntimeError("ZeroDivisionError")
        return getattr(ctx.xp, ctx._ufunc)(a, b)

    @staticmethod
    def backward(ctx, g):
        if ctx.scalar_first:
            raise RuntimeError("derivative for aten::remainder is not implemented")
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        q = ctx.xp.floor_divide(a, b) if need_b else None
        return (g if need_a else None), (-g * q if need_b else None)


class Fmod(Remainder):
    _arrays = True
    _ufunc = "fmod"

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        q = ctx.xp.trunc(a / b) if need_b else None
        return (g if need_a else None), (-g * q if need_b else None)


remainder = _binary_fn("remainder", Remainder, "Computes Python's modulus operation entrywise: "
                       "the result has the same sign as the divisor ``other``.")
fmod = _binary_fn("fmod", Fmod, "Applies C++'s ``std::fmod`` entrywise: the result has the same "
                  "sign as the dividend ``input``.")


def _int_pow(xp, a, b, b_scalar):
    """Integer power with torch's rule for negative exponents of tensors (1, +-1 or 0)."""
    if b_scalar:
        if b < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return a ** b
    neg = b < 0
    if not neg.any():
        return a ** b
    out = a ** xp.where(neg, 0, b)
    r = xp.where(a == 1, 1, 0) + xp.where(a == -1, 1 - 2 * (b & 1), 0)
    return xp.where(neg, r, out).astype(out.dtype)


def _log_scalar(v):
    return math.log(v) if v > 0 else (-_INF if v == 0 else _NAN)


class Pow(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        sa, sb = not hasattr(a, "dtype"), not hasattr(b, "dtype")
        a0, b0 = a, b
        a, b = promote(a, b)
        kind = _kind(a, b)
        if kind == "b":
            if not sb:
                raise _not_implemented("pow", b.dtype)
            out = a | (not b)
        elif kind in "iu":
            out = _int_pow(ctx.xp, a, b, sb)
        else:
            out = a ** b
        if ctx._edges:
            ctx.base, ctx.exponent = (a0 if sa else None), (b0 if sb else None)
            _save_some(ctx, None if sa else a0, None if sb else b0,
                       out if ctx._edges[1] is not None else None)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = _saved_some(ctx)
        xp = ctx.xp
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            if b is None:
                e = ctx.exponent
                ga = xp.zeros_like(g) if e == 0 else g * (e * a ** (e - 1))
            else:
                ga = xp.where(b == 0, 0.0, g * (b * a ** (b - 1)))
        if need_b:
            if a is None:
                base = ctx.base
                gb = g * (out * _log_scalar(base))
                if base == 0:
                    gb = xp.where(b >= 0, 0.0, gb)
            else:
                gb = g * xp.where((a == 0) & (b >= 0), 0.0, out * xp.log(a))
        return ga, gb


def pow(input, exponent, *, out=None):
    """Takes the power of each element in ``input`` with ``exponent`` and returns a tensor
    with the result. ``input`` and ``exponent`` can each be a tensor or a number."""
    try:
        r = Pow.apply(input, exponent)
    except ValueError as e:
        raise _shape_error(e, input, exponent) from None
    return r if out is None else _into(r, out)


def square(input, *, out=None):
    """Returns a new tensor with the square of the elements of ``input``."""
    r = Pow.apply(input, 2)
    return r if out is None else _into(r, out)


class Neg(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "b":
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


neg = _unary_fn("neg", Neg, "Returns a new tensor with the negative of the elements of "
                "``input``.")
negative = neg


def positive(input):
    """Returns ``input``. Throws a runtime error if ``input`` is a bool tensor."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


class Abs(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "b":
            raise _not_implemented("abs_cpu", a.dtype)
        ctx.save_for_backward(a)
        return ctx.xp.abs(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * ctx.xp.sign(a)


abs = _unary_fn("abs", Abs, "Computes the absolute value of each element in ``input``.")
absolute = abs


class Sign(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        kind = a.dtype.kind
        if kind == "f":  # (0 < a) - (a < 0): sign(nan) = 0 and sign(-0.) = 0., as torch
            return ctx.xp.subtract(a > 0, a < 0, dtype=a.dtype)
        return a.copy() if kind == "b" else ctx.xp.sign(a)

    backward = staticmethod(_zero_grad)


class Sgn(Sign):
    _arrays = True


sign = _unary_fn("sign", Sign, "Returns a new tensor with the signs of the elements of "
                 "``input``.")
sgn = _unary_fn("sgn", Sgn, "This function is an extension of torch.sign() to complex tensors; "
                "for real tensors it is :func:`sign`.")


# ---------------------------------------------------------------- math functions of floats
def _float_unary(name, f, df, uses="x"):
    """A Function ``y = f(xp, x)`` of floats (int/bool inputs give the default float dtype)
    whose vjp ``df(xp, g, v)`` needs ``v``: the input (``uses="x"``), the output (``"y"``)
    or nothing (``None``)."""
    if uses == "x":
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return f(ctx.xp, to_float(a))
    elif uses == "y":
        def forward(ctx, a):
            y = f(ctx.xp, to_float(a))
            ctx.save_for_backward(y)
            return y
    else:
        def forward(ctx, a):
            return f(ctx.xp, to_float(a))

    def backward(ctx, g):
        s = ctx.saved_tensors
        return df(ctx.xp, g, s[0] if s else None)
    return type(name, (Function,), {"_arrays": True, "forward": staticmethod(forward),
                                    "backward": staticmethod(backward), "__module__": __name__})


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
Erf = _float_unary("Erf", lambda xp, x: _calerf(xp, x, False).astype(x.dtype, copy=False),
                   lambda xp, g, x: g * (xp.exp(-(x * x)) * 1.1283791670955126))
Erfc = _float_unary("Erfc", lambda xp, x: _calerf(xp, x, True).astype(x.dtype, copy=False),
                    lambda xp, g, x: g * (xp.exp(-(x * x)) * -1.1283791670955126))
Erfinv = _float_unary("Erfinv", lambda xp, x: _erfinv(xp, x).astype(x.dtype, copy=False),
                      lambda xp, g, y: g * (xp.exp(y * y) * 0.88622692545275801), "y")
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
erf = _unary_fn("erf", Erf, "Computes the error function of ``input``.")
erfc = _unary_fn("erfc", Erfc, "Computes the complementary error function of ``input``.")
erfinv = _unary_fn("erfinv", Erfinv, "Computes the inverse error function of ``input``, "
                   "defined in the range :math:`(-1, 1)`.")
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


class Relu(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        if ctx._edges:
            ctx.save_for_backward(a > 0)
        return ctx.xp.maximum(a, 0)

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        return g * mask


def relu(input):
    """Applies the rectified linear unit function element-wise: :math:`\\max(0, x)`."""
    return Relu.apply(input)


# ---------------------------------------------------------------- rounding
def _round_like(xp_fn, a, kernel):
    kind = a.dtype.kind
    if kind == "b":
        raise _not_implemented(kernel + "_vml_cpu", a.dtype)
    return a.copy() if kind in "iu" else xp_fn(a)


class Floor(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        return _round_like(ctx.xp.floor, a, "floor")

    backward = staticmethod(_zero_grad)


class Ceil(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        return _round_like(ctx.xp.ceil, a, "ceil")

    backward = staticmethod(_zero_grad)


class Trunc(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        return _round_like(ctx.xp.trunc, a, "trunc")

    backward = staticmethod(_zero_grad)


class Round(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, decimals):
        xp = ctx.xp
        if decimals == 0:
            return _round_like(xp.rint, a, "round")
        if a.dtype.kind not in "fc":
            raise _not_implemented("round_cpu", a.dtype)
        if decimals > 0:
            p = 10.0 ** decimals
            return xp.rint(a * p) / p
        p = 10.0 ** -decimals
        return xp.rint(a / p) * p

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.zeros_like(g), None


class Frac(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind not in "fc":
            raise _not_implemented("frac_cpu", a.dtype)
        return a - ctx.xp.trunc(a)

    @staticmethod
    def backward(ctx, g):
        return g


floor = _unary_fn("floor", Floor, "Returns a new tensor with the floor of the elements of "
                  "``input``, the largest integer less than or equal to each element.")
ceil = _unary_fn("ceil", Ceil, "Returns a new tensor with the ceil of the elements of "
                 "``input``, the smallest integer greater than or equal to each element.")
trunc = _unary_fn("trunc", Trunc, "Returns a new tensor with the truncated integer values of "
                  "the elements of ``input``.")
fix = trunc
frac = _unary_fn("frac", Frac, "Computes the fractional portion of each element in ``input``.")


def round(input, *, decimals=0, out=None):
    """Rounds elements of ``input`` to the nearest integer (half to even), or to ``decimals``
    decimal digits (negative: to the left of the decimal point)."""
    r = Round.apply(input, decimals)
    return r if out is None else _into(r, out)


# ---------------------------------------------------------------- clamping, selection
class Clamp(Function):
    """clamp with Python-number bounds (either may be None)."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        xp = ctx.xp
        if lo is not None:
            a, lo = promote(a, lo)
        if hi is not None:
            a, hi = promote(a, hi)
        if lo is None:
            return xp.minimum(a, hi)
        a = xp.maximum(a, lo)
        return a if hi is None else xp.minimum(a, hi)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        lo, hi = ctx.lo, ctx.hi
        if lo is None:
            return g * (a <= hi), None, None
        if hi is None:
            return g * (a >= lo), None, None
        return g * ((a >= lo) & (a <= hi)), None, None


class ClampTensor(Function):
    """clamp with tensor bounds (either may be None); the bounds get gradients too."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, lo, hi):
        _save_some(ctx, a, lo, hi)
        rd = _result_np(a, lo, hi)
        a, lo, hi = _cast(a, rd), _cast(lo, rd), _cast(hi, rd)
        xp = ctx.xp
        if lo is None:
            return xp.minimum(a, hi)
        a = xp.maximum(a, lo)
        return a if hi is None else xp.minimum(a, hi)

    @staticmethod
    def backward(ctx, g):
        a, lo, hi = _saved_some(ctx)
        need_a, need_lo, need_hi = ctx.needs_input_grad
        ga = glo = ghi = None
        if lo is not None and hi is not None:
            if need_a:
                ga = g * ((a >= lo) & (a <= hi))
            if need_lo:
                glo = g * ((a < lo) & (lo < hi))
            if need_hi:
                ghi = g * ((a > hi) | (hi < lo))
        elif lo is not None:
            ga = g * (a >= lo) if need_a else None
            glo = g * (a < lo) if need_lo else None
        else:
            ga = g * (a <= hi) if need_a else None
            ghi = g * (a > hi) if need_hi else None
        return ga, glo, ghi


def clamp(input, min=None, max=None, *, out=None):
    """Clamps all elements in ``input`` into the range ``[min, max]``:
    :math:`y_i = \\min(\\max(x_i, \\text{min}_i), \\text{max}_i)`. ``min`` and ``max`` are
    numbers or tensors; either may be None, not both."""
    lo_t, hi_t = isinstance(min, Tensor), isinstance(max, Tensor)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if lo_t or hi_t:
        if (min is not None and not lo_t) or (max is not None and not hi_t):
            raise TypeError("clamp() received an invalid combination of arguments: min and max "
                            "must both be tensors or both be numbers")
        try:
            r = ClampTensor.apply(input, min, max)
        except ValueError as e:
            raise _shape_error(e, input, min, max) from None
    else:
        r = Clamp.apply(input, min, max)
    return r if out is None else _into(r, out)


clip = clamp


def clamp_min(input, min, *, out=None):
    """Clamps all elements in ``input`` to be larger or equal to ``min``."""
    return clamp(input, min=min, out=out)


def clamp_max(input, max, *, out=None):
    """Clamps all elements in ``input`` to be smaller or equal to ``max``."""
    return clamp(input, max=max, out=out)


class Maximum(Function):
    """Elementwise max; ties split the gradient equally, NaN passes it to both (as torch)."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        return ctx.xp.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        half = (g * 0.5) * (a == b)
        return (g * ~(a < b) - half if need_a else None), (g * ~(a > b) - half if need_b else None)


class Minimum(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        return ctx.xp.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        half = (g * 0.5) * (a == b)
        return (g * ~(a > b) - half if need_a else None), (g * ~(a < b) - half if need_b else None)


class Fmax(Function):
    """Elementwise max ignoring NaN; ties go to ``input`` (as torch)."""
    _arrays = True
    _cmp = staticmethod(operator.ge)

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        return ctx.xp.fmax(a, b) if ctx._cmp is operator.ge else ctx.xp.fmin(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        to_a = ctx._cmp(a, b) | ctx.xp.isnan(b)
        return (g * to_a if need_a else None), (g * ~to_a if need_b else None)


class Fmin(Fmax):
    _arrays = True
    _cmp = staticmethod(operator.le)


maximum = _binary_fn("maximum", Maximum, "Computes the element-wise maximum of ``input`` and "
                     "``other`` (NaN propagates).", scalars=False)
minimum = _binary_fn("minimum", Minimum, "Computes the element-wise minimum of ``input`` and "
                     "``other`` (NaN propagates).", scalars=False)
fmax = _binary_fn("fmax", Fmax, "Computes the element-wise maximum of ``input`` and ``other``; "
                  "a NaN is ignored when the other element is not NaN.", scalars=False)
fmin = _binary_fn("fmin", Fmin, "Computes the element-wise minimum of ``input`` and ``other``; "
                  "a NaN is ignored when the other element is not NaN.", scalars=False)


class Where(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, c, x, y):
        if c.dtype.kind != "b":
            if c.dtype.kind != "u":
                raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                                   f"tensor with dtype {type_name(c.dtype)}")
            c = c.astype(bool)
        ctx.save_for_backward(c)
        x, y = promote(x, y)
        out = ctx.xp.where(c, x, y)
        if not hasattr(x, "dtype") and not hasattr(y, "dtype"):
            out = out.astype(_dt.result_np(x, y))
        return out

    @staticmethod
    def backward(ctx, g):
        c, = ctx.saved_tensors
        _, need_x, need_y = ctx.needs_input_grad
        return None, (g * c if need_x else None), (g * ~c if need_y else None)


def where(condition, input=None, other=None, *, out=None):
    """Return a tensor of elements selected from either ``input`` or ``other``, depending on
    ``condition`` (:math:`\\text{out}_i = \\text{input}_i` if :math:`\\text{condition}_i`
    else :math:`\\text{other}_i`). ``where(condition)`` is ``nonzero(condition,
    as_tuple=True)``."""
    if input is None and other is None:
        c = condition._data
        return tuple(_make(i.astype(_dt.int64.np), False, None, 0)
                     for i in get_xp(c).nonzero(c))
    try:
        r = Where.apply(condition, input, other)
    except ValueError as e:
        raise _shape_error(e, condition, input, other) from None
    return r if out is None else _into(r, out)


_LERP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half"}


class Lerp(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b, w):
        if a.dtype.kind not in "fc":
            raise _not_implemented("lerp_kernel_scalar", a.dtype)
        for what, x in (("end", b), ("weight", w)):
            if hasattr(x, "dtype") and x.dtype != a.dtype and (what == "end" or x.ndim):
                n = lambda d: _LERP_NAMES.get(d.name, d.name)  # noqa: E731
                raise RuntimeError(f"expected dtype {n(a.dtype)} for `{what}` but got dtype "
                                   f"{n(x.dtype)}")
        wt = hasattr(w, "dtype")
        _save_some(ctx, a, b, w if wt else None)
        ctx.weight = w
        d = b - a
        if wt:
            w = _cast(w, a.dtype)
            return ctx.xp.where(ctx.xp.abs(w) < 0.5, a + w * d, b - d * (1 - w))
        return a + w * d if -0.5 < w < 0.5 else b - d * (1 - w)

    @staticmethod
    def backward(ctx, g):
        a, b, w = _saved_some(ctx)
        need_a, need_b, need_w = ctx.needs_input_grad
        if w is None:
            w = ctx.weight
        return ((g * (1 - w) if need_a else None), (g * w if need_b else None),
                (g * (b - a) if need_w else None))


def lerp(input, end, weight, *, out=None):
    """Does a linear interpolation of two tensors ``input`` (start) and ``end`` based on a
    scalar or tensor ``weight``: :math:`\\text{start}_i + \\text{weight}_i \\times
    (\\text{end}_i - \\text{start}_i)`."""
    try:
        r = Lerp.apply(input, end, weight)
    except ValueError as e:
        raise _shape_error(e, input, end, weight) from None
    return r if out is None else _into(r, out)


class Addcmul(Function):
    _arrays = True
    _div = False

    @staticmethod
    def forward(ctx, a, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        rd = _result_np(a, t1, t2)
        if ctx._div:
            if t1.dtype.kind in "biu" and t2.dtype.kind in "biu":
                raise RuntimeError(
                    "Integer division with addcdiv is no longer supported, and in a future  "
                    "release addcdiv will perform a true division of tensor1 and tensor2. The "
                    "historic addcdiv behavior can be implemented as (input + value * "
                    "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
                    "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
                    "behavior is just the latter implementation: (input + value * tensor1 / "
                    "tensor2), for all dtypes.")
        elif rd.kind in "biu":
            value = int(value)
        ctx.value = value
        a, t1, t2 = _cast(a, rd), _cast(t1, rd), _cast(t2, rd)
        p = t1 / t2 if ctx._div else t1 * t2
        return a + (p if value == 1 else value * p)

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        need_a, need_1, need_2, _ = ctx.needs_input_grad
        v = ctx.value
        if ctx._div:
            return ((g if need_a else None), (g * (v / t2) if need_1 else None),
                    (-g * ((v * t1) / (t2 * t2)) if need_2 else None), None)
        return ((g if need_a else None), (g * (t2 * v) if need_1 else None),
                (g * (t1 * v) if need_2 else None), None)


class Addcdiv(Addcmul):
    _arrays = True
    _div = True


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """Performs the element-wise multiplication of ``tensor1`` by ``tensor2``, multiplies the
    result by the scalar ``value`` and adds it to ``input``."""
    try:
        r = Addcmul.apply(input, tensor1, tensor2, value)
    except ValueError as e:
        raise _shape_error(e, input, tensor1, tensor2) from None
    return r if out is None else _into(r, out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """Performs the element-wise division of ``tensor1`` by ``tensor2``, multiplies the result
    by the scalar ``value`` and adds it to ``input``."""
    try:
        r = Addcdiv.apply(input, tensor1, tensor2, value)
    except ValueError as e:
        raise _shape_error(e, input, tensor1, tensor2) from None
    return r if out is None else _into(r, out)


class NanToNum(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        if a.dtype.kind not in "fc":
            return a.copy()
        ctx.save_for_backward(a)
        return ctx.xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * ctx.xp.isfinite(a), None, None, None


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replaces NaN, positive infinity, and negative infinity values in ``input`` with the
    values specified by ``nan``, ``posinf``, and ``neginf`` (by default zero, the greatest
    and the least finite value of the dtype)."""
    r = NanToNum.apply(input, nan, posinf, neginf)
    return r if out is None else _into(r, out)


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


# ---------------------------------------------------------------- no gradient: tests,
# comparisons, logical and bitwise ops (computed on the arrays, outside autograd)
def _data(x):
    return x._data if isinstance(x, Tensor) else x


def _wrap(r, out):
    r = _make(r, False, None, 0)
    return r if out is None else _into(r, out)


def _compare(name, op, doc):
    def fn(input, other, *, out=None):
        a, b = promote(input._data, _data(other))
        try:
            return _wrap(op(a, b), out)
        except ValueError as e:
            raise _shape_error(e, input, other) from None
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


eq = _compare("eq", operator.eq, "Computes element-wise equality: ``input == other``.")
ne = not_equal = _compare("ne", operator.ne, "Computes ``input != other`` element-wise.")
lt = less = _compare("lt", operator.lt, "Computes ``input < other`` element-wise.")
le = less_equal = _compare("le", operator.le, "Computes ``input <= other`` element-wise.")
gt = greater = _compare("gt", operator.gt, "Computes ``input > other`` element-wise.")
ge = greater_equal = _compare("ge", operator.ge, "Computes ``input >= other`` element-wise.")


def _logical(name, doc):
    def fn(input, other, *, out=None):
        _require_tensor(name, input, other)
        a, b = input._data, other._data
        try:
            return _wrap(getattr(get_xp(a), name)(a, b), out)
        except ValueError as e:
            raise _shape_error(e, input, other) from None
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


logical_and = _logical("logical_and", "Computes the element-wise logical AND of the given input "
                       "tensors. Zeros are treated as False and nonzeros are treated as True.")
logical_or = _logical("logical_or", "Computes the element-wise logical OR of the given input "
                      "tensors. Zeros are treated as False and nonzeros are treated as True.")
logical_xor = _logical("logical_xor", "Computes the element-wise logical XOR of the given input "
                       "tensors. Zeros are treated as False and nonzeros are treated as True.")


def logical_not(input, *, out=None):
    """Computes the element-wise logical NOT of the given input tensor (zeros are False)."""
    a = input._data
    return _wrap(get_xp(a).logical_not(a), out)


def _bitwise(name, op, kernel, kinds, doc):
    def fn(input, other, *, out=None):
        a, b = promote(_data(input), _data(other))
        if _kind(a, b) not in kinds:
            raise _not_implemented(kernel, (a if hasattr(a, "dtype") else b).dtype)
        try:
            return _wrap(op(a, b), out)
        except ValueError as e:
            raise _shape_error(e, input, other) from None
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


bitwise_and = _bitwise("bitwise_and", operator.and_, "bitwise_and_cpu", "biu",
                       "Computes the bitwise AND of ``input`` and ``other`` (integral or "
                       "Boolean types).")
bitwise_or = _bitwise("bitwise_or", operator.or_, "bitwise_or_cpu", "biu",
                      "Computes the bitwise OR of ``input`` and ``other`` (integral or Boolean "
                      "types).")
bitwise_xor = _bitwise("bitwise_xor", operator.xor, "bitwise_xor_cpu", "biu",
                       "Computes the bitwise XOR of ``input`` and ``other`` (integral or "
                       "Boolean types).")
bitwise_left_shift = _bitwise("bitwise_left_shift", operator.lshift, "lshift_cpu", "iu",
                              "Computes the left arithmetic shift of ``input`` by ``other`` "
                              "bits (integral types).")
bitwise_right_shift = _bitwise("bitwise_right_shift", operator.rshift, "rshift_cpu", "iu",
                               "Computes the right arithmetic shift of ``input`` by ``other`` "
                               "bits (integral types).")


def bitwise_not(input, *, out=None):
    """Computes the bitwise NOT of the given input tensor (integral or Boolean types)."""
    a = input._data
    if a.dtype.kind not in "biu":
        raise _not_implemented("bitwise_not_cpu", a.dtype)
    return _wrap(~a, out)


def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


def _test(name, fn, doc):
    def test(input):
        a = input._data
        return _make(fn(get_xp(a), a), False, None, 0)
    test.__name__ = test.__qualname__ = name
    test.__doc__ = doc
    return test


def _floats_only(f, default):
    return lambda xp, a: f(xp, a) if a.dtype.kind in "fc" else xp.full(a.shape, default)


isnan = _test("isnan", _floats_only(lambda xp, a: xp.isnan(a), False),
              "Returns a new tensor with boolean elements representing if each element of "
              "``input`` is NaN or not.")
isinf = _test("isinf", _floats_only(lambda xp, a: xp.isinf(a), False),
              "Tests if each element of ``input`` is infinite (positive or negative infinity) "
              "or not.")
isposinf = _test("isposinf", _floats_only(lambda xp, a: xp.isposinf(a), False),
                 "Tests if each element of ``input`` is positive infinity or not.")
isneginf = _test("isneginf", _floats_only(lambda xp, a: xp.isneginf(a), False),
                 "Tests if each element of ``input`` is negative infinity or not.")
isfinite = _test("isfinite", _floats_only(lambda xp, a: xp.isfinite(a), True),
                 "Returns a new tensor with boolean elements representing if each element is "
                 "finite or not.")
isreal = _test("isreal", lambda xp, a: xp.isreal(a),
               "Returns a new tensor with boolean elements representing if each element of "
               "``input`` is real-valued or not.")
signbit = _test("signbit", lambda xp, a: xp.signbit(a) if a.dtype.kind == "f" else
                (a < 0 if a.dtype.kind == "i" else xp.zeros(a.shape, bool)),
                "Tests if each element of ``input`` has its sign bit set or not.")


def equal(input, other):
    """``True`` if two tensors have the same size and elements, ``False`` otherwise."""
    a, b = promote(input._data, other._data)
    return a.shape == b.shape and bool((a == b).all())


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Returns a new tensor with boolean elements representing if each element of ``input`` is
    "close" to the corresponding element of ``other``:
    :math:`|\\text{input}_i - \\text{other}_i| \\leq \\texttt{atol} + \\texttt{rtol} \\times
    |\\text{other}_i|`."""
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{type_name(a.dtype)} did not match {type_name(b.dtype)}")
    xp = get_xp(a)
    try:
        close = a == b
    except ValueError as e:
        raise _shape_error(e, input, other) from None
    if equal_nan and a.dtype.kind in "fc":
        close |= xp.isnan(a) & xp.isnan(b)
    if rtol != 0 or atol != 0:
        if a.dtype.kind not in "fc":
            a, b = a.astype(_dt.float64.np), b.astype(_dt.float64.np)
        err = xp.abs(a - b)
        close |= xp.isfinite(err) & (err <= atol + xp.abs(rtol * b))
    return _make(close, False, None, 0)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """This function checks if ``input`` and ``other`` satisfy the condition
    :math:`|\\text{input}_i - \\text{other}_i| \\leq \\texttt{atol} + \\texttt{rtol} \\times
    |\\text{other}_i|` elementwise, for all elements."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


# ---------------------------------------------------------------- erf, erfc, erfinv
# W. J. Cody's rational Chebyshev approximations (CALERF; Math. Comp. 23, 1969): erf for
# |x| <= 0.46875, erfc(|x|) beyond, in three intervals; about 1e-16 relative error.
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERF_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)
_SQRPI = 5.6418958354775628695e-1  # 1 / sqrt(pi)


# erfc(|x|) to 1.2e-7 relative everywhere (Numerical Recipes' Chebyshev fit), for float32
_ERFC_NR = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807,
            -1.13520398, 1.48851587, -0.82215223, 0.17087277)


def _calerf_single(xp, x, complement):
    """erf/erfc for float32/float16 inputs: accurate to float32's precision, computed on whole
    arrays (no masked gathers, which cost more than the arithmetic on large tensors)."""
    x = xp.asarray(x, dtype=_dt.float64.np)
    a = xp.abs(x)
    t = 1.0 / (1.0 + 0.5 * a)
    p = _ERFC_NR[9]
    for c in _ERFC_NR[8::-1]:
        p = p * t + c
    r = t * xp.exp(p - a * a)                      # erfc(|x|)
    z = x * x                                       # Cody's small-|x| branch for erf
    num, den = _ERF_A[4] * z, z
    for i in range(3):
        num = (num + _ERF_A[i]) * z
        den = (den + _ERF_B[i]) * z
    small = x * (num + _ERF_A[3]) / (den + _ERF_B[3])
    neg = x < 0
    if complement:
        return xp.where(a <= 0.46875, 1.0 - small, xp.where(neg, 2.0 - r, r))
    return xp.where(a <= 0.46875, small, xp.where(neg, r - 1.0, 1.0 - r))


_CHUNK = 16384  # elements per pass: long formulas stay in cache instead of streaming memory


def _calerf(xp, x, complement):
    """erf(x), or erfc(x) when ``complement``, of an array, computed in float64."""
    single = x.dtype.itemsize < 8 and x.dtype.kind == "f"
    if x.size > _CHUNK and getattr(xp, "__name__", "") == "numpy":
        out = xp.empty(x.shape, _dt.float64.np)
        flat_in, flat_out = x.reshape(-1), out.reshape(-1)
        kernel = _calerf_single if single else _calerf_exact
        for i in range(0, flat_in.size, _CHUNK):
            flat_out[i:i + _CHUNK] = kernel(xp, flat_in[i:i + _CHUNK], complement)
        return out
    return (_calerf_single if single else _calerf_exact)(xp, x, complement)


def _calerf_exact(xp, x, complement):
    """Cody's erf/erfc, accurate to float64 precision."""
    x = xp.asarray(x, dtype=_dt.float64.np)
    y = xp.abs(x)
    res = xp.empty_like(x)
    small = y <= 0.46875
    xs = x[small]
    z = xs * xs
    num, den = _ERF_A[4] * z, z
    for i in range(3):
        num = (num + _ERF_A[i]) * z
        den = (den + _ERF_B[i]) * z
    r = xs * (num + _ERF_A[3]) / (den + _ERF_B[3])
    res[small] = 1.0 - r if complement else r
    big = ~small
    yb = xp.minimum(y[big], 40.0)  # erfc(40) underflows to 0; keeps inf out of the algebra
    r = xp.empty_like(yb)
    mid = yb <= 4.0
    ym = yb[mid]
    num, den = _ERF_C[8] * ym, ym
    for i in range(7):
        num = (num + _ERF_C[i]) * ym
        den = (den + _ERF_D[i]) * ym
    r[mid] = (num + _ERF_C[7]) / (den + _ERF_D[7])
    tail = ~mid
    yt = yb[tail]
    z = 1.0 / (yt * yt)
    num, den = _ERF_P[5] * z, z
    for i in range(4):
        num = (num + _ERF_P[i]) * z
        den = (den + _ERF_Q[i]) * z
    r[tail] = (_SQRPI - z * (num + _ERF_P[4]) / (den + _ERF_Q[4])) / yt
    ysq = xp.trunc(yb * 16.0) / 16.0
    r *= xp.exp(-ysq * ysq) * xp.exp(-(yb - ysq) * (yb + ysq))  # erfc(|x|)
    neg = x[big] < 0
    if complement:
        res[big] = xp.where(neg, 2.0 - r, r)
    else:
        res[big] = xp.where(neg, r - 1.0, 1.0 - r)
    return res


# erfinv: the rational first guess PyTorch uses, then two Newton steps on erf(x) = |y| (or
# on erfc(x) = 1 - |y|, exact in floating point, towards +-1: no cancellation).
_INV_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_INV_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_INV_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_INV_D = (3.543889200, 1.637067800)


def _erfinv(xp, y):
    y = xp.asarray(y, dtype=_dt.float64.np)
    ya = xp.abs(y)
    x = xp.zeros_like(y)
    c = ya <= 0.7
    z = ya[c] * ya[c]
    num = ((_INV_A[3] * z + _INV_A[2]) * z + _INV_A[1]) * z + _INV_A[0]
    den = (((_INV_B[3] * z + _INV_B[2]) * z + _INV_B[1]) * z + _INV_B[0]) * z + 1.0
    x[c] = ya[c] * num / den
    t = (ya > 0.7) & (ya < 1.0)
    z = xp.sqrt(-xp.log((1.0 - ya[t]) / 2.0))
    num = ((_INV_C[3] * z + _INV_C[2]) * z + _INV_C[1]) * z + _INV_C[0]
    x[t] = num / ((_INV_D[1] * z + _INV_D[0]) * z + 1.0)
    lo, hi = ya <= 0.5, (ya > 0.5) & (ya < 1.0)
    ylo, qhi = ya[lo], 1.0 - ya[hi]
    for _ in range(2):
        xl, xh = x[lo], x[hi]
        x[lo] = xl - (_calerf(xp, xl, False) - ylo) / (1.1283791670955126 * xp.exp(-xl * xl))
        x[hi] = xh + (_calerf(xp, xh, True) - qhi) / (1.1283791670955126 * xp.exp(-xh * xh))
    x[ya == 1.0] = _INF
    x[~(ya <= 1.0)] = _NAN
    return xp.copysign(x, y)


# ---------------------------------------------------------------- Tensor methods
def _reflected(fn):
    return lambda self, other: fn(other, self)


def _cmp_dunder(fn):
    def method(self, other):
        if isinstance(other, (Tensor, int, float, complex)) or hasattr(other, "dtype"):
            return fn(self, other)
        return NotImplemented
    return method


def _tensor_where(self, condition, y):
    return where(condition, self, y)


_METHODS = [
    add, sub, mul, div, floor_divide, remainder, fmod, pow, neg, abs, sign, sgn, square,
    exp, exp2, expm1, log, log2, log10, log1p, sqrt, rsqrt, reciprocal, sin, cos, tan, asin,
    acos, atan, atan2, sinh, cosh, tanh, asinh, acosh, atanh, sigmoid, logit, erf, erfc,
    erfinv, deg2rad, rad2deg, floor, ceil, round, trunc, frac, clamp, clamp_min, clamp_max,
    lerp, addcmul, addcdiv, nan_to_num, copysign, hypot, xlogy, relu, logical_and,
    logical_or, logical_xor, logical_not, bitwise_and, bitwise_or, bitwise_xor, bitwise_not,
    bitwise_left_shift, bitwise_right_shift, eq, ne, lt, le, gt, ge,
]
_ALIASES = {
    "subtract": sub, "multiply": mul, "divide": div, "true_divide": div, "negative": neg,
    "absolute": abs, "arcsin": asin, "arccos": acos, "arctan": atan, "arctan2": atan2,
    "arcsinh": asinh, "arccosh": acosh, "arctanh": atanh, "fix": trunc, "clip": clamp,
    "greater": gt, "greater_equal": ge, "less": lt, "less_equal": le, "not_equal": ne,
}

TENSOR_METHODS = {fn.__name__: fn for fn in _METHODS}
TENSOR_METHODS.update(_ALIASES)
_NO_GRAD = (eq, ne, lt, le, gt, ge)
_LOGICAL = (logical_and, logical_or, logical_xor, logical_not)
TENSOR_METHODS.update({
    name + "_": (_ip_nograd(fn) if fn in _NO_GRAD else
                 _ip_keep_history(fn) if fn in _LOGICAL else _ip(fn))
    for name, fn in list(TENSOR_METHODS.items())})
TENSOR_METHODS.update({
    "positive": positive, "maximum": maximum, "minimum": minimum, "fmax": fmax, "fmin": fmin,
    "where": _tensor_where, "isnan": isnan, "isinf": isinf, "isposinf": isposinf,
    "isneginf": isneginf, "isfinite": isfinite, "isreal": isreal, "signbit": signbit,
    "logaddexp": logaddexp, "logaddexp2": logaddexp2, "equal": equal, "isclose": isclose,
    "allclose": allclose,
    "__add__": add, "__radd__": add, "__iadd__": TENSOR_METHODS["add_"],
    "__sub__": sub, "__rsub__": _reflected(sub), "__isub__": TENSOR_METHODS["sub_"],
    "__mul__": mul, "__rmul__": mul, "__imul__": TENSOR_METHODS["mul_"],
    "__truediv__": div, "__rtruediv__": _reflected(div), "__itruediv__": TENSOR_METHODS["div_"],
    "__floordiv__": floor_divide, "__rfloordiv__": _reflected(floor_divide),
    "__ifloordiv__": TENSOR_METHODS["floor_divide_"],
    "__mod__": remainder, "__rmod__": _reflected(remainder),
    "__imod__": TENSOR_METHODS["remainder_"],
    "__pow__": pow, "__rpow__": _reflected(pow), "__ipow__": TENSOR_METHODS["pow_"],
    "__neg__": neg, "__pos__": positive, "__abs__": abs, "__invert__": _invert,
    "__and__": bitwise_and, "__rand__": bitwise_and, "__iand__": TENSOR_METHODS["bitwise_and_"],
    "__or__": bitwise_or, "__ror__": bitwise_or, "__ior__": TENSOR_METHODS["bitwise_or_"],
    "__xor__": bitwise_xor, "__rxor__": bitwise_xor, "__ixor__": TENSOR_METHODS["bitwise_xor_"],
    "__lshift__": bitwise_left_shift, "__rlshift__": _reflected(bitwise_left_shift),
    "__ilshift__": TENSOR_METHODS["bitwise_left_shift_"],
    "__rshift__": bitwise_right_shift, "__rrshift__": _reflected(bitwise_right_shift),
    "__irshift__": TENSOR_METHODS["bitwise_right_shift_"],
    "__eq__": _cmp_dunder(eq), "__ne__": _cmp_dunder(ne), "__lt__": _cmp_dunder(lt),
    "__le__": _cmp_dunder(le), "__gt__": _cmp_dunder(gt), "__ge__": _cmp_dunder(ge),
})
