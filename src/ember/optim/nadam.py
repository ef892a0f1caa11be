"""Implementation for the NAdam algorithm."""
from __future__ import annotations

from ..backend import get_xp
from .optimizer import (Optimizer, _check_betas, _check_lr, _check_nonnegative, _decayed_grad,
                        _init_param_state, _lerp_, _real, _to_scalar)

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    r"""Implements NAdam algorithm.

    .. code-block:: text

        input: γ_t (lr), β1, β2 (betas), θ_0 (params), f(θ) (objective), λ (weight decay),
               ψ (momentum decay), decoupled_weight_decay, maximize
        initialize: m_0 ← 0 (first moment), v_0 ← 0 (second moment), μ-product ← 1
        for t = 1 to ... do
            g_t ← -∇_θ f_t(θ_{t-1})  if maximize  else  ∇_θ f_t(θ_{t-1})
            if λ ≠ 0:
                if decoupled_weight_decay:  θ_{t-1} ← θ_{t-1} - γ λ θ_{t-1}
                else:                       g_t ← g_t + λ θ_{t-1}
            μ_t ← β1 (1 - ½ 0.96^{t ψ})
            μ_{t+1} ← β1 (1 - ½ 0.96^{(t+1) ψ})
            m_t ← β1 m_{t-1} + (1 - β1) g_t
            v_t ← β2 v_{t-1} + (1 - β2) g_t²
            m̂_t ← μ_{t+1} m_t / (1 - Π_{i=1}^{t+1} μ_i) + (1 - μ_t) g_t / (1 - Π_{i=1}^{t} μ_i)
            v̂_t ← v_t / (1 - β2^t)
            θ_t ← θ_{t-1} - γ m̂_t / (sqrt(v̂_t) + ε)
        return θ_t

    For further details regarding the algorithm we refer to `Incorporating Nesterov
    Momentum into Adam`_.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 2e-3)
        betas (tuple[float, float], optional): coefficients used for computing
            running averages of gradient and its square (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        momentum_decay (float, optional): momentum momentum_decay (default: 4e-3)
        decoupled_weight_decay (bool, optional): whether to decouple the weight
            decay as in AdamW to obtain NAdamW. If True, the algorithm does not
            accumulate weight decay in the momentum nor variance. (default: False)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, capturable, differentiable: accepted for compatibility with PyTorch.

    .. _Incorporating Nesterov Momentum into Adam:
        https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ
    """

    _option_defaults = dict(maximize=False, foreach=None, capturable=False,
                            differentiable=False, decoupled_weight_decay=False)
    _scalar_state_keys = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_lr(lr)
        _check_nonnegative("epsilon", eps)
        _check_betas(betas)
        _check_nonnegative("weight_decay", weight_decay)
        _check_nonnegative("momentum_decay", momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform a single optimization step.

        Args:
            closure (Callable, optional): A closure that reevaluates the model
                and returns the loss.
        """
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr = _to_scalar(group["lr"])
            for p, state in self._params_with_grad(group, "NAdam"):
                if len(state) == 0:
                    _init_param_state(state, p, ("exp_avg", "exp_avg_sq"), mu_product=1.0)
                nadam(p._data, p._grad._data, state["exp_avg"]._data,
                      state["exp_avg_sq"]._data, state["mu_product"]._data,
                      state["step"]._data, beta1=beta1, beta2=beta2, lr=lr,
                      weight_decay=group["weight_decay"],
                      momentum_decay=group["momentum_decay"], eps=group["eps"],
                      decoupled_weight_decay=group["decoupled_weight_decay"],
                      maximize=group["maximize"])
                p._bump_version()
        return loss


def nadam(param, grad, exp_avg, exp_avg_sq, mu_product, step_t, *, beta1, beta2, lr,
          weight_decay, momentum_decay, eps, decoupled_weight_decay, maximize):
    r"""The NAdam update of one parameter, in place on backend arrays (see :class:`NAdam`).

    ``mu_product`` and ``step_t`` are the 0-d state arrays (float32 as in PyTorch, so the
    running product is rounded the same way).
    """
    xp = get_xp(param)
    param, grad, exp_avg, exp_avg_sq = _real(param), _real(grad), _real(exp_avg), \
        _real(exp_avg_sq)
    step_t += 1
    step = float(step_t)
    bias_correction2 = 1 - beta2 ** step
    if weight_decay != 0 and decoupled_weight_decay:
        param *= 1 - lr * weight_decay
        g = _decayed_grad(xp, param, grad, 0, maximize)
    else:
        g = _decayed_grad(xp, param, grad, weight_decay, maximize)
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mu_product *= mu
    tmp = xp.empty_like(exp_avg)
    _lerp_(xp, exp_avg, g, 1 - beta1, tmp)
    exp_avg_sq *= beta2
    xp.multiply(g, 1 - beta2, out=tmp)
    tmp *= g
    exp_avg_sq += tmp
    denom = xp.divide(exp_avg_sq, bias_correction2)
    xp.sqrt(denom, out=denom)
    mu_prod = float(mu_product)
    mu_product_next = mu_prod * mu_next
    denom += eps
    xp.divide(g, denom, out=tmp)
    tmp *= lr * (1.0 - mu) / (1.0 - mu_prod)
    param -= tmp
    xp.divide(exp_avg, denom, out=tmp)
    tmp *= (lr * mu_next) / (1.0 - mu_product_next)
    param -= tmp
