"""Tensor creation: from data, filled, ranges (copies and dtype/device conversions: copying.py)."""
from __future__ import annotations

import math as _math
import operator as _operator

import numpy as _np

from .. import dtypes as _dt
from ..backend import CPU, device as _device, to_device
from .._tensor import Tensor, _make
from .copying import to

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "from_dlpack", "zeros", "ones",
           "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like", "arange",
           "range", "linspace", "logspace", "eye", "empty_strided", "scalar_tensor", "is_tensor",
           "numel"]

_builtin_range = range


def _xp_for(device):
    """The array namespace for a requested device (numpy unless it names CUDA)."""
    if device is None:
        return _np
    dev = _device(device)
    if dev.type == "cpu":
        return _np
    from ..backend import cuda
    cuda.check_available()
    return cuda._import_cupy()


def _place(arr, device):
    if device is None:
        return arr
    return to_device(arr, _device(device))


def _np_dtype(dtype, default=None):
    if dtype is None:
        return default
    return _dt.to_np(dtype)


def _leaf(arr, requires_grad):
    t = _make(arr, False, None, 0)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t._requires_grad = True
    return t


def _write_out(out, t):
    """Store a factory's result in ``out`` (resized like torch when the shape differs)."""
    if out._data.shape == t._data.shape:
        out._data[...] = t._data
    else:
        out._data = t._data.astype(out._data.dtype)
    out._bump_version()
    return out


# ------------------------------------------------------------------ from data
_PY_SCALARS = (bool, int, float, complex)


def _py_dtype(t):
    if t is bool:
        return _dt.bool
    if t is int:
        return _dt.int64
    if t is float:
        return _dt.get_default_dtype()
    return _dt.get_default_dtype().to_complex()


def _np_to_dtype(np_dtype):
    d = _dt.FROM_NP.get(np_dtype)
    if d is None:
        raise TypeError(f"can't convert np.ndarray of type numpy.{np_dtype.type.__name__}. The "
                        "only supported types are: float64, float32, float16, complex64, "
                        "complex128, int64, int32, int16, int8, uint8, and bool.")
    return d


def _infer_dtype(data, flags):
    """torch's infer_scalar_type: the promotion of every element's own dtype (Python numbers
    as bool/int64/default float/default complex, NumPy values and tensors as their dtype).
    ``flags`` collects whether tensors or NumPy scalars were seen (they need unwrapping)."""
    t = type(data)
    if t in _PY_SCALARS:
        return _py_dtype(t)
    if isinstance(data, Tensor):
        flags.add("tensor")
        return data.dtype
    if isinstance(data, (_np.ndarray, _np.generic)):
        return _np_to_dtype(data.dtype)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{t.__name__}'")
    if hasattr(data, "__cuda_array_interface__"):
        return _np_to_dtype(_np.dtype(data.dtype))
    if not hasattr(data, "__len__") or not hasattr(data, "__getitem__"):
        raise RuntimeError(f"Could not infer dtype of {t.__name__}")
    if len(data) == 0:
        return _dt.get_default_dtype()
    types = set(map(type, data))
    result = None
    nested = False
    for ty in types:
        if ty in _PY_SCALARS:
            d = _py_dtype(ty)
            result = d if result is None else _dt.promote_types(result, d)
        else:
            nested = True
    if nested:
        if result is not None and any(ty in (list, tuple) for ty in types):
            raise TypeError("'list' object cannot be interpreted as an integer")
        for x in data:
            if type(x) not in _PY_SCALARS:
                d = _infer_dtype(x, flags)
                result = d if result is None else _dt.promote_types(result, d)
    return result


def _unwrap(data):
    """Nested data with tensors replaced by Python numbers (torch reads them as scalars)."""
    if isinstance(data, Tensor):
        if data._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return data.item()
    if isinstance(data, (list, tuple)):
        return [_unwrap(x) for x in data]
    return data


