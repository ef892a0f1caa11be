"""Instance normalisation layers: InstanceNorm1d, InstanceNorm2d, InstanceNorm3d."""
from __future__ import annotations

import warnings

from .. import functional as F
from .batchnorm import _NormBase

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class _InstanceNorm(_NormBase):
    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def _get_no_batch_dim(self):
        raise NotImplementedError

    def _handle_no_batch_input(self, input):
        return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)

    def _apply_instance_norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                               self.bias, self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        version = local_metadata.get("version", None)
        # at version 1: removed running_mean and running_var when track_running_stats=False
        if version is None and not self.track_running_stats:
            running_stats_keys = [prefix + n for n in ("running_mean", "running_var")
                                  if prefix + n in state_dict]
            if running_stats_keys:
                error_msgs.append(
                    "Unexpected running stats buffer(s) {names} for {klass} with "
                    "track_running_stats=False. If state_dict is a checkpoint saved before "
                    "0.4.0, this may be expected because {klass} does not track running stats "
                    "by default since 0.4.0. Please remove these keys from state_dict. If the "
                    "running stats are actually needed, instead set track_running_stats=True "
                    "in {klass} to enable them. See the documentation of {klass} for "
                    "details.".format(names=" and ".join(f'"{k}"' for k in running_stats_keys),
                                      klass=self.__class__.__name__))
                for key in running_stats_keys:
                    state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._get_no_batch_dim()
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match "
                                 f"num_features ({self.num_features}), but got: "
                                 f"{input.size(feature_dim)}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. "
                          "You can silence this warning by not passing in num_features, which "
                          "is not used because affine=False", stacklevel=2)
        if input.dim() == self._get_no_batch_dim():
            return self._handle_no_batch_input(input)
        return self._apply_instance_norm(input)


_IN_DOC = r"""Applies Instance Normalization over a {inp} input.

    .. math::

        y = \frac{{x - \mathrm{{E}}[x]}}{{ \sqrt{{\mathrm{{Var}}[x] + \epsilon}}}} * \gamma + \beta

    The mean and standard-deviation are calculated per-dimension separately for each object
    in a mini-batch. :math:`\gamma` and :math:`\beta` are learnable parameter vectors of size
    `C` (where `C` is the number of features or channels of the input) if :attr:`affine` is
    ``True``. The variance is calculated via the biased estimator, equivalent to
    `torch.var(input, correction=0)`.

    By default, this layer uses instance statistics computed from input data in both training
    and evaluation modes.

    If :attr:`track_running_stats` is set to ``True``, during training this layer keeps
    running estimates of its computed mean and variance, which are then used for
    normalization during evaluation. The running estimates are kept with a default
    :attr:`momentum` of 0.1.

    Args:
        num_features: number of features or channels :math:`C` of the input
        eps: a value added to the denominator for numerical stability. Default: 1e-5
        momentum: the value used for the running_mean and running_var computation.
            Default: 0.1
        affine: a boolean value that when set to ``True``, this module has learnable affine
            parameters, initialized the same way as done for batch normalization.
            Default: ``False``.
        track_running_stats: a boolean value that when set to ``True``, this module tracks
            the running mean and variance, and when set to ``False``, this module does not
            track such statistics and always uses batch statistics in both training and eval
            modes. Default: ``False``

    Shape:
        - Input: {shape}
        - Output: {shape} (same shape as input)

    Examples::

        >>> m = nn.{name}(100)
        >>> m = nn.{name}(100, affine=True)
    """


class InstanceNorm1d(_InstanceNorm):
    __doc__ = _IN_DOC.format(inp="2D (unbatched) or 3D (batched)",
                             shape=":math:`(N, C, L)` or :math:`(C, L)`", name="InstanceNorm1d")

    def _get_no_batch_dim(self) -> int:
        return 2

    def _check_input_dim(self, input) -> None:
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class InstanceNorm2d(_InstanceNorm):
    __doc__ = _IN_DOC.format(inp="4D", shape=":math:`(N, C, H, W)` or :math:`(C, H, W)`",
                             name="InstanceNorm2d")

    def _get_no_batch_dim(self) -> int:
        return 3

    def _check_input_dim(self, input) -> None:
        if input.dim() not in (3, 4):
            raise ValueError(f"expected 3D or 4D input (got {input.dim()}D input)")


class InstanceNorm3d(_InstanceNorm):
    __doc__ = _IN_DOC.format(inp="5D",
                             shape=":math:`(N, C, D, H, W)` or :math:`(C, D, H, W)`",
                             name="InstanceNorm3d")

    def _get_no_batch_dim(self) -> int:
        return 4

    def _check_input_dim(self, input) -> None:
        if input.dim() not in (4, 5):
            raise ValueError(f"expected 4D or 5D input (got {input.dim()}D input)")
