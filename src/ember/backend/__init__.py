"""Devices and the array namespace behind them.

Op code never imports NumPy at module level: it asks :func:`get_xp` for the namespace of the
arrays it holds (``numpy`` for CPU tensors, ``cupy`` for CUDA tensors), so one forward serves
every backend.
"""
from __future__ import annotations

import numpy as _np

from . import cpu  # noqa: F401  (the CPU backend module)

__all__ = ["device", "get_xp", "device_of", "check_same_device"]

_ndarray = _np.ndarray


class device:
    """The device a tensor lives on: ``ember.device('cpu')``, ``ember.device('cuda', 0)``."""

    __slots__ = ("type", "index")

    def __new__(cls, type_or_device, index=None):
        if isinstance(type_or_device, device):
            return type_or_device
        if isinstance(type_or_device, int) and not isinstance(type_or_device, bool):
            type_or_device, index = "cuda", type_or_device
        if not isinstance(type_or_device, str):
            type_or_device = str(type_or_device)
        kind, _, idx = type_or_device.partition(":")
        if idx:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type_or_device}")
            index = int(idx)
        if kind not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, meta device type at start of device string: "
                f"{type_or_device}")
        if kind == "cpu" and index is None:
            return CPU
        self = object.__new__(cls)
        self.type = kind
        self.index = index
        return self

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # as torch: 'cuda' and 'cuda:0' are different devices, and a string is not a device
        return isinstance(other, device) and self.type == other.type and \
            self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))


CPU = object.__new__(device)
CPU.type, CPU.index = "cpu", None


def get_xp(array):
    """The array namespace (``numpy`` or ``cupy``) that owns ``array``."""
    if type(array) is _ndarray or isinstance(array, _np.generic):
        return _np
    from . import cuda
    return cuda.xp_of(array)


def device_of(array) -> device:
    if type(array) is _ndarray or isinstance(array, _np.generic):
        return CPU
    from . import cuda
    return cuda.device_of(array)


def check_same_device(a, b, op="op"):
    """Raise torch's error when two arrays live on different devices."""
    if type(a) is not type(b) and a.ndim and b.ndim:
        da, db = device_of(a), device_of(b)
        if da != db:
            raise RuntimeError("Expected all tensors to be on the same device, but found at "
                               f"least two devices, {da} and {db}! (when checking {op})")


def to_device(array, dev: device):
    """Move ``array`` to ``dev`` (a copy only when the device changes)."""
    if dev.type == "cpu":
        if type(array) is _ndarray:
            return array
        return array.get()
    if dev.type == "cuda":
        from . import cuda
        return cuda.to_cuda(array, dev.index or 0)
    raise RuntimeError(f"cannot move a tensor to device {dev}")