def _array_from_data(data, dtype):
    """A fresh backend array holding ``data`` with torch's dtype inference (or ``dtype``)."""
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(_np_dtype(dtype, arr.dtype), copy=True)
    if hasattr(data, "__cuda_array_interface__"):
        from ..backend import cuda
        xp = cuda._import_cupy()
        return xp.array(data, dtype=_np_dtype(dtype, _np_to_dtype(_np.dtype(data.dtype)).np))
    flags = set()
    inferred = _infer_dtype(data, flags)
    target = inferred.np if dtype is None else _dt.to_np(dtype)
    if "tensor" in flags:
        data = _unwrap(data)
    try:
        with _np.errstate(over="ignore", invalid="ignore"):
            arr = _np.array(data, dtype=target)
    except OverflowError:
        if dtype is None:
            raise ValueError("Overflow when unpacking long long") from None
        raise RuntimeError(f"value cannot be converted to type {_dt.as_dtype(dtype).name} "
                           "without overflow") from None
    except ValueError as e:
        raise ValueError(f"expected sequences of equal length at every dim ({e})") from None
    return arr


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Constructs a tensor with no autograd history (also known as a "leaf tensor") by copying
    ``data``.

    Args:
        data (array_like): Initial data for the tensor. Can be a list, tuple, NumPy
            ``ndarray``, scalar, and other types.

    Keyword args:
        dtype (:class:`ember.dtype`, optional): the desired data type of returned tensor.
            Default: if ``None``, infers data type from :attr:`data`.
        device (:class:`ember.device`, optional): the device of the constructed tensor.
        requires_grad (bool, optional): If autograd should record operations on the
            returned tensor. Default: ``False``.

    Example::

        >>> ember.tensor([[0.1, 1.2], [2.2, 3.1], [4.9, 5.2]])
        tensor([[0.1000, 1.2000],
                [2.2000, 3.1000],
                [4.9000, 5.2000]])
        >>> ember.tensor([0, 1])  # Type inference on data
        tensor([0, 1])
    """
    arr = _array_from_data(data, dtype)
    if device is not None:
        arr = _place(arr, device)
    return _leaf(arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Converts ``data`` into a tensor, sharing data and preserving autograd history if
    possible.

    If ``data`` is already a tensor with the requested dtype and device then ``data`` itself
    is returned; a NumPy array of a supported dtype on the CPU shares its memory.

    Example::

        >>> a = numpy.array([1, 2, 3])
        >>> t = ember.as_tensor(a)
        >>> t[0] = -1
        >>> a
        array([-1,  2,  3])
    """
    if isinstance(data, Tensor):
        return to(data, device, dtype) if (dtype is not None or device is not None) else data
    if isinstance(data, _np.ndarray) and data.dtype in _dt.FROM_NP and \
            (device is None or _device(device).type == "cpu"):
        if dtype is None or _dt.to_np(dtype) == data.dtype:
            return from_numpy(data) if min(data.strides, default=0) >= 0 else \
                _make(data.copy(), False, None, 0)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """Converts ``obj`` to a tensor.

    ``obj`` can be a tensor, a NumPy array or scalar, a DLPack capsule or an object with
    ``__dlpack__``, or a (nested) sequence of scalars. With ``copy=None`` the result shares
    memory with ``obj`` when no conversion is needed; ``copy=True`` always copies and
    ``copy=False`` raises when a copy would be needed.
    """
    if isinstance(obj, Tensor):
        out = obj
        if copy:
            out = to(obj, device, dtype, copy=True)
        elif dtype is not None or device is not None:
            out = to(obj, device, dtype)
            if copy is False and out is not obj:
                raise ValueError(f"can't alias tensor with dtype '{obj.dtype.name}' into dtype "
                                 f"'{_dt.as_dtype(dtype).name}'.")
    elif isinstance(obj, _np.ndarray) and not copy:
        out = as_tensor(obj, dtype, device)
        if copy is False and not _np.shares_memory(out._data, obj):
            raise ValueError(f"can't alias NumPy array with dtype '{obj.dtype}' into dtype "
                             f"'{_dt.as_dtype(dtype).name}'.")
    elif hasattr(obj, "__dlpack__") and not isinstance(obj, _np.generic):
        out = from_dlpack(obj)
        out = to(out, device, dtype, copy=bool(copy))
    else:
        if copy is False and not isinstance(obj, _np.generic):
            raise ValueError("can't alias Python sequences or scalars: a copy is needed")
        out = tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        if out is obj:
            out = out.detach()
        out.requires_grad_(True)
    return out


