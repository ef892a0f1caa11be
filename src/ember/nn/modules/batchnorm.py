"""Batch normalisation layers: BatchNorm1d, BatchNorm2d, BatchNorm3d (and the shared
``_NormBase`` that InstanceNorm builds on)."""
from __future__ import annotations

from ..parameter import Parameter
from .. import functional as F
from .. import init
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm"]


class _NormBase(Module):
    """Common base of _InstanceNorm and _BatchNorm."""

    _version = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum=0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True) -> None:
        from ...ops.creation import empty, ones, tensor, zeros
        from ... import dtypes
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = Parameter(empty(num_features, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(num_features, device=device, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, device=device,
                                                       dtype=dtype))
            self.register_buffer("running_var", ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked",
                                 tensor(0, dtype=dtypes.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return ("{num_features}, eps={eps}, momentum={momentum}, affine={affine}, "
                "bias={use_bias}, track_running_stats={track_running_stats}".format(
                    **self.__dict__, use_bias=self.bias is not None))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and self.track_running_stats:
            # at version 2: added num_batches_tracked buffer; this should have a default value
            # of 0
            key = prefix + "num_batches_tracked"
            if key not in state_dict:
                from ...ops.creation import tensor
                from ... import dtypes
                state_dict[key] = (self.num_batches_tracked
                                   if self.num_batches_tracked is not None
                                   else tensor(0, dtype=dtypes.long))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        # exponential_average_factor is set to self.momentum (when it is available) only so
        # that it gets updated in ONNX graph when this node is exported to ONNX.
        if self.momentum is None:
            exponential_average_factor = 0.0
        else:
            exponential_average_factor = self.momentum
        if self.training and self.track_running_stats:
            if self.num_batches_tracked is not None:
                self.num_batches_tracked.add_(1)
                if self.momentum is None:  # use cumulative moving average
                    exponential_average_factor = 1.0 / float(self.num_batches_tracked)
                else:  # use exponential moving average
                    exponential_average_factor = self.momentum
        # Mini-batch stats are used in training mode, and in eval mode when buffers are None.
        if self.training:
            bn_training = True
        else:
            bn_training = (self.running_mean is None) and (self.running_var is None)
        # Buffers are only updated if they are to be tracked and we are in training mode.
        use_buffers = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if use_buffers else None,
                            self.running_var if use_buffers else None, self.weight, self.bias,
                            bn_training, exponential_average_factor, self.eps)


_BN_DOC = r"""Applies Batch Normalization over a {inp} input.

    Method described in the paper `Batch Normalization: Accelerating Deep Network Training by
    Reducing Internal Covariate Shift <https://arxiv.org/abs/1502.03167>`__ .

    .. math::

        y = \frac{{x - \mathrm{{E}}[x]}}{{\sqrt{{\mathrm{{Var}}[x] + \epsilon}}}} * \gamma + \beta

    The mean and standard-deviation are calculated per-dimension over the mini-batches and
    :math:`\gamma` and :math:`\beta` are learnable parameter vectors of size `C` (where `C` is
    the number of features or channels of the input). By default, the elements of
    :math:`\gamma` are set to 1 and the elements of :math:`\beta` are set to 0. At train time
    in the forward pass, the variance is calculated via the biased estimator, equivalent to
    ``torch.var(input, correction=0)``. However, the value stored in the moving average of the
    variance is calculated via the unbiased estimator, equivalent to
    ``torch.var(input, correction=1)``.

    Also by default, during training this layer keeps running estimates of its computed mean
    and variance, which are then used for normalization during evaluation. The running
    estimates are kept with a default :attr:`momentum` of 0.1.

    If :attr:`track_running_stats` is set to ``False``, this layer then does not keep running
    estimates, and batch statistics are instead used during evaluation time as well.

    .. note::
        This :attr:`momentum` argument is different from one used in optimizer classes and
        the conventional notion of momentum. Mathematically, the update rule for running
        statistics here is
        :math:`\hat{{x}}_\text{{new}} = (1 - \text{{momentum}}) \times \hat{{x}} +
        \text{{momentum}} \times x_t`, where :math:`\hat{{x}}` is the estimated statistic and
        :math:`x_t` is the new observed value.

    Args:
        num_features: number of features or channels :math:`C` of the input
        eps: a value added to the denominator for numerical stability. Default: 1e-5
        momentum: the value used for the running_mean and running_var computation. Can be set
            to ``None`` for cumulative moving average (i.e. simple average). Default: 0.1
        affine: a boolean value that when set to ``True``, this module has learnable affine
            parameters. Default: ``True``
        track_running_stats: a boolean value that when set to ``True``, this module tracks
            the running mean and variance, and when set to ``False``, this module does not
            track such statistics, and initializes statistics buffers :attr:`running_mean` and
            :attr:`running_var` as ``None``. When these buffers are ``None``, this module
            always uses batch statistics in both training and eval modes. Default: ``True``
        bias: If set to ``False``, the layer will not learn an additive bias (only relevant
            if :attr:`affine` is ``True``). Default: ``True``

    Shape:
        - Input: {shape}
        - Output: {shape} (same shape as input)

    Examples::

        >>> m = nn.{name}(100)
        >>> m = nn.{name}(100, affine=False)
    """


class BatchNorm1d(_BatchNorm):
    __doc__ = _BN_DOC.format(inp="2D or 3D", shape=":math:`(N, C)` or :math:`(N, C, L)`",
                             name="BatchNorm1d")

    def _check_input_dim(self, input) -> None:
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    __doc__ = _BN_DOC.format(inp="4D", shape=":math:`(N, C, H, W)`", name="BatchNorm2d")

    def _check_input_dim(self, input) -> None:
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    __doc__ = _BN_DOC.format(inp="5D", shape=":math:`(N, C, D, H, W)`", name="BatchNorm3d")

    def _check_input_dim(self, input) -> None:
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class SyncBatchNorm(_BatchNorm):
    """Batch Normalization over an N-dimensional input; ember runs in one process, so the
    statistics are those of the local batch (as torch's SyncBatchNorm without a process
    group)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum=0.1, affine: bool = True,
                 track_running_stats: bool = True, process_group=None, device=None, dtype=None,
                 *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")
