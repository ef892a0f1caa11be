"""dtype objects and PyTorch's type-promotion rules.

NumPy promotes differently from torch (0-d arrays are strong, ``int8 + float16`` is
float32, Python floats with int arrays give float64), so every op casts through
:func:`result_type` here before it calls the backend.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "dtype", "float16", "half", "float32", "float", "float64", "double", "int8", "int16",
    "short", "int32", "int", "int64", "long", "uint8", "bool", "complex64", "cfloat",
    "complex128", "cdouble", "set_default_dtype", "get_default_dtype", "promote_types",
    "result_type", "can_cast", "finfo", "iinfo", "is_floating_point", "is_complex",
]

_builtin_bool = bool
_builtin_int = int
_builtin_float = float

# category ranks: bool < integral < floating < complex
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """The data type of a :class:`ember.Tensor` (``ember.float32``, ``ember.int64``, ...)."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed",
                 "_category")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self._category = category
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = self.np.kind in "ifc"

    def __repr__(self):
        return "torch." + self.name if _torch_names else "ember." + self.name

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float16: complex64, float32: complex64, float64: complex128}.get(self, self)

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


_torch_names = False  # the compat layer prints dtypes as torch.* for unmodified scripts

float16 = half = dtype("float16", np.float16, _FLOAT)
float32 = float = dtype("float32", np.float32, _FLOAT)
float64 = double = dtype("float64", np.float64, _FLOAT)
complex64 = cfloat = dtype("complex64", np.complex64, _COMPLEX)
complex128 = cdouble = dtype("complex128", np.complex128, _COMPLEX)
int8 = dtype("int8", np.int8, _INT)
int16 = short = dtype("int16", np.int16, _INT)
int32 = int = dtype("int32", np.int32, _INT)
int64 = long = dtype("int64", np.int64, _INT)
uint8 = dtype("uint8", np.uint8, _INT)
bool = dtype("bool", np.bool_, _BOOL)

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_BY_NAME = {d.name: d for d in ALL}
# np.dtype -> ember dtype; keyed by the dtype object and by the scalar type for convenience
FROM_NP = {d.np: d for d in ALL}
FROM_NP.update({d.np.type: d for d in ALL})


def _dtype_by_name(name):
    return _BY_NAME[name]


def from_np(np_dtype) -> dtype:
    try:
        return FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(f"ember has no dtype matching numpy dtype {np_dtype}") from None


def to_np(d):
    """The NumPy dtype for an ember dtype (also accepts numpy dtypes and python types)."""
    if d.__class__ is dtype:
        return d.np
    return as_dtype(d).np


def as_dtype(d) -> dtype:
    if d.__class__ is dtype:
        return d
    # Python types name fixed dtypes (as in torch: ``dtype=float`` is float64 whatever the
    # default dtype)
    if d is _builtin_float:
        return float64
    if d is _builtin_int:
        return int64
    if d is _builtin_bool:
        return bool
    if d is complex:
        return complex128
    if isinstance(d, str):
        name = d[6:] if d.startswith("torch.") else d
        name = {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
                "int": "int32", "short": "int16"}.get(name, name)
        if name in _BY_NAME:
            return _BY_NAME[name]
    if getattr(d, "__module__", None) == "torch" or type(d).__module__ == "torch":
        return _BY_NAME[str(d).replace("torch.", "")]
    try:
        return FROM_NP[np.dtype(d)]
    except (TypeError, KeyError):
        raise TypeError(f"cannot interpret {d!r} as an ember dtype") from None


_default_float = float32


def set_default_dtype(d):
    """Sets the default floating point dtype to ``d`` (float32 or float64 or float16)."""
    global _default_float
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_float = d


def get_default_dtype() -> dtype:
    """Get the current default floating point :class:`ember.dtype`."""
    return _default_float


def default_float_np():
    return _default_float.np


def is_floating_point(t) -> _builtin_bool:
    return t.dtype.is_floating_point


def is_complex(t) -> _builtin_bool:
    return t.dtype.is_complex


# ---------------------------------------------------------------------------------------------
# promotion
_INT_ORDER = {uint8: 0, int8: 1, int16: 2, int32: 3, int64: 4}


