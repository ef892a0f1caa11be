"""Ops with no gradient: comparisons, logical and bitwise ops, and tests (isnan, isfinite,
signbit, isclose, ...).

They compute on the arrays, outside autograd, and return tensors that do not require grad.
As in torch, the in-place comparisons of a float tensor (``x.lt_(y)``) keep it in the graph
with a zero gradient, and the in-place logical ops leave its autograd history untouched.
"""
from __future__ import annotations

import operator

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend import get_xp
from .._tensor import Tensor, _make
from ._util import check_inplace, inplace, promote, type_name, write_into
from .elementwise import (_into, _ip, _kind, _not_implemented, _reflected, _require_tensor,
                          _shape_error)

__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
    "not_equal", "equal", "isclose", "allclose", "isnan", "isinf", "isposinf", "isneginf",
    "isfinite", "isreal", "signbit", "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift",
]


# ---------------------------------------------------------------- in-place forms
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


# ---------------------------------------------------------------- comparisons
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


# ---------------------------------------------------------------- Tensor methods
def _cmp_dunder(fn):
    def method(self, other):
        if isinstance(other, (Tensor, int, float, complex)) or hasattr(other, "dtype"):
            return fn(self, other)
        return NotImplemented
    return method


_NO_GRAD = (eq, ne, lt, le, gt, ge)
_LOGICAL = (logical_and, logical_or, logical_xor, logical_not)
_BITWISE = (bitwise_and, bitwise_or, bitwise_xor, bitwise_not, bitwise_left_shift,
            bitwise_right_shift)
TENSOR_METHODS = {fn.__name__: fn for fn in _LOGICAL + _BITWISE + _NO_GRAD}
TENSOR_METHODS.update({"greater": gt, "greater_equal": ge, "less": lt, "less_equal": le,
                       "not_equal": ne})
TENSOR_METHODS.update({
    name + "_": (_ip_nograd(fn) if fn in _NO_GRAD else
                 _ip_keep_history(fn) if fn in _LOGICAL else _ip(fn))
    for name, fn in list(TENSOR_METHODS.items())})
TENSOR_METHODS.update({
    "isnan": isnan, "isinf": isinf, "isposinf": isposinf, "isneginf": isneginf,
    "isfinite": isfinite, "isreal": isreal, "signbit": signbit, "equal": equal,
    "isclose": isclose, "allclose": allclose, "__invert__": _invert,
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
