"""Activation layers: thin modules over ``ember.nn.functional`` with torch's constructors and
reprs."""
from __future__ import annotations

import warnings

from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = [
    "Threshold", "ReLU", "RReLU", "Hardtanh", "ReLU6", "Sigmoid", "Hardsigmoid", "Tanh",
    "SiLU", "Mish", "Hardswish", "ELU", "CELU", "SELU", "GLU", "GELU", "Hardshrink",
    "LeakyReLU", "LogSigmoid", "Softplus", "Softshrink", "PReLU", "Softsign", "Tanhshrink",
    "Softmin", "Softmax", "Softmax2d", "LogSoftmax",
]


def _inplace_repr(self, lead=""):
    if not lead:
        return "inplace=True" if self.inplace else ""
    return lead + (", inplace=True" if self.inplace else "")


class _InplaceActivation(Module):
    """Base of the activations whose only option is ``inplace``: stores the flag and shows it
    in the repr the way torch does. Subclasses define ``forward``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return _inplace_repr(self)


class Threshold(Module):
    """Thresholds each element of the input Tensor: :math:`y = x` if :math:`x > \\text{threshold}`,
    else :math:`y = \\text{value}`.

    Args:
        threshold: The value to threshold at
        value: The value to replace with
        inplace: can optionally do the operation in-place. Default: ``False``
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self, f"threshold={self.threshold}, value={self.value}")


class ReLU(_InplaceActivation):
    """Applies the rectified linear unit function element-wise: :math:`\\text{ReLU}(x) =
    \\max(0, x)`.

    Args:
        inplace: can optionally do the operation in-place. Default: ``False``

    Examples::

        >>> import ember
        >>> m = ember.nn.ReLU()
        >>> m(ember.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)


class RReLU(Module):
    """Applies the randomized leaky rectified linear unit function, element-wise: the negative
    slope is sampled from :math:`\\mathcal{U}(\\text{lower}, \\text{upper})` during training
    and fixed to :math:`(\\text{lower} + \\text{upper}) / 2` in evaluation.

    Args:
        lower: lower bound of the uniform distribution. Default: :math:`\\frac{1}{8}`
        upper: upper bound of the uniform distribution. Default: :math:`\\frac{1}{3}`
        inplace: can optionally do the operation in-place. Default: ``False``
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self, f"lower={self.lower}, upper={self.upper}")


class Hardtanh(Module):
    """Applies the HardTanh function element-wise: ``max_val`` if :math:`x > \\text{max\\_val}`,
    ``min_val`` if :math:`x < \\text{min\\_val}`, else :math:`x`.

    Args:
        min_val: minimum value of the linear region range. Default: -1
        max_val: maximum value of the linear region range. Default: 1
        inplace: can optionally do the operation in-place. Default: ``False``
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`",
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`",
                          FutureWarning, stacklevel=2)
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val "
                                 f"({self.min_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self, f"min_val={self.min_val}, max_val={self.max_val}")


class ReLU6(Hardtanh):
    """Applies the ReLU6 function element-wise: :math:`\\min(\\max(0,x), 6)`.

    Args:
        inplace: can optionally do the operation in-place. Default: ``False``
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self)


class Sigmoid(Module):
    """Applies the Sigmoid function element-wise: :math:`\\frac{1}{1 + \\exp(-x)}`."""

    def forward(self, input):
        return input.sigmoid()


class Hardsigmoid(_InplaceActivation):
    """Applies the Hardsigmoid function element-wise: 0 if :math:`x \\le -3`, 1 if
    :math:`x \\ge 3`, else :math:`x / 6 + 1 / 2`.

    Args:
        inplace: can optionally do the operation in-place. Default: ``False``
    """

    # torch's Hardsigmoid does not show ``inplace`` in its repr
    extra_repr = Module.extra_repr

    def forward(self, input):
        return F.hardsigmoid(input, self.inplace)