def from_numpy(ndarray):
    """Creates a :class:`Tensor` from a :class:`numpy.ndarray`.

    The returned tensor and :attr:`ndarray` share the same memory. Modifications to the
    tensor will be reflected in the :attr:`ndarray` and vice versa. It currently accepts
    :attr:`ndarray` with dtypes of ``numpy.float64``, ``numpy.float32``, ``numpy.float16``,
    ``numpy.complex64``, ``numpy.complex128``, ``numpy.int64``, ``numpy.int32``,
    ``numpy.int16``, ``numpy.int8``, ``numpy.uint8``, and ``bool``.

    Example::

        >>> a = numpy.array([1, 2, 3])
        >>> t = ember.from_numpy(a)
        >>> t
        tensor([1, 2, 3])
        >>> t[0] = -1
        >>> a
        array([-1,  2,  3])
    """
    if not isinstance(ndarray, _np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _np_to_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    if not ndarray.dtype.isnative:
        raise TypeError("given numpy array has byte order different from the native byte "
                        "order. Conversion between byte orders is currently not supported.")
    return _make(ndarray, False, None, 0)


def from_dlpack(ext_tensor):
    """Converts a tensor from an external library into an ember Tensor, sharing memory.

    Args:
        ext_tensor (object with ``__dlpack__`` attribute, or a DLPack capsule): the tensor or
            DLPack capsule to convert.
    """
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    if not hasattr(ext_tensor, "__dlpack__"):
        # a bare capsule (``to_dlpack``): wrap it for NumPy's protocol
        capsule = ext_tensor

        class _Capsule:
            def __dlpack__(self, **kwargs):
                return capsule

            def __dlpack_device__(self):
                return (1, 0)
        ext_tensor = _Capsule()
    dev_type = ext_tensor.__dlpack_device__()[0] if hasattr(ext_tensor, "__dlpack_device__") \
        else 1
    if dev_type == 1:
        arr = _np.from_dlpack(ext_tensor)
        if arr.dtype not in _dt.FROM_NP:
            raise TypeError(f"from_dlpack: unsupported dtype {arr.dtype}")
        return _make(arr, False, None, 0)
    from ..backend import cuda
    return _make(cuda._import_cupy().from_dlpack(ext_tensor), False, None, 0)


# ------------------------------------------------------------------ filled
def _size(size, name="zeros"):
    """``*size`` (ints, or one list/tuple/Size) -> a tuple of non-negative ints."""
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    out = []
    for s in size:
        try:
            s = _operator.index(s)
        except TypeError:
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                            f"but found element of type {type(s).__name__}") from None
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(s)
    return tuple(out)


def _sizes(size, kwargs, name):
    if "size" in kwargs:
        if size:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        size = (kwargs.pop("size"),)
    elif not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    if kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")
    return _size(size, name)


