"""Loss layers: thin modules over ``ember.nn.functional`` with torch's constructors, buffers
(``weight``, ``pos_weight``) and legacy ``size_average``/``reduce`` arguments."""
from __future__ import annotations

import warnings

from .. import functional as F
from ...ops.loss import _legacy_get_string
from .module import Module

__all__ = [
    "L1Loss", "NLLLoss", "NLLLoss2d", "PoissonNLLLoss", "GaussianNLLLoss", "KLDivLoss",
    "MSELoss", "BCELoss", "BCEWithLogitsLoss", "HingeEmbeddingLoss", "MultiLabelMarginLoss",
    "SmoothL1Loss", "HuberLoss", "SoftMarginLoss", "CrossEntropyLoss",
    "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss", "MarginRankingLoss", "MultiMarginLoss",
    "TripletMarginLoss", "TripletMarginWithDistanceLoss", "CTCLoss",
]


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = _legacy_get_string(size_average, reduce)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Creates a criterion that measures the mean absolute error (MAE) between each element in
    the input :math:`x` and target :math:`y`: :math:`l_n = \\left| x_n - y_n \\right|`, reduced
    by ``reduction`` (``'none'`` | ``'mean'`` | ``'sum'``)."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    """The negative log likelihood loss: :math:`l_n = - w_{y_n} x_{n,y_n}`, for log-probability
    inputs :math:`(N, C)` or :math:`(N, C, d_1, ..., d_K)` and class-index targets. ``'mean'``
    divides by the sum of the target weights.

    Args:
        weight (Tensor, optional): a manual rescaling weight given to each class.
        ignore_index (int, optional): a target value that is ignored. Default: -100
        reduction (str, optional): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class NLLLoss2d(NLLLoss):
    """Deprecated alias of :class:`NLLLoss`."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean") -> None:
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a "
                      "drop-in replacement and see https://pytorch.org/docs/main/nn.html#"
                      "torch.nn.NLLLoss for more details.", FutureWarning, stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


class PoissonNLLLoss(_Loss):
    """Negative log likelihood loss with Poisson distribution of target:
    :math:`\\exp(\\text{input}) - \\text{target}*\\text{input}` (``log_input=True``).

    Args:
        log_input (bool, optional): if ``True`` the loss is ``exp(input) - target * input``,
            else ``input - target * log(input + eps)``.
        full (bool, optional): whether to add the Stirling approximation term.
        eps (float, optional): avoids :math:`\\log(0)` when ``log_input=False``. Default: 1e-8
    """

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None,
                 eps: float = 1e-8, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log likelihood loss: :math:`\\frac{1}{2}\\left(\\log\\left(\\max
    \\left(\\text{var}, \\text{eps}\\right)\\right) + \\frac{\\left(\\text{input} -
    \\text{target}\\right)^2}{\\max\\left(\\text{var}, \\text{eps}\\right)}\\right)`.

    Args:
        full (bool, optional): include the constant term in the loss calculation.
        eps (float, optional): value used to clamp ``var``, for stability. Default: 1e-6.
        reduction (str, optional): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6,
                 reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class KLDivLoss(_Loss):
    """The Kullback-Leibler divergence loss: :math:`L(y_{\\text{pred}},\\ y_{\\text{true}}) =
    y_{\\text{true}} \\cdot (\\log y_{\\text{true}} - \\log y_{\\text{pred}})`, the input given
    as log-probabilities.

    Args:
        reduction (str, optional): ``'none'`` | ``'batchmean'`` | ``'sum'`` | ``'mean'``.
        log_target (bool, optional): whether ``target`` is in log space. Default: ``False``
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MSELoss(_Loss):
    """Creates a criterion that measures the mean squared error (squared L2 norm) between each
    element in the input :math:`x` and target :math:`y`: :math:`l_n = \\left( x_n - y_n
    \\right)^2`.

    Examples::

        >>> import ember
        >>> loss = ember.nn.MSELoss()
        >>> loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 0.0]))
        tensor(2.5000)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary Cross Entropy between the target and the input probabilities: :math:`l_n = - w_n
    \\left[ y_n \\cdot \\log x_n + (1 - y_n) \\cdot \\log (1 - x_n) \\right]`, the logs clamped
    to be greater than or equal to -100."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """A Sigmoid layer and the BCELoss in one class (numerically more stable): :math:`l_n = -
    w_n \\left[ p y_n \\cdot \\log \\sigma(x_n) + (1 - y_n) \\cdot \\log (1 - \\sigma(x_n))
    \\right]`, with ``pos_weight`` :math:`p` the weight of positive examples per class."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean",
                 pos_weight=None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """The loss given an input tensor :math:`x` and a labels tensor :math:`y` (1 or -1):
    :math:`x_n` if :math:`y_n = 1`, :math:`\\max \\{0, margin - x_n\\}` if :math:`y_n = -1`."""

    def __init__(self, margin: float = 1.0, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin,
                                      reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-class multi-classification hinge loss (margin-based loss) between input :math:`x`
    and output :math:`y` (class indices, ended by -1): :math:`\\sum_{ij}\\frac{\\max(0, 1 -
    (x[y[j]] - x[i]))}{\\text{x.size}(0)}` over targets :math:`j` and non-targets :math:`i`."""

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Uses a squared term if the absolute element-wise error falls below beta and an L1 term
    otherwise: :math:`0.5 (x_n - y_n)^2 / beta` if :math:`|x_n - y_n| < beta`, else
    :math:`|x_n - y_n| - 0.5 * beta`."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Uses a squared term if the absolute element-wise error falls below delta and a
    delta-scaled L1 term otherwise: :math:`0.5 (x_n - y_n)^2` if :math:`|x_n - y_n| < delta`,
    else :math:`delta * (|x_n - y_n| - 0.5 * delta)`."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        if not isinstance(delta, (float, int)):
            raise TypeError(f"delta must be a float or int, got: {type(delta)}")
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SoftMarginLoss(_Loss):
    """Two-class classification logistic loss between input tensor :math:`x` and target
    tensor :math:`y` (1 or -1): :math:`\\sum_i \\frac{\\log(1 + \\exp(-y[i]*x[i]))}{n}`."""

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Computes the cross entropy loss between input logits and target (class indices or
    class probabilities), optionally class-weighted and label-smoothed.

    Args:
        weight (Tensor, optional): a manual rescaling weight given to each class.
        ignore_index (int, optional): a target value that is ignored and does not contribute
            to the input gradient. Default: -100
        reduction (str, optional): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``
        label_smoothing (float, optional): a float in [0.0, 1.0]: the amount of smoothing.

    Shape:
        - Input: :math:`(C)`, :math:`(N, C)` or :math:`(N, C, d_1, ..., d_K)`.
        - Target: class indices :math:`()`, :math:`(N)` or :math:`(N, d_1, ..., d_K)`, or
          probabilities of the input's shape.
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Multi-label one-versus-all loss based on max-entropy: :math:`- \\frac{1}{C} \\sum_i y[i]
    \\log \\sigma(x[i]) + (1-y[i]) \\log \\sigma(-x[i])`."""

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight,
                                             reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """Measures whether two inputs are similar or dissimilar, using the cosine similarity:
    :math:`1 - \\cos(x_1, x_2)` if :math:`y = 1`, :math:`\\max(0, \\cos(x_1, x_2) - margin)` if
    :math:`y = -1`."""

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """The loss given inputs :math:`x1`, :math:`x2` and a label :math:`y` (1 or -1):
    :math:`\\max(0, -y * (x1 - x2) + \\text{margin})`."""

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class classification hinge loss: :math:`\\frac{\\sum_i w[y] \\max(0, \\text{margin}
    - x[y] + x[i])^p}{\\text{x.size}(0)}` over :math:`i \\neq y`.

    Args:
        p (int, optional): 1 or 2. Default: 1
        margin (float, optional): Default: 1
        weight (Tensor, optional): a manual rescaling weight given to each class.
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None, size_average=None,
                 reduce=None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p != 1 and p != 2:
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got "
                             f"{weight.ndim}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """The triplet loss given anchor, positive and negative examples: :math:`\\max\\{d(a_i, p_i)
    - d(a_i, n_i) + {\\rm margin}, 0\\}` with :math:`d(x_i, y_i) = \\|x_i - y_i\\|_p`.

    Args:
        margin (float, optional): Default: :math:`1`.
        p (int, optional): The norm degree for pairwise distance. Default: :math:`2`.
        eps (float, optional): Small constant for numerical stability. Default: :math:`1e-6`.
        swap (bool, optional): use the distance swap (Balntas et al.). Default: ``False``.
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                             f"{margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """The triplet loss with a custom distance function (default: :class:`PairwiseDistance`):
    :math:`\\max \\{d(a_i, p_i) - d(a_i, n_i) + {\\rm margin}, 0\\}`."""

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean") -> None:
        super().__init__(size_average=None, reduce=None, reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        if distance_function is None:
            try:
                from .distance import PairwiseDistance
                distance_function = PairwiseDistance()
            except ImportError:
                distance_function = None
        self.distance_function = distance_function
        self.margin = margin
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class CTCLoss(_Loss):
    """The Connectionist Temporal Classification loss: the negative log of the sum over all
    alignments of the target to the (log-probability) input sequence.

    Args:
        blank (int, optional): blank label. Default :math:`0`.
        reduction (str, optional): ``'none'`` | ``'mean'`` | ``'sum'``: ``'mean'`` divides
            the losses by the target lengths and takes the mean over the batch.
        zero_infinity (bool, optional): Whether to zero infinite losses and the associated
            gradients. Default: ``False``

    Shape:
        - Log_probs: :math:`(T, N, C)` or :math:`(T, C)`
        - Targets: :math:`(N, S)` or :math:`(\\operatorname{sum}(\\text{target\\_lengths}))`
        - Input_lengths, Target_lengths: :math:`(N)` or :math:`()`
    """

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)