class Tanh(Module):
    """Applies the Hyperbolic Tangent (Tanh) function element-wise."""

    def forward(self, input):
        return input.tanh()


class SiLU(_InplaceActivation):
    """Applies the Sigmoid Linear Unit (SiLU) function, element-wise: :math:`x * \\sigma(x)`.

    Args:
        inplace: can optionally do the operation in-place. Default: ``False``
    """

    def forward(self, input):
        return F.silu(input, inplace=self.inplace)


class Mish(_InplaceActivation):
    """Applies the Mish function, element-wise: :math:`x * \\text{Tanh}(\\text{Softplus}(x))`.

    Args:
        inplace: can optionally do the operation in-place. Default: ``False``
    """

    def forward(self, input):
        return F.mish(input, inplace=self.inplace)


class Hardswish(_InplaceActivation):
    """Applies the Hardswish function, element-wise: :math:`x \\cdot \\text{ReLU6}(x + 3) / 6`.

    Args:
        inplace: can optionally do the operation in-place. Default: ``False``
    """

    # torch's Hardswish does not show ``inplace`` in its repr
    extra_repr = Module.extra_repr

    def forward(self, input):
        return F.hardswish(input, self.inplace)


class _AlphaActivation(Module):
    """Base of ELU and CELU, which share their options (``alpha``, ``inplace``) and repr and
    differ only in the function ``forward`` calls."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def extra_repr(self) -> str:
        return _inplace_repr(self, f"alpha={self.alpha}")


class ELU(_AlphaActivation):
    """Applies the Exponential Linear Unit (ELU) function, element-wise: :math:`x` if
    :math:`x > 0`, else :math:`\\alpha * (\\exp(x) - 1)`.

    Args:
        alpha: the :math:`\\alpha` value for the ELU formulation. Default: 1.0
        inplace: can optionally do the operation in-place. Default: ``False``
    """

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)


class CELU(_AlphaActivation):
    """Applies the CELU function element-wise: :math:`\\max(0,x) + \\min(0, \\alpha *
    (\\exp(x/\\alpha) - 1))`.

    Args:
        alpha: the :math:`\\alpha` value for the CELU formulation. Default: 1.0
        inplace: can optionally do the operation in-place. Default: ``False``
    """

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class SELU(_InplaceActivation):
    """Applies the SELU function element-wise: :math:`\\text{scale} * (\\max(0,x) + \\min(0,
    \\alpha * (\\exp(x) - 1)))` with :math:`\\alpha = 1.6732632423543772848170429916717` and
    :math:`\\text{scale} = 1.0507009873554804934193349852946`.

    Args:
        inplace (bool, optional): can optionally do the operation in-place. Default: ``False``
    """

    def forward(self, input):
        return F.selu(input, self.inplace)


class GLU(Module):
    """Applies the gated linear unit function: :math:`{GLU}(a, b)= a \\otimes \\sigma(b)` where
    :math:`a` is the first half of the input matrices and :math:`b` is the second half.

    Args:
        dim (int): the dimension on which to split the input. Default: -1
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GELU(Module):
    """Applies the Gaussian Error Linear Units function: :math:`x * \\Phi(x)`, or its tanh
    approximation when ``approximate='tanh'``.

    Args:
        approximate (str, optional): the gelu approximation algorithm to use:
            ``'none'`` | ``'tanh'``. Default: ``'none'``
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Hardshrink(Module):
    """Applies the Hard Shrinkage (Hardshrink) function element-wise: :math:`x` if
    :math:`|x| > \\lambda`, else 0.

    Args:
        lambd: the :math:`\\lambda` value for the Hardshrink formulation. Default: 0.5
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class LeakyReLU(Module):
    """Applies the LeakyReLU function element-wise: :math:`\\max(0, x) +
    \\text{negative\\_slope} * \\min(0, x)`.

    Args:
        negative_slope: Controls the angle of the negative slope (which is used for
          negative input values). Default: 1e-2
        inplace: can optionally do the operation in-place. Default: ``False``
    """

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self, f"negative_slope={self.negative_slope}")


