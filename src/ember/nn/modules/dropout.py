"""Dropout layers: random masks during training (drawn from the default generator, so
deterministic under ``ember.manual_seed``), the identity in evaluation mode."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """During training, randomly zeroes some of the elements of the input tensor with
    probability :attr:`p`; the outputs are scaled by :math:`\\frac{1}{1-p}`. During evaluation
    the module computes an identity function.

    Args:
        p: probability of an element to be zeroed. Default: 0.5
        inplace: If set to ``True``, will do this operation in-place. Default: ``False``

    Shape:
        - Input: :math:`(*)`. Input can be of any shape
        - Output: :math:`(*)`. Output is of the same shape as input
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Randomly zero out entire channels (a 1D feature map) with probability :attr:`p` on
    every forward call during training.

    Shape:
        - Input: :math:`(N, C, L)` or :math:`(C, L)`; Output: same shape as input.
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Randomly zero out entire channels (a 2D feature map) with probability :attr:`p` on
    every forward call during training.

    Shape:
        - Input: :math:`(N, C, H, W)` or :math:`(N, C, L)`; Output: same shape as input.
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Randomly zero out entire channels (a 3D feature map) with probability :attr:`p` on
    every forward call during training.

    Shape:
        - Input: :math:`(N, C, D, H, W)` or :math:`(C, D, H, W)`; Output: same shape as input.
    """

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Applies Alpha Dropout over the input: keeps the zero mean and unit standard deviation
    of SELU activations by setting dropped elements to SELU's negative saturation value and
    applying an affine transformation. Identity during evaluation.

    Args:
        p (float): probability of an element to be dropped. Default: 0.5
        inplace (bool, optional): If set to ``True``, will do this operation in-place
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Randomly masks out entire channels with alpha dropout (the activations are set to
    SELU's negative saturation value instead of zero). Identity during evaluation.

    Shape:
        - Input: :math:`(N, C, D, H, W)` or :math:`(C, D, H, W)`; Output: same shape as input.
    """

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
