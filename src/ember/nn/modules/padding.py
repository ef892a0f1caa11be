"""Padding layers: Zero/Constant/Reflection/Replication/Circular Pad1d/2d/3d."""
from __future__ import annotations

from .. import functional as F
from .conv import _ntuple, _pair, _quadruple
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]

_sextuple = _ntuple(6, "_sextuple")


class _ConstantPadNd(Module):
    _tuple = None   # expands an int padding to the 2/4/6-tuple F.pad takes

    def __init__(self, padding, value: float):
        super().__init__()
        self.value = value
        self.padding = type(self)._tuple(padding)

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    r"""Pads the input tensor boundaries with a constant value.

    Args:
        padding (int, tuple): the size of the padding. If is `int`, uses the same padding in
            both boundaries. If a 2-`tuple`, uses (:math:`\text{padding\_left}`,
            :math:`\text{padding\_right}`)
        value (float): the fill value
    """
    _tuple = staticmethod(_pair)


class ConstantPad2d(_ConstantPadNd):
    r"""Pads the input tensor boundaries with a constant value.

    Args:
        padding (int, tuple): the size of the padding. If is `int`, uses the same padding in
            all boundaries. If a 4-`tuple`, uses (left, right, top, bottom)
        value (float): the fill value
    """
    _tuple = staticmethod(_quadruple)


class ConstantPad3d(_ConstantPadNd):
    r"""Pads the input tensor boundaries with a constant value (a 6-`tuple`: left, right,
    top, bottom, front, back)."""
    _tuple = staticmethod(_sextuple)


class _ZeroPadNd:
    """ZeroPad1d/2d/3d: placed before their ConstantPadNd base, it fixes the value at zero and
    reprs the padding alone, as torch's ZeroPad classes do."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd, ConstantPad1d):
    r"""Pads the input tensor boundaries with zero."""


class ZeroPad2d(_ZeroPadNd, ConstantPad2d):
    r"""Pads the input tensor boundaries with zero.

    Args:
        padding (int, tuple): the size of the padding. If is `int`, uses the same padding in
            all boundaries. If a 4-`tuple`, uses (left, right, top, bottom)
    """


class ZeroPad3d(_ZeroPadNd, ConstantPad3d):
    r"""Pads the input tensor boundaries with zero."""


class _ModePadNd(Module):
    _mode = ""
    _tuple = None

    def __init__(self, padding):
        super().__init__()
        self.padding = type(self)._tuple(padding)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ReflectionPadNd(_ModePadNd):
    _mode = "reflect"


class _ReplicationPadNd(_ModePadNd):
    _mode = "replicate"


class ReflectionPad1d(_ReflectionPadNd):
    r"""Pads the input tensor using the reflection of the input boundary.

    Args:
        padding (int, tuple): the size of the padding. If is `int`, uses the same padding in
            all boundaries. If a 2-`tuple`, uses (:math:`\text{padding\_left}`,
            :math:`\text{padding\_right}`)
    """
    _tuple = staticmethod(_pair)


class ReflectionPad2d(_ReflectionPadNd):
    r"""Pads the input tensor using the reflection of the input boundary (4-`tuple`: left,
    right, top, bottom)."""
    _tuple = staticmethod(_quadruple)


class ReflectionPad3d(_ReflectionPadNd):
    r"""Pads the input tensor using the reflection of the input boundary (6-`tuple`)."""
    _tuple = staticmethod(_sextuple)


class ReplicationPad1d(_ReplicationPadNd):
    r"""Pads the input tensor using replication of the input boundary."""
    _tuple = staticmethod(_pair)


class ReplicationPad2d(_ReplicationPadNd):
    r"""Pads the input tensor using replication of the input boundary (4-`tuple`)."""
    _tuple = staticmethod(_quadruple)


class ReplicationPad3d(_ReplicationPadNd):
    r"""Pads the input tensor using replication of the input boundary (6-`tuple`)."""
    _tuple = staticmethod(_sextuple)


class _CircularPadNd(_ModePadNd):
    _mode = "circular"
    _dims = ()

    def forward(self, input):
        if input.dim() not in self._dims:
            a, b = self._dims
            raise ValueError(f"expected {a}D or {b}D input (got {input.dim()}D input)")
        return F.pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    r"""Pads the input tensor using circular padding of the input boundary."""
    _tuple = staticmethod(_pair)
    _dims = (2, 3)


class CircularPad2d(_CircularPadNd):
    r"""Pads the input tensor using circular padding of the input boundary (4-`tuple`)."""
    _tuple = staticmethod(_quadruple)
    _dims = (3, 4)


class CircularPad3d(_CircularPadNd):
    r"""Pads the input tensor using circular padding of the input boundary (6-`tuple`)."""
    _tuple = staticmethod(_sextuple)
    _dims = (4, 5)