def _promote_pair(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    ca, cb = a._category, b._category
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi._category == _COMPLEX and lo._category == _FLOAT:
            return complex128 if lo is float64 or hi is complex128 else hi
        return hi
    if ca == _INT:
        if {a, b} == {uint8, int8}:
            return int16
        return a if _INT_ORDER[a] > _INT_ORDER[b] else b
    return a if a.itemsize > b.itemsize else b


_PROMOTE = {(a, b): _promote_pair(a, b) for a in ALL for b in ALL}
# the same table on numpy dtypes, which is what op code holds
PROMOTE_NP = {(a.np, b.np): _PROMOTE[a, b].np for a in ALL for b in ALL}


def promote_types(type1, type2) -> dtype:
    """The dtype with the smallest size and scalar kind not smaller nor of lower kind than
    either ``type1`` or ``type2``."""
    return _PROMOTE[as_dtype(type1), as_dtype(type2)]


def _combine(higher, lower):
    # torch's combine_categories: a lower-priority participant only matters when it is of a
    # higher category (a float scalar with an int tensor)
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._category == _COMPLEX:
        return higher
    if lower._category == _COMPLEX:
        return higher.to_complex() if higher._category == _FLOAT else lower
    if higher._category == _FLOAT:
        return higher
    if higher is bool or lower._category == _FLOAT:
        return _PROMOTE[higher, lower]
    return higher


def scalar_dtype(x) -> dtype:
    """The dtype a Python number takes when wrapped (torch's 'wrapped number' rule)."""
    t = type(x)
    if t is _builtin_bool or t is np.bool_:
        return bool
    if t is _builtin_int or isinstance(x, np.integer):
        return int64
    if t is _builtin_float or isinstance(x, np.floating):
        return _default_float
    if t is complex or isinstance(x, np.complexfloating):
        return _default_float.to_complex()
    raise TypeError(f"unsupported scalar type {t.__name__}")


def result_type(*operands) -> dtype:
    """The dtype that results from an arithmetic op on ``operands`` (tensors or numbers),
    following torch's rules: dimensioned tensors > zero-dim tensors > Python scalars, where a
    lower group only raises the category (bool < int < float < complex)."""
    dim_t = zero_t = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is None:
            wrapped = scalar_dtype(x) if wrapped is None else _PROMOTE[wrapped, scalar_dtype(x)]
            continue
        d = as_dtype(d)
        if x.ndim == 0:
            zero_t = d if zero_t is None else _PROMOTE[zero_t, d]
        else:
            dim_t = d if dim_t is None else _PROMOTE[dim_t, d]
    return _combine(dim_t, _combine(zero_t, wrapped))


def result_np(a, b):
    """Result numpy dtype for a binary op on backend arrays / Python scalars ``a`` and ``b``.

    Arrays of ndim 0 count as zero-dim tensors, anything without ``dtype`` as a weak scalar.
    """
    da = getattr(a, "dtype", None)
    db = getattr(b, "dtype", None)
    if da is not None and db is not None:
        if da is db:
            return da
        if (a.ndim == 0) == (b.ndim == 0):
            return PROMOTE_NP[da, db]
    return result_type(a if da is None else _ArrayMeta(a), b if db is None else _ArrayMeta(b)).np


class _ArrayMeta:
    __slots__ = ("dtype", "ndim")

    def __init__(self, arr):
        self.dtype = FROM_NP[arr.dtype]
        self.ndim = arr.ndim


def can_cast(from_, to) -> _builtin_bool:
    """Whether a type conversion is allowed under torch's casting rules (no lower category)."""
    return as_dtype(from_)._category <= as_dtype(to)._category


class finfo:
    """Machine limits for floating point types (``bits, eps, max, min, tiny,
    smallest_normal, resolution``)."""

    def __init__(self, type=None):
        d = as_dtype(type if type is not None else _default_float)
        if not (d.is_floating_point or d.is_complex):
            raise TypeError("finfo() requires a floating point input type.")
        info = np.finfo(d.to_real().np)
        self.dtype = d.to_real().name
        self.bits = info.bits
        self.eps = _builtin_float(info.eps)
        self.max = _builtin_float(info.max)
        self.min = _builtin_float(info.min)
        self.tiny = self.smallest_normal = _builtin_float(info.tiny)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Machine limits for integer types (``bits, max, min``)."""

    def __init__(self, type):
        d = as_dtype(type)
        if d._category != _INT:
            raise TypeError("iinfo() requires an integer input type.")
        info = np.iinfo(d.np)
        self.bits = info.bits
        self.min, self.max = _builtin_int(info.min), _builtin_int(info.max)
        self.dtype = d.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
