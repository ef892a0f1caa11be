"""Helpers every op family shares: dtype promotion on arrays, dims, the in-place protocol."""
from __future__ import annotations

from math import prod as _prod

from .. import dtypes as _dt
from ..backend import check_same_device
from ..backend.cpu import ndarray as _ndarray
from ..backend.cpu import xp as _cpu_xp
from ..autograd.grad_mode import _state
from .._tensor import Tensor, _make

PROMOTE_NP = _dt.PROMOTE_NP
_np_array = _cpu_xp.array
_np_empty = _cpu_xp.empty


def promote(a, b):
    """Cast backend arrays / Python scalars ``a`` and ``b`` to torch's result dtype.

    Python scalars stay Python scalars: NumPy treats them as weak, so after the array is cast
    to the result dtype the arithmetic keeps that dtype.
    """
    da = getattr(a, "dtype", None)
    db = getattr(b, "dtype", None)
    if da is not None and db is not None and type(a) is not type(b):
        check_same_device(a, b)
    if da is db and da is not None:
        return a, b
    # array with a weak Python scalar that does not raise its category: NumPy agrees with torch
    if db is None and da is not None:
        tb = b.__class__
        if (tb is float and da.kind in "fc") or (tb is int and da.kind in "iufc"):
            return a, b
    elif da is None and db is not None:
        ta = a.__class__
        if (ta is float and db.kind in "fc") or (ta is int and db.kind in "iufc"):
            return a, b
    rd = _dt.result_np(a, b)
    if da is not None and da != rd:
        a = a.astype(rd)
    if db is not None and db != rd:
        b = b.astype(rd)
    if da is None and db is not None and rd.kind != "b":
        a = _scalar_as(a, rd)
    if db is None and da is not None and rd.kind != "b":
        b = _scalar_as(b, rd)
    return a, b


_CONSTS = {}  # (number, dtype) -> read-only 0-d array


def weak_scalar(a, x):
    """The Python int or float ``x`` as a 0-d array of ``a``'s dtype when ``a`` is a NumPy
    float or complex array (else ``x`` unchanged): the value NumPy's own conversion of a weak
    scalar gives, but a binary ufunc on a small array runs in ~0.35 us with it against
    ~0.65 us with the Python scalar, which NumPy converts on every call. Cached read-only."""
    if a.__class__ is _ndarray and (x or x.__class__ is int):  # float zeros are no keys:
        c = _CONSTS.get((x, a.dtype))                          # -0.0 == 0.0 == 0
        if c is not None:
            return c
        if a.dtype.kind in "fc":
            c = _np_array(x, a.dtype)
            if x == x and len(_CONSTS) < 1024:  # nan is no key either
                c.flags.writeable = False
                _CONSTS[(x, a.dtype)] = c
            return c
    elif a.__class__ is _ndarray and a.dtype.kind in "fc":
        return _np_array(x, a.dtype)
    return x


def _scalar_as(x, np_dtype):
    # a bool scalar against a numeric array: let numpy see a number of the right kind
    if isinstance(x, bool):
        return int(x) if np_dtype.kind in "iu" else float(x)
    return x


def expand_to(xp, g, shape):
    """Broadcast ``g`` to ``shape``: a fresh array when small (NumPy's broadcast_to costs ~2 us),
    a zero-copy view when large. Tensors (create_graph) use ``expand``."""
    if g.__class__ is _ndarray and _prod(shape) <= 65536:  # the common case first
        out = _np_empty(shape, g.dtype)
        out[...] = g
        return out
    if xp.__name__ == "ember":
        return g.expand(shape)
    if _prod(shape) > 65536:
        return xp.broadcast_to(g, shape)
    out = xp.empty(shape, g.dtype)
    out[...] = g
    return out


def to_float(a):
    """Integral/bool arrays become the default float dtype (torch's rule for exp, sqrt, ...)."""
    if a.dtype.kind in "fc":
        return a
    return a.astype(_dt.default_float_np())


def wrap_dim(dim, ndim):
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def normalize_dims(dim, ndim):
    """``dim`` (None, int, list or tuple) -> a sorted tuple of non-negative axes, or None."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        axes = tuple(sorted(wrap_dim(d, ndim) for d in dim))
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
        return axes
    return (wrap_dim(dim, ndim),)


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
               "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def type_name(np_dtype):
    return _TYPE_NAMES[_dt.FROM_NP[np_dtype].name]


def check_inplace(self, *args):
    """torch's checks before an in-place op; returns whether the op must be recorded."""
    if not _state.enabled:
        return False
    if self._requires_grad and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    base = self._base
    if base is not None and base._requires_grad and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    if self._requires_grad:
        return True
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def inplace(fn, self, *args, **kwargs):
    """Run ``fn(self, *args)`` and write the result into ``self`` (torch's ``op_`` variants).

    When autograd records, ``fn`` runs on a copy of ``self``'s data carrying its history, so
    the arrays the op saves for backward are not the ones overwritten here; ``self`` then takes
    the new node as its ``grad_fn``.
    """
    recording = check_inplace(self, *args)
    if recording:
        src = _make(self._data.copy(), self._requires_grad, self.grad_fn, self._output_nr)
        result = fn(src, *args, **kwargs)
    else:
        result = fn(self, *args, **kwargs)
    write_into(self, result)
    if recording:
        rebase_history(self, result)
    return self


def write_into(self, result):
    """Copy ``result``'s values into ``self``'s memory (broadcasting), checking torch's rules."""
    dst = self._data
    src = result._data if isinstance(result, Tensor) else result
    if src.dtype != dst.dtype and src.dtype.kind != "b":
        if _dt.FROM_NP[src.dtype]._category > _dt.FROM_NP[dst.dtype]._category:
            raise RuntimeError(f"result type {type_name(src.dtype)} can't be cast to the desired "
                               f"output type {type_name(dst.dtype)}")
    if src.shape != dst.shape:
        ok = len(src.shape) <= len(dst.shape) and all(
            s == 1 or s == d for s, d in zip(src.shape[::-1], dst.shape[::-1]))
        if not ok:
            raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the "
                               f"broadcast shape {list(src.shape)}")
    if not dst.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the "
                           "tensor before performing the operation.")
    if dst.ndim == 0:
        dst[()] = src
    else:
        dst[...] = src
    self._bump_version()


def rebase_history(self, result):
    """Make ``self`` (just overwritten in place) the output of ``result``'s node."""
    if self._base is not None and self._view_fn is not None:
        from .indexing import rebase_view
        rebase_view(self, result)
        return
    self.grad_fn = result.grad_fn
    self._output_nr = result._output_nr
    self._requires_grad = result._requires_grad
