"""Implementation for the Adamax algorithm."""
from __future__ import annotations

from ..backend import get_xp
from .optimizer import (Optimizer, _check_betas, _check_lr, _check_nonnegative, _decayed_grad,
                        _init_param_state, _lerp_, _real, _to_scalar)

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    r"""Implements Adamax algorithm (a variant of Adam based on infinity norm).

    .. code-block:: text

        input: γ (lr), β1, β2 (betas), θ_0 (params), f(θ) (objective), λ (weight decay),
               ε (epsilon), maximize
        initialize: m_0 ← 0 (first moment), u_0 ← 0 (infinity norm)
        for t = 1 to ... do
            g_t ← -∇_θ f_t(θ_{t-1})  if maximize  else  ∇_θ f_t(θ_{t-1})
            if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
            m_t ← β1 m_{t-1} + (1 - β1) g_t
            u_t ← max(β2 u_{t-1}, |g_t| + ε)
            θ_t ← θ_{t-1} - γ m_t / ((1 - β1^t) u_t)
        return θ_t

    For further details regarding the algorithm we refer to `Adam: A Method for Stochastic
    Optimization`_.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 2e-3)
        betas (tuple[float, float], optional): coefficients used for computing
            running averages of gradient and its square (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, differentiable, capturable: accepted for compatibility with PyTorch.

    .. _Adam\: A Method for Stochastic Optimization:
        https://arxiv.org/abs/1412.6980
    """

    _option_defaults = dict(foreach=None, maximize=False, differentiable=False,
                            capturable=False)
    _scalar_state_keys = ("step",)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonnegative("epsilon", eps)
        _check_betas(betas)
        _check_nonnegative("weight_decay", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Performs a single optimization step.

        Args:
            closure (Callable, optional): A closure that reevaluates the model
                and returns the loss.
        """
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr = _to_scalar(group["lr"])
            for p, state in self._params_with_grad(group, "Adamax"):
                if len(state) == 0:
                    _init_param_state(state, p, ("exp_avg", "exp_inf"))
                adamax(p._data, p._grad._data, state["exp_avg"]._data, state["exp_inf"]._data,
                       state["step"]._data, eps=group["eps"], beta1=beta1, beta2=beta2, lr=lr,
                       weight_decay=group["weight_decay"], maximize=group["maximize"])
                p._bump_version()
        return loss


def adamax(param, grad, exp_avg, exp_inf, step_t, *, eps, beta1, beta2, lr, weight_decay,
           maximize):
    r"""The Adamax update of one parameter, in place on backend arrays (see :class:`Adamax`)."""
    xp = get_xp(param)
    param, grad, exp_avg, exp_inf = _real(param), _real(grad), _real(exp_avg), _real(exp_inf)
    step_t += 1
    g = _decayed_grad(xp, param, grad, weight_decay, maximize)
    tmp = xp.empty_like(exp_avg)
    _lerp_(xp, exp_avg, g, 1 - beta1, tmp)
    exp_inf *= beta2
    xp.abs(g, out=tmp)
    tmp += eps
    xp.maximum(exp_inf, tmp, out=exp_inf)
    clr = lr / (1 - beta1 ** float(step_t))
    xp.divide(exp_avg, exp_inf, out=tmp)
    tmp *= clr
    param -= tmp
