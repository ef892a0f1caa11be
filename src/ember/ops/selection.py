"""Clamping and selection (clamp, maximum/minimum, fmax/fmin, where, nan_to_num) and the fused
blends lerp, addcmul and addcdiv.

Ties follow torch: maximum/minimum split the gradient evenly between equal inputs, clamp
passes it to the input on the bounds, and fmax/fmin send it to the operand they returned.
"""
from __future__ import annotations

import operator

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend import get_xp
from .._tensor import Tensor, _make
from ._util import promote, type_name
from .elementwise import _binary_fn, _cast, _into, _ip, _not_implemented, _result_np, _shape_error

__all__ = ["clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin",
           "where", "lerp", "addcmul", "addcdiv", "nan_to_num"]

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
        ctx.save_for_backward(a, lo, hi)
        rd = _result_np(a, lo, hi)
        a, lo, hi = _cast(a, rd), _cast(lo, rd), _cast(hi, rd)
        xp = ctx.xp
        if lo is None:
            return xp.minimum(a, hi)
        a = xp.maximum(a, lo)
        return a if hi is None else xp.minimum(a, hi)

    @staticmethod
    def backward(ctx, g):
        a, lo, hi = ctx.saved_tensors
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
        ctx.save_for_backward(a, b, w if wt else None)
        ctx.weight = w
        d = b - a
        if wt:
            w = _cast(w, a.dtype)
            return ctx.xp.where(ctx.xp.abs(w) < 0.5, a + w * d, b - d * (1 - w))
        return a + w * d if -0.5 < w < 0.5 else b - d * (1 - w)

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
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


# ---------------------------------------------------------------- Tensor methods
def _tensor_where(self, condition, y):
    return where(condition, self, y)


TENSOR_METHODS = {fn.__name__: fn for fn in (clamp, clamp_min, clamp_max, lerp, addcmul,
                                              addcdiv, nan_to_num)}
TENSOR_METHODS["clip"] = clamp
TENSOR_METHODS.update({name + "_": _ip(fn) for name, fn in list(TENSOR_METHODS.items())})
TENSOR_METHODS.update({"maximum": maximum, "minimum": minimum, "fmax": fmax, "fmin": fmin,
                       "where": _tensor_where})
