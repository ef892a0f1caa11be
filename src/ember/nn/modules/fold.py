"""Fold and Unfold: combine / extract sliding local blocks."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Fold", "Unfold"]


class Fold(Module):
    r"""Combines an array of sliding local blocks into a large containing tensor.

    Consider a batched :attr:`input` tensor containing sliding local blocks, e.g., patches of
    images, of shape :math:`(N, C \times \prod(\text{kernel\_size}), L)`; this operation
    combines these local blocks into the large :attr:`output` tensor of shape
    :math:`(N, C, \text{output\_size}[0], \text{output\_size}[1], \dots)` by summing the
    overlapping values.

    Args:
        output_size (int or tuple): the shape of the spatial dimensions of the output
        kernel_size (int or tuple): the size of the sliding blocks
        dilation (int or tuple, optional): a parameter that controls the stride of elements
            within the neighborhood. Default: 1
        padding (int or tuple, optional): implicit zero padding to be added on both sides of
            input. Default: 0
        stride (int or tuple): the stride of the sliding blocks in the input spatial
            dimensions. Default: 1
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    r"""Extracts sliding local blocks from a batched input tensor.

    Consider a batched :attr:`input` tensor of shape :math:`(N, C, *)`; this operation
    flattens each sliding :attr:`kernel_size`-sized block within the spatial dimensions of
    :attr:`input` into a column (i.e., last dimension) of a 3-D :attr:`output` tensor of shape
    :math:`(N, C \times \prod(\text{kernel\_size}), L)`.

    Args:
        kernel_size (int or tuple): the size of the sliding blocks
        dilation (int or tuple, optional): a parameter that controls the stride of elements
            within the neighborhood. Default: 1
        padding (int or tuple, optional): implicit zero padding to be added on both sides of
            input. Default: 0
        stride (int or tuple, optional): the stride of the sliding blocks in the input spatial
            dimensions. Default: 1
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
