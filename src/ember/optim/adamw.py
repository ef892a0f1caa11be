"""Implementation for the AdamW algorithm."""
from __future__ import annotations

from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""Implements AdamW algorithm, where weight decay does not accumulate in the momentum
    nor variance.

    .. code-block:: text

        input: γ (lr), β1, β2 (betas), θ_0 (params), f(θ) (objective), ε (epsilon),
               λ (weight decay), amsgrad, maximize
        initialize: m_0 ← 0, v_0 ← 0, v_0^max ← 0
        for t = 1 to ... do
            g_t ← -∇_θ f_t(θ_{t-1})  if maximize  else  ∇_θ f_t(θ_{t-1})
            θ_t ← θ_{t-1} - γ λ θ_{t-1}
            m_t ← β1 m_{t-1} + (1 - β1) g_t
            v_t ← β2 v_{t-1} + (1 - β2) g_t²
            m̂_t ← m_t / (1 - β1^t)
            v̂_t ← max(v_{t-1}^max, v_t) / (1 - β2^t)  if amsgrad  else  v_t / (1 - β2^t)
            θ_t ← θ_t - γ m̂_t / (sqrt(v̂_t) + ε)
        return θ_t

    For further details regarding the algorithm we refer to `Decoupled Weight Decay
    Regularization`_.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        betas (tuple[float, float], optional): coefficients used for computing
            running averages of gradient and its square (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay coefficient (default: 1e-2)
        amsgrad (bool, optional): whether to use the AMSGrad variant of this
            algorithm from the paper `On the Convergence of Adam and Beyond`_
            (default: False)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, capturable, differentiable, fused: accepted for compatibility with PyTorch.

    .. _Decoupled Weight Decay Regularization:
        https://arxiv.org/abs/1711.05101
    .. _On the Convergence of Adam and Beyond:
        https://openreview.net/forum?id=ryQu7f-RZ
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