class LogSigmoid(Module):
    """Applies the Logsigmoid function element-wise: :math:`\\log(\\frac{1}{1 + \\exp(-x)})`."""

    def forward(self, input):
        return F.logsigmoid(input)


class Softplus(Module):
    """Applies the Softplus function element-wise: :math:`\\frac{1}{\\beta} * \\log(1 +
    \\exp(\\beta * x))`; reverts to the linear function when :math:`input \\times \\beta >
    threshold`.

    Args:
        beta: the :math:`\\beta` value for the Softplus formulation. Default: 1
        threshold: values above this revert to a linear function. Default: 20
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softshrink(Module):
    """Applies the soft shrinkage function element-wise: :math:`x - \\lambda` if
    :math:`x > \\lambda`, :math:`x + \\lambda` if :math:`x < -\\lambda`, else 0.

    Args:
        lambd: the :math:`\\lambda` (must be no less than zero) value for the Softshrink
            formulation. Default: 0.5
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class PReLU(Module):
    """Applies the element-wise PReLU function: :math:`\\max(0,x) + a * \\min(0,x)` where
    :math:`a` is a learnable parameter (one, or one per input channel).

    Args:
        num_parameters (int): number of :math:`a` to learn. Although it takes an int as
            input, there is only two values are legitimate: 1, or the number of channels at
            input. Default: 1
        init (float): the initial value of :math:`a`. Default: 0.25
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None,
                 dtype=None) -> None:
        from ...ops.creation import empty
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softsign(Module):
    """Applies the element-wise Softsign function: :math:`\\frac{x}{1 + |x|}`."""

    def forward(self, input):
        return F.softsign(input)


class Tanhshrink(Module):
    """Applies the element-wise Tanhshrink function: :math:`x - \\tanh(x)`."""

    def forward(self, input):
        return F.tanhshrink(input)


class _SoftmaxBase(Module):
    _fn = None

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):
        return type(self)._fn(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(_SoftmaxBase):
    """Applies the Softmin function to an n-dimensional input Tensor, rescaling it so that the
    elements of the n-dimensional output Tensor lie in the range `[0, 1]` and sum to 1:
    :math:`\\frac{\\exp(-x_i)}{\\sum_j \\exp(-x_j)}`.

    Args:
        dim (int): A dimension along which Softmin will be computed (so every slice along dim
            will sum to 1).
    """

    _fn = staticmethod(F.softmin)


class Softmax(_SoftmaxBase):
    """Applies the Softmax function to an n-dimensional input Tensor, rescaling it so that the
    elements of the n-dimensional output Tensor lie in the range [0,1] and sum to 1:
    :math:`\\frac{\\exp(x_i)}{\\sum_j \\exp(x_j)}`.

    Args:
        dim (int): A dimension along which Softmax will be computed (so every slice along dim
            will sum to 1).

    Examples::

        >>> import ember
        >>> m = ember.nn.Softmax(dim=0)
        >>> m(ember.tensor([0.0, 0.0]))
        tensor([0.5000, 0.5000])
    """

    _fn = staticmethod(F.softmax)


class LogSoftmax(_SoftmaxBase):
    """Applies the :math:`\\log(\\text{Softmax}(x))` function to an n-dimensional input
    Tensor: :math:`\\log\\left(\\frac{\\exp(x_i) }{ \\sum_j \\exp(x_j)} \\right)`.

    Args:
        dim (int): A dimension along which LogSoftmax will be computed.
    """

    _fn = staticmethod(F.log_softmax)


class Softmax2d(Module):
    """Applies SoftMax over features to each spatial location: for an image of size
    ``(C, H, W)``, Softmax is applied to each location :math:`(Channels, h_i, w_j)`.

    Shape:
        - Input: :math:`(N, C, H, W)` or :math:`(C, H, W)`; Output: same shape as the input.
    """

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D "
                             "instead")
        return F.softmax(input, -3, _stacklevel=5)
