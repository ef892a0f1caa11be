"""Tensor creation: from data, filled, ranges, and the conversions between dtypes/devices."""
from __future__ import annotations

import numpy as _np

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend import CPU, device as _device, get_xp, to_device
from .._tensor import Tensor, _make

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "from_dlpack", "zeros", "ones",
           "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like", "arange",
           "range", "linspace", "logspace", "eye", "empty_strided", "scalar_tensor", "clone",
           "is_tensor", "numel"]

_builtin_range = range


def _xp_for(device):
    """The array namespace for a requested device (numpy unless it names CUDA)."""
    if device is None:
        return _np
    dev = _device(device)
    if dev.type == "cpu":
        return _np
    from ..backend import cuda
    cuda.to_cuda  # raises the clear error when CuPy/GPU is missing
    if not cuda.is_available():
        raise RuntimeError("Torch not compiled with CUDA enabled: CUDA is not available "
                           "(CuPy found no GPU)")
    return cuda._import_cupy()


def _place(arr, device):
    if device is None:
        return arr
    return to_device(arr, _device(device))


def _np_dtype(dtype, default=None):
    if dtype is None:
        return default
    return _dt.to_np(dtype)


def _infer(data):
    """NumPy array from Python data, with torch's dtype inference."""
    if isinstance(data, Tensor):
        return data._data
    if hasattr(data, "__cuda_array_interface__"):
        return data
    if isinstance(data, _np.ndarray):
        return data
    if isinstance(data, _np.generic):
        return _np.asarray(data)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        from .movement import stack
        return stack([tensor(x) if not isinstance(x, Tensor) else x for x in data])._data
    arr = _np.array(data)
    if arr.dtype == _np.float64:
        arr = arr.astype(_dt.default_float_np())
    elif arr.dtype == _np.complex128:
        arr = arr.astype(_dt.get_default_dtype().to_complex().np)
    elif arr.dtype.kind in "iu" and arr.dtype != _np.uint8:
        arr = arr.astype(_np.int64)
    elif arr.dtype.kind not in "biufc":
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    return arr


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Constructs a tensor with no autograd history by copying ``data``."""
    arr = _infer(data)
    xp = get_xp(arr)
    arr = xp.array(arr, dtype=_np_dtype(dtype, arr.dtype), copy=True)
    t = _make(_place(arr, device), False, None, 0)
    if requires_grad:
        t.requires_grad = True
    return t


def as_tensor(data, dtype=None, device=None):
    """Converts ``data`` into a tensor, sharing memory where possible."""
    if isinstance(data, Tensor):
        out = data
        if dtype is not None and _dt.as_dtype(dtype) is not data.dtype:
            out = out.to(dtype)
        if device is not None and _device(device) != data.device:
            out = out.to(device)
        return out
    arr = _infer(data)
    if dtype is not None and arr.dtype != _dt.to_np(dtype):
        arr = arr.astype(_dt.to_np(dtype))
    return _make(_place(arr, device), False, None, 0)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    t = tensor(obj, dtype=dtype, device=device) if copy else as_tensor(obj, dtype, device)
    if requires_grad:
        t.requires_grad = True
    return t


def from_numpy(ndarray):
    """Creates a Tensor from a numpy.ndarray, sharing its memory."""
    if not isinstance(ndarray, _np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype not in _dt.FROM_NP:
        raise TypeError(f"can't convert np.ndarray of type {ndarray.dtype}. The only supported "
                        "types are: float64, float32, float16, complex64, complex128, int64, "
                        "int32, int16, int8, uint8, and bool.")
    return _make(ndarray, False, None, 0)


def from_dlpack(ext_tensor):
    """Converts a tensor from an external library (via ``__dlpack__``) into an ember Tensor,
    sharing memory."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    dev_type = ext_tensor.__dlpack_device__()[0] if hasattr(ext_tensor, "__dlpack_device__") \
        else 1
    if dev_type == 1:
        return _make(_np.from_dlpack(ext_tensor), False, None, 0)
    from ..backend import cuda
    return _make(cuda._import_cupy().from_dlpack(ext_tensor), False, None, 0)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    out = []
    for s in size:
        s = int(s) if not isinstance(s, int) else s
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(s)
    return tuple(out)


