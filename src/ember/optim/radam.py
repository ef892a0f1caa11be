"""Implementation for the RAdam algorithm."""
from __future__ import annotations

from ..backend import get_xp
from .optimizer import (Optimizer, _check_betas, _check_lr, _check_nonnegative, _decayed_grad,
                        _init_param_state, _lerp_, _real, _to_scalar)

__all__ = ["RAdam", "radam"]


class RAdam(Optimizer):
    r"""Implements RAdam algorithm.

    .. code-block:: text

        input: γ (lr), β1, β2 (betas), θ_0 (params), f(θ) (objective), λ (weight decay),
               ε (epsilon), decoupled_weight_decay, maximize
        initialize: m_0 ← 0 (first moment), v_0 ← 0 (second moment),
                    ρ_∞ ← 2 / (1 - β2) - 1
        for t = 1 to ... do
            g_t ← -∇_θ f_t(θ_{t-1})  if maximize  else  ∇_θ f_t(θ_{t-1})
            if λ ≠ 0:
                if decoupled_weight_decay:  θ_{t-1} ← θ_{t-1} - γ λ θ_{t-1}
                else:                       g_t ← g_t + λ θ_{t-1}
            m_t ← β1 m_{t-1} + (1 - β1) g_t
            v_t ← β2 v_{t-1} + (1 - β2) g_t²
            m̂_t ← m_t / (1 - β1^t)
            ρ_t ← ρ_∞ - 2 t β2^t / (1 - β2^t)
            if ρ_t > 5:
                l_t ← sqrt(1 - β2^t) / (sqrt(v_t) + ε)
                r_t ← sqrt((ρ_t - 4)(ρ_t - 2) ρ_∞ / ((ρ_∞ - 4)(ρ_∞ - 2) ρ_t))
                θ_t ← θ_{t-1} - γ m̂_t r_t l_t
            else:
                θ_t ← θ_{t-1} - γ m̂_t
        return θ_t

    For further details regarding the algorithm we refer to `On the variance of the adaptive
    learning rate and beyond`_.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        betas (tuple[float, float], optional): coefficients used for computing
            running averages of gradient and its square (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        decoupled_weight_decay (bool, optional): whether to decouple the weight
            decay as in AdamW to obtain RAdamW. If True, the algorithm does not
            accumulate weight decay in the momentum nor variance. (default: False)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, capturable, differentiable: accepted for compatibility with PyTorch.

    .. _On the variance of the adaptive learning rate and beyond:
        https://arxiv.org/abs/1908.03265
    """

    _option_defaults = dict(foreach=None, maximize=False, differentiable=False,
                            decoupled_weight_decay=False, capturable=False)
    _scalar_state_keys = ("step",)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_lr(lr)
        _check_nonnegative("epsilon", eps)
        _check_betas(betas)
        _check_nonnegative("weight_decay", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
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
            for p, state in self._params_with_grad(group, "RAdam"):
                if len(state) == 0:
                    _init_param_state(state, p, ("exp_avg", "exp_avg_sq"))
                radam(p._data, p._grad._data, state["exp_avg"]._data,
                      state["exp_avg_sq"]._data, state["step"]._data, beta1=beta1,
                      beta2=beta2, lr=lr, weight_decay=group["weight_decay"], eps=group["eps"],
                      decoupled_weight_decay=group["decoupled_weight_decay"],
                      maximize=group["maximize"])
                p._bump_version()
        return loss


def radam(param, grad, exp_avg, exp_avg_sq, step_t, *, beta1, beta2, lr, weight_decay, eps,
          decoupled_weight_decay, maximize):
    r"""The RAdam update of one parameter, in place on backend arrays (see :class:`RAdam`)."""
    xp = get_xp(param)
    param, grad, exp_avg, exp_avg_sq = _real(param), _real(grad), _real(exp_avg), \
        _real(exp_avg_sq)
    step_t += 1
    step = float(step_t)
    if weight_decay != 0 and decoupled_weight_decay:
        param *= 1 - lr * weight_decay
        g = _decayed_grad(xp, param, grad, 0, maximize)
    else:
        g = _decayed_grad(xp, param, grad, weight_decay, maximize)
    tmp = xp.empty_like(exp_avg)
    _lerp_(xp, exp_avg, g, 1 - beta1, tmp)
    exp_avg_sq *= beta2
    xp.multiply(g, 1 - beta2, out=tmp)
    tmp *= g
    exp_avg_sq += tmp

    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
    update = xp.divide(exp_avg, bias_correction1)
    update *= lr
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        xp.sqrt(exp_avg_sq, out=tmp)
        tmp += eps
        xp.divide(bias_correction2 ** 0.5, tmp, out=tmp)
        update *= tmp
        update *= rect
    param -= update