def _filled(fill, size, dtype, device, requires_grad, default=None, out=None):
    xp = _xp_for(device)
    d = _np_dtype(dtype, default if default is not None else _dt.default_float_np())
    if fill is None:
        arr = xp.empty(size, d)
    elif type(fill) is int and fill == 0:
        arr = xp.zeros(size, d)
    elif type(fill) is int and fill == 1:
        arr = xp.ones(size, d)
    else:
        with _np.errstate(invalid="ignore", over="ignore"):
            arr = xp.full(size, fill, d)
    t = _leaf(arr, requires_grad)
    return t if out is None else _write_out(out, t)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kwargs):
    """Returns a tensor filled with the scalar value `0`, with the shape defined by the
    variable argument :attr:`size`.

    Args:
        size (int...): a sequence of integers defining the shape of the output tensor.
            Can be a variable number of arguments or a collection like a list or tuple.

    Example::

        >>> ember.zeros(2, 3)
        tensor([[0., 0., 0.],
                [0., 0., 0.]])
    """
    return _filled(0, _sizes(size, kwargs, "zeros"), dtype, device, requires_grad, out=out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, **kwargs):
    """Returns a tensor filled with the scalar value `1`, with the shape defined by the
    variable argument :attr:`size`.

    Example::

        >>> ember.ones(2, 3)
        tensor([[1., 1., 1.],
                [1., 1., 1.]])
    """
    return _filled(1, _sizes(size, kwargs, "ones"), dtype, device, requires_grad, out=out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kwargs):
    """Returns a tensor filled with uninitialized data. The shape of the tensor is defined by
    the variable argument :attr:`size`."""
    return _filled(None, _sizes(size, kwargs, "empty"), dtype, device, requires_grad, out=out)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """Creates a tensor with the specified :attr:`size` and :attr:`stride` and filled with
    undefined data.

    Example::

        >>> a = ember.empty_strided((2, 3), (1, 2))
        >>> a.stride()
        (1, 2)
    """
    size = _size((size,), "empty_strided")
    stride = tuple(_operator.index(s) for s in stride)
    if len(stride) != len(size):
        raise RuntimeError("mismatch in length of strides and shape")
    xp = _xp_for(device)
    d = _np_dtype(dtype, _dt.default_float_np())
    n = 0 if 0 in size else 1 + sum((s - 1) * st for s, st in zip(size, stride))
    buf = xp.empty(max(n, 1), d)
    arr = xp.lib.stride_tricks.as_strided(buf, size, tuple(st * d.itemsize for st in stride))
    return _leaf(arr, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Creates a tensor of size :attr:`size` filled with :attr:`fill_value`. The tensor's
    dtype is inferred from :attr:`fill_value`.

    Example::

        >>> ember.full((2, 3), 3.141592)
        tensor([[3.1416, 3.1416, 3.1416],
                [3.1416, 3.1416, 3.1416]])
    """
    if not isinstance(size, (list, tuple)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    if isinstance(fill_value, Tensor):
        default = fill_value.dtype.np
        fill_value = fill_value.item()
    else:
        default = _dt.scalar_dtype(fill_value).np
    if isinstance(fill_value, complex) and dtype is not None and \
            not _dt.as_dtype(dtype).is_complex:
        raise RuntimeError(f"value cannot be converted to type {_dt.as_dtype(dtype).name} "
                           "without overflow")
    return _filled(fill_value, _size((size,), "full"), dtype, device, requires_grad, default,
                   out=out)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """A 0-dimensional tensor holding ``s`` (of the default dtype unless ``dtype`` is
    given)."""
    if isinstance(s, Tensor):
        s = s.item()
    return _filled(s, (), dtype if dtype is not None else _dt.get_default_dtype(), device,
                   requires_grad)


def _like(input, fill, dtype, device, requires_grad, default=None):
    if device is None:
        device = input.device
    if dtype is None:
        dtype = input.dtype if default is None else default
    return _filled(fill, input._data.shape, dtype, None if device == CPU else device,
                   requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Returns a tensor filled with the scalar value `0`, with the same size as
    :attr:`input`. ``ember.zeros_like(input)`` is equivalent to
    ``ember.zeros(input.size(), dtype=input.dtype, device=input.device)``."""
    return _like(input, 0, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Returns a tensor filled with the scalar value `1`, with the same size as
    :attr:`input`."""
    return _like(input, 1, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Returns an uninitialized tensor with the same size as :attr:`input`."""
    return _like(input, None, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Returns a tensor with the same size as :attr:`input` filled with :attr:`fill_value`
    (of :attr:`input`'s dtype unless ``dtype`` is given)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _like(input, fill_value, dtype, device, requires_grad)


# ------------------------------------------------------------------ ranges
def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def _range_dtype(values):
    if any(isinstance(v, complex) for v in values):
        return _dt.get_default_dtype().to_complex().np
    if any(isinstance(v, float) for v in values):
        return _dt.default_float_np()
    return _np.dtype(_np.int64)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    r"""Returns a 1-D tensor of size :math:`\left\lceil \frac{\text{end} -
    \text{start}}{\text{step}} \right\rceil` with values from the interval ``[start, end)``
    taken with common difference :attr:`step` beginning from `start`.

    The dtype is inferred from the arguments: the default float dtype if any of them is a
    float, else ``int64``.

    Example::

        >>> ember.arange(5)
        tensor([0, 1, 2, 3, 4])
        >>> ember.arange(1, 2.5, 0.5)
        tensor([1.0000, 1.5000, 2.0000])
    """
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (_math.isfinite(start) and _math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    d = _np_dtype(dtype, _range_dtype((start, end, step)))
    xp = _xp_for(device)
    if d.kind in "iub":
        # torch's kernel on integers: start and step truncated to int64; the length from the
        # truncated values for int64, from the original ones for the narrower types
        xs, xe, xst = int(start), int(end), int(step)
        if d == _np.int64:
            if xst == 0:
                raise ValueError("step must be nonzero")
            num = xe - xs + xst - ((xst > 0) - (xst < 0))
            n = max(0, abs(num) // abs(xst) * (1 if (num >= 0) == (xst > 0) else -1))
        else:
            n = max(0, _math.ceil((end - start) / step))
        arr = (xp.arange(n, dtype=_np.int64) * xst + xs).astype(d)
    else:
        n = max(0, _math.ceil((end - start) / step))
        # torch's kernel: start + step * i in the accumulation type (double; float for half)
        acc = _np.float32 if d == _np.float16 else _np.float64
        arr = xp.arange(n, dtype=acc) * acc(step) + acc(start)
        arr = arr.astype(d)
    t = _leaf(arr, requires_grad)
    return t if out is None else _write_out(out, t)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    r"""Returns a 1-D tensor of size :math:`\left\lfloor \frac{\text{end} -
    \text{start}}{\text{step}} \right\rfloor + 1` with values from :attr:`start` to
    :attr:`end` with step :attr:`step`.

    .. warning::
        This function is deprecated and will be removed in a future release because its
        behavior is inconsistent with Python's range builtin. Instead, use
        :func:`ember.arange`, which produces values in [start, end).
    """
    import warnings
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(_math.floor((end - start) / step)) + 1
    d = _np_dtype(dtype, _dt.default_float_np())
    arr = (_xp_for(device).arange(n, dtype=_np.float64) * step + start).astype(d)
    t = _leaf(arr, requires_grad)
    return t if out is None else _write_out(out, t)


def _linspace_values(xp, start, end, steps):
    """torch's kernel: the first half from ``start``, the second half from ``end``."""
    if steps == 1:
        return xp.asarray([start])
    wide = _np.complex128 if isinstance(start, complex) or isinstance(end, complex) \
        else _np.float64
    step = (end - start) / (steps - 1)
    idx = xp.arange(steps, dtype=_np.float64)
    return xp.where(idx < steps // 2, start + step * idx,
                    end - step * (steps - 1 - idx)).astype(wide)


def _check_steps(steps):
    steps = _operator.index(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return steps


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """Creates a one-dimensional tensor of size :attr:`steps` whose values are evenly
    spaced from :attr:`start` to :attr:`end`, inclusive.

    Example::

        >>> ember.linspace(3, 10, steps=5)
        tensor([ 3.0000,  4.7500,  6.5000,  8.2500, 10.0000])
    """
    start, end = _num(start), _num(end)
    steps = _check_steps(steps)
    complex_ = isinstance(start, complex) or isinstance(end, complex)
    d = _np_dtype(dtype, _dt.get_default_dtype().to_complex().np if complex_
                  else _dt.default_float_np())
    xp = _xp_for(device)
    arr = _linspace_values(xp, start, end, steps) if steps else xp.empty(0)
    if d.kind in "iu":
        arr = _np.trunc(arr)
    t = _leaf(arr.astype(d), requires_grad)
    return t if out is None else _write_out(out, t)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    r"""Creates a one-dimensional tensor of size :attr:`steps` whose values are evenly
    spaced from :math:`{{\text{base}}}^{{\text{start}}}` to
    :math:`{{\text{base}}}^{{\text{end}}}`, inclusive, on a logarithmic scale with base
    :attr:`base`.

    Example::

        >>> ember.logspace(start=0.1, end=1.0, steps=5)
        tensor([ 1.2589,  2.1135,  3.5481,  5.9566, 10.0000])
    """
    start, end = _num(start), _num(end)
    steps = _check_steps(steps)
    d = _np_dtype(dtype, _dt.default_float_np())
    xp = _xp_for(device)
    exps = _linspace_values(xp, start, end, steps) if steps else xp.empty(0)
    with _np.errstate(over="ignore"):
        arr = xp.power(float(base), exps)
    t = _leaf(arr.astype(d), requires_grad)
    return t if out is None else _write_out(out, t)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Returns a 2-D tensor with ones on the diagonal and zeros elsewhere.

    Example::

        >>> ember.eye(3)
        tensor([[1., 0., 0.],
                [0., 1., 0.],
                [0., 0., 1.]])
    """
    n = _operator.index(n)
    m = n if m is None else _operator.index(m)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    xp = _xp_for(device)
    t = _leaf(xp.eye(n, m, dtype=_np_dtype(dtype, _dt.default_float_np())), requires_grad)
    return t if out is None else _write_out(out, t)


def is_tensor(obj) -> bool:
    """Returns True if ``obj`` is an ember tensor."""
    return isinstance(obj, Tensor)


def numel(input) -> int:
    return input._data.size


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
        return _array_from_data(a, d)
    return _np.zeros(_size(args), d)




def __getattr__(name):
    """clone and contiguous moved to copying.py; they stay importable from here."""
    if name in ("clone", "contiguous", "Clone", "ToCopy", "_parse_to"):
        from . import copying
        return getattr(copying, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