def _filled(fill, size, dtype, device, requires_grad, default=None):
    xp = _xp_for(device)
    d = _np_dtype(dtype, default if default is not None else _dt.default_float_np())
    if fill == 0:
        arr = xp.zeros(size, d)
    elif fill == 1:
        arr = xp.ones(size, d)
    elif fill is None:
        arr = xp.empty(size, d)
    else:
        arr = xp.full(size, fill, d)
    t = _make(arr, False, None, 0)
    if requires_grad:
        t.requires_grad = True
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Returns a tensor filled with the scalar value 0, with the shape defined by ``size``."""
    return _filled(0, _size(size), dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Returns a tensor filled with the scalar value 1, with the shape defined by ``size``."""
    return _filled(1, _size(size), dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """Returns a tensor filled with uninitialized data."""
    return _filled(None, _size(size), dtype, device, requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False, **kw):
    return _filled(None, _size((size,)), dtype, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """Creates a tensor of size ``size`` filled with ``fill_value``; the dtype is inferred from
    ``fill_value`` when not given."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    default = _dt.scalar_dtype(fill_value).np
    shape = (size,) if isinstance(size, int) else _size((size,))
    return _filled(fill_value, shape, dtype, device, requires_grad, default)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return full((), s, dtype=dtype or _dt.get_default_dtype(), device=device,
                requires_grad=requires_grad)


def _like(input, fill, dtype, device, requires_grad):
    dev = device if device is not None else input.device
    return _filled(fill, input._data.shape, dtype if dtype is not None else input.dtype,
                   None if dev == CPU else dev, requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _like(input, 0, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like(input, 1, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _like(input, None, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _like(input, fill_value, dtype, device, requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Returns a 1-D tensor of values from the interval ``[start, end)`` taken with ``step``."""
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    is_float = any(isinstance(v, float) for v in (start, end, step))
    default = _dt.default_float_np() if is_float else _np.dtype(_np.int64)
    d = _np_dtype(dtype, default)
    xp = _xp_for(device)
    import math
    n = max(0, math.ceil((end - start) / step))
    arr = (xp.arange(n, dtype=_np.float64) * step + start).astype(d) if d.kind == "f" or is_float \
        else xp.arange(start, end, step, dtype=d)
    t = _make(arr, False, None, 0)
    if requires_grad:
        t.requires_grad = True
    return t


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated torch.range: includes ``end``; float by default."""
    if end is None:
        start, end = 0, start
    import math
    n = int(math.floor((_num(end) - _num(start)) / _num(step))) + 1
    d = _np_dtype(dtype, _dt.default_float_np())
    arr = (_xp_for(device).arange(n, dtype=_np.float64) * _num(step) + _num(start)).astype(d)
    t = _make(arr, False, None, 0)
    if requires_grad:
        t.requires_grad = True
    return t


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """Creates a one-dimensional tensor of size ``steps`` whose values are evenly spaced from
    ``start`` to ``end``, inclusive."""
    start, end = _num(start), _num(end)
    d = _np_dtype(dtype, _dt.default_float_np())
    xp = _xp_for(device)
    if steps == 1:
        arr = xp.asarray([start], dtype=_np.float64)
    else:
        # torch computes from both ends symmetrically
        step = (end - start) / (steps - 1)
        idx = xp.arange(steps, dtype=_np.float64)
        half = steps // 2
        arr = xp.where(idx < half, start + step * idx, end - step * (steps - 1 - idx))
    t = _make(arr.astype(d), False, None, 0)
    if requires_grad:
        t.requires_grad = True
    return t


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """Values evenly spaced from ``base ** start`` to ``base ** end`` on a log scale."""
    lin = linspace(start, end, steps, dtype=_dt.float64, device=device)
    d = _np_dtype(dtype, _dt.default_float_np())
    t = _make((float(base) ** lin._data).astype(d), False, None, 0)
    if requires_grad:
        t.requires_grad = True
    return t


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Returns a 2-D tensor with ones on the diagonal and zeros elsewhere."""
    xp = _xp_for(device)
    t = _make(xp.eye(n, n if m is None else m, dtype=_np_dtype(dtype, _dt.default_float_np())),
              False, None, 0)
    if requires_grad:
        t.requires_grad = True
    return t


def is_tensor(obj) -> bool:
    """Returns True if ``obj`` is an ember tensor."""
    return isinstance(obj, Tensor)


def numel(input) -> int:
    return input._data.size


# ------------------------------------------------------------------ differentiable copies
class Clone(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def clone(input, *, memory_format=None):
    """Returns a copy of ``input``; the copy is recorded in the graph."""
    return Clone.apply(input)


class ToCopy(Function):
    """dtype and device conversion; the gradient goes back to the input's dtype/device."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, np_dtype, dev):
        ctx.src_device = CPU if type(a) is _np.ndarray else None
        out = a
        if dev is not None:
            out = to_device(out, dev)
        if np_dtype is not None and out.dtype != np_dtype:
            out = out.astype(np_dtype)
        elif out is a:
            out = a.copy()
        return out

    @staticmethod
    def backward(ctx, g):
        if ctx.src_device is CPU and type(g) is not _np.ndarray and not isinstance(g, Tensor):
            g = g.get()
        return g, None, None


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, _dt.dtype) or (isinstance(a, type) and a in (float, int, bool)):
            dtype = a
        elif isinstance(a, (str, _device)) or (isinstance(a, int) and not isinstance(a, bool)):
            if isinstance(a, str) and a.replace("torch.", "") in _dt._BY_NAME:
                dtype = a
            else:
                device = a
        elif a is not None and getattr(a, "__module__", "") == "torch":
            dtype = a
    return dtype, device, copy


def to(input, *args, **kwargs):
    """Performs dtype and/or device conversion: ``to(dtype)``, ``to(device, dtype=None)``,
    ``to(other)``. Returns ``input`` itself when nothing changes (unless ``copy=True``)."""
    dtype, device, copy = _parse_to(args, dict(kwargs))
    np_dtype = None if dtype is None else _dt.to_np(dtype)
    dev = None if device is None else _device(device)
    data = input._data
    if dev is not None and dev == input.device:
        dev = None
    if np_dtype is not None and np_dtype == data.dtype:
        np_dtype = None
    if dev is None and np_dtype is None:
        return Clone.apply(input) if copy else input
    return ToCopy.apply(input, np_dtype, dev)


def _legacy_constructor_data(args, dtype, device):
    """``Tensor(*sizes)`` / ``Tensor(data)`` / ``Tensor()`` -> a backend array."""
    d = _np_dtype(dtype, _dt.default_float_np())
    if not args:
        return _np.empty((0,), d)
    if len(args) == 1 and not isinstance(args[0], int):
        a = args[0]
        if isinstance(a, Tensor):
            return a._data
        if isinstance(a, tuple) and all(isinstance(s, int) for s in a) and hasattr(a, "numel"):
            return _np.empty(a, d)
        return _np.array(_infer(a), dtype=d)
    return _np.zeros(_size(args), d)


def contiguous(input, memory_format=None):
    """Returns a contiguous in memory tensor containing the same data (``self`` if already)."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input)


TENSOR_METHODS = {"clone": clone, "to": to, "contiguous": contiguous}
