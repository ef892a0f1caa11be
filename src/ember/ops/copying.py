"""Copies and conversions: ``clone``, ``contiguous``, ``to`` (dtype and device), and the
in-place writes ``copy_``, ``fill_`` and ``zero_``. Each is differentiable: a copy passes its
gradient through (cast back to the source's dtype and device), an overwrite sends none to the
tensor it overwrites."""
from __future__ import annotations

import warnings as _warnings

import numpy as _np

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend import CPU, device as _device, to_device
from .._tensor import Tensor
from ._util import inplace

__all__ = ["clone"]


# ------------------------------------------------------------------ copies
class Clone(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, order="K"):
        return a.copy(order=order)

    @staticmethod
    def backward(ctx, g):
        return g, None


def clone(input, *, memory_format=None):
    """Returns a copy of :attr:`input`.

    This function is differentiable, so gradients will flow back from the result of this
    operation to :attr:`input`. To create a tensor without an autograd relationship to
    :attr:`input` see :meth:`~Tensor.detach`. The copy keeps :attr:`input`'s strides
    (``memory_format=ember.preserve_format``) unless ``memory_format`` asks for a contiguous
    layout.
    """
    return Clone.apply(input, "K" if memory_format in (None, "preserve_format") else "C")


def contiguous(input, memory_format=None):
    """Returns a contiguous in memory tensor containing the same data as ``self`` tensor. If
    ``self`` tensor is already in the specified memory format, this function returns the
    ``self`` tensor."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input, "C")


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
            with _np.errstate(invalid="ignore", over="ignore"):
                out = out.astype(np_dtype)
        elif out is a:
            out = a.copy(order="K")
        return out

    @staticmethod
    def backward(ctx, g):
        if ctx.src_device is CPU and type(g) is not _np.ndarray and not isinstance(g, Tensor):
            g = g.get()
        return g, None, None


def _is_dtype_like(a):
    return isinstance(a, _dt.dtype) or a in (float, int, bool, complex) or \
        type(a).__module__ == "torch" and type(a).__name__ == "dtype"


def _parse_to(args, kwargs):
    """torch's three forms: ``to(dtype, non_blocking, copy)``, ``to(device, dtype,
    non_blocking, copy)``, ``to(other, non_blocking, copy)``; returns (dtype, device, copy)."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid keyword argument '{next(iter(kwargs))}'")
    args = list(args)
    if args:
        first = args.pop(0)
        if isinstance(first, Tensor):
            dtype, device = first.dtype, first.device
        elif _is_dtype_like(first):
            dtype = first
        else:
            device = first if first is not None else device
            if args and (args[0] is None or _is_dtype_like(args[0])):
                second = args.pop(0)
                dtype = second if second is not None else dtype
        if len(args) > 2:
            raise TypeError("to() received an invalid combination of arguments")
        if len(args) == 2:
            copy = args[1]
    return dtype, device, bool(copy)


def to(input, *args, **kwargs):
    """Performs Tensor dtype and/or device conversion.

    Forms: ``to(dtype, non_blocking=False, copy=False)``, ``to(device=None, dtype=None,
    non_blocking=False, copy=False)`` and ``to(other, non_blocking=False, copy=False)``
    (the dtype and device of tensor ``other``). Returns ``self`` when it already has the
    requested dtype and device, unless ``copy=True``; otherwise a copy with the desired
    dtype and device, recorded in the graph.

    Example::

        >>> t = ember.ones(2)
        >>> t.to(ember.float64)
        tensor([1., 1.], dtype=ember.float64)
        >>> t.to("cpu") is t
        True
    """
    dtype, device, copy = _parse_to(args, dict(kwargs))
    np_dtype = None if dtype is None else _dt.to_np(dtype)
    dev = None if device is None else _device(device)
    data = input._data
    if dev is not None and dev == input.device:
        dev = None
    if np_dtype is not None and np_dtype == data.dtype:
        np_dtype = None
    if dev is None and np_dtype is None and not copy:
        return input
    return ToCopy.apply(input, np_dtype, dev)


# ------------------------------------------------------------------ in-place writes
class Fill(Function):
    """``self`` replaced by ``value``: no gradient to ``self``, the sum to a tensor value."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, value):
        out = ctx.xp.empty_like(a)
        with _np.errstate(invalid="ignore", over="ignore"):
            out[...] = value
        return out

    @staticmethod
    def backward(ctx, g):
        need_a, need_v = ctx.needs_input_grad
        return (ctx.xp.zeros_like(g) if need_a else None), (g.sum() if need_v else None)


def fill_(self, value):
    """Fills ``self`` tensor with the specified value (a number or a 0-dimensional
    tensor)."""
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    return inplace(Fill.apply, self, value)


def zero_(self):
    """Fills ``self`` tensor with zeros."""
    return inplace(Fill.apply, self, 0)


class Copy(Function):
    """``self`` replaced by ``src`` broadcast to its shape and cast to its dtype."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, src):
        if src.shape != a.shape:
            try:
                shape = _np.broadcast_shapes(src.shape, a.shape)
            except ValueError:
                shape = None
            if shape != a.shape:
                _raise_size_mismatch(a.shape, src.shape)
        ctx.src_cpu = type(src) is _np.ndarray
        out = ctx.xp.empty_like(a)
        if type(src) is not type(a):
            src = to_device(src, CPU if type(a) is _np.ndarray else _device("cuda"))
        with _np.errstate(invalid="ignore", over="ignore"), _warnings.catch_warnings():
            _warnings.simplefilter("ignore")  # complex -> real drops the imaginary part
            out[...] = src
        return out

    @staticmethod
    def backward(ctx, g):
        need_a, need_src = ctx.needs_input_grad
        gs = None
        if need_src:
            gs = g
            if ctx.src_cpu and type(g) is not _np.ndarray and not isinstance(g, Tensor):
                gs = g.get()
        return (ctx.xp.zeros_like(g) if need_a else None), gs


def _raise_size_mismatch(dst, src):
    for i in range(1, max(len(dst), len(src)) + 1):
        a = dst[-i] if i <= len(dst) else 1
        b = src[-i] if i <= len(src) else 1
        if a != b and b != 1:
            raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b "
                               f"({b}) at non-singleton dimension {max(len(dst), len(src)) - i}")
    raise RuntimeError(f"output with shape {list(dst)} doesn't match the broadcast shape "
                       f"{list(_np.broadcast_shapes(dst, src))}")


def copy_(self, src, non_blocking=False):
    """Copies the elements from :attr:`src` into ``self`` tensor and returns ``self``.

    The :attr:`src` tensor must be broadcastable with the ``self`` tensor. It may be of a
    different data type or reside on a different device. The copy is differentiable with
    respect to :attr:`src`."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    return inplace(Copy.apply, self, src)


TENSOR_METHODS = {"clone": clone, "to": to, "contiguous": contiguous, "fill_": fill_,
                  "zero_": zero_, "copy_": copy_}
