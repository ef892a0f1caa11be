"""Elementwise arithmetic (add, sub, mul, div, remainder, pow, abs, sign, ...), rounding, and the
helpers every elementwise family builds on; the Tensor operators (``+``, ``*``, ``**``, ...).

The elementwise ops are spread over a few files, in this order: elementwise.py (this one),
floatmath.py (exp, log, trigonometric functions, sigmoid, atan2, xlogy, ...), selection.py
(clamp, maximum/minimum, where, lerp, addcmul, ...), comparison.py (comparisons, logical and
bitwise ops, isnan/isclose: no gradient) and special.py (erf, lgamma, digamma, ...).

Each primitive is a Function whose backward sits right under its forward. Backward formulas
are duck-typed over arrays and Tensors (``ctx.xp`` is numpy/cupy or ``ember``), and return
gradients in the inputs' broadcast shape: the engine sums and casts them back. One-argument
math functions are declared in a table (``_float_unary``: forward and vjp on one line each).
"""
from __future__ import annotations

import importlib
import math
import sys

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend import get_xp
from .._tensor import Tensor
from ._util import inplace, promote, to_float, type_name, weak_scalar, write_into

__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "neg", "negative", "positive", "abs",
    "absolute", "sign", "sgn", "square", "floor", "ceil", "round", "trunc", "fix", "frac",
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


def _zero_grad(ctx, g):
    return ctx.xp.zeros_like(g)


def _ip(fn):
    """The in-place method ``fn_`` of a function ``fn``."""
    def method(self, *args, **kwargs):
        return inplace(fn, self, *args, **kwargs)
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


def _float_unary(name, f, df, uses="x"):
    """A Function ``y = f(xp, x)`` of floats (int/bool inputs give the default float dtype)
    whose vjp ``df(xp, g, v)`` needs ``v``: the input (``uses="x"``), the output (``"y"``)
    or nothing (``None``). The class belongs to the calling module (as namedtuple does)."""
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
                                    "backward": staticmethod(backward),
                                    "__module__": sys._getframe(1).f_globals["__name__"]})


# ---------------------------------------------------------------- arithmetic
class _NoDtype:
    kind = ""


_NO_DTYPE = _NoDtype()


class Add(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if b.__class__ is int or b.__class__ is float:
            b = weak_scalar(a, b)
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
        # without alpha when it is 1: no keyword dict to build and unpack on the hot path
        r = Add.apply(input, other) if alpha == 1 else Add.apply(input, other, alpha=alpha)
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
        if b.__class__ is int or b.__class__ is float:
            b = weak_scalar(a, b)
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
        r = Sub.apply(input, other) if alpha == 1 else Sub.apply(input, other, alpha=alpha)
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
    scalar = None  # x * 2: the typed constant, all the node keeps (as torch's MulBackward1)

    @staticmethod
    def forward(ctx, a, b):
        if b.__class__ is int or b.__class__ is float:
            b = weak_scalar(a, b)  # x * 2: faster here and in backward
            if b.__class__ is not int and b.__class__ is not float:  # now a's dtype
                ctx.scalar = b
                return a * b
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        if ctx.scalar is not None:
            return g * ctx.scalar, None
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
            ctx.save_for_backward(None if sa else a0, None if sb else b0,
                                  out if ctx._edges[1] is not None else None)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
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




# ---------------------------------------------------------------- Tensor methods
def _reflected(fn):
    return lambda self, other: fn(other, self)


_METHODS = [
    add, sub, mul, div, floor_divide, remainder, fmod, pow, neg, abs, sign, sgn, square,
    floor, ceil, round, trunc, frac,
]
_ALIASES = {
    "subtract": sub, "multiply": mul, "divide": div, "true_divide": div, "negative": neg,
    "absolute": abs, "fix": trunc,
}

TENSOR_METHODS = {fn.__name__: fn for fn in _METHODS}
TENSOR_METHODS.update(_ALIASES)
TENSOR_METHODS.update({name + "_": _ip(fn) for name, fn in list(TENSOR_METHODS.items())})
TENSOR_METHODS.update({
    "positive": positive,
    "__add__": add, "__radd__": add, "__iadd__": TENSOR_METHODS["add_"],
    "__sub__": sub, "__rsub__": _reflected(sub), "__isub__": TENSOR_METHODS["sub_"],
    "__mul__": mul, "__rmul__": mul, "__imul__": TENSOR_METHODS["mul_"],
    "__truediv__": div, "__rtruediv__": _reflected(div), "__itruediv__": TENSOR_METHODS["div_"],
    "__floordiv__": floor_divide, "__rfloordiv__": _reflected(floor_divide),
    "__ifloordiv__": TENSOR_METHODS["floor_divide_"],
    "__mod__": remainder, "__rmod__": _reflected(remainder),
    "__imod__": TENSOR_METHODS["remainder_"],
    "__pow__": pow, "__rpow__": _reflected(pow), "__ipow__": TENSOR_METHODS["pow_"],
    "__neg__": neg, "__pos__": positive, "__abs__": abs,
})


# ---------------------------------------------------------------- names that moved out
_MOVED_TO = ("floatmath", "selection", "comparison", "special")


def __getattr__(name):
    """The ops that moved to the other elementwise files stay importable from here."""
    if not name.startswith("__"):
        for mod in _MOVED_TO:
            module = importlib.import_module(f".{mod}", __package__)
            if name in module.__dict__:
                return module.__dict__[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
