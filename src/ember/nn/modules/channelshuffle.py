"""ChannelShuffle."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    r"""Divides and rearranges the channels in a tensor.

    This operation divides the channels in a tensor of shape :math:`(N, C, *)` into g groups
    as :math:`(N, \frac{C}{g}, g, *)` and shuffles them, while retaining the original tensor
    shape in the final output.

    Args:
        groups (int): number of groups to divide channels in.
    """

    def __init__(self, groups: int):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
