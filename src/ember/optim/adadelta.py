"""Implementation for the Adadelta algorithm."""
from __future__ import annotations

from ..backend import get_xp
from .optimizer import (Optimizer, _check_lr, _check_nonnegative, _decayed_grad,
                        _init_param_state, _real, _to_scalar)

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    r"""Implements Adadelta algorithm.

    .. code-block:: text

        input: γ (lr), θ_0 (params), f(θ) (objective), ρ (decay), λ (weight decay),
               ε (epsilon), maximize
        initialize: v_0 ← 0 (square avg), u_0 ← 0 (accumulate variables)
        for t = 1 to ... do
            g_t ← -∇_θ f_t(θ_{t-1})  if maximize  else  ∇_θ f_t(θ_{t-1})
            if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
            v_t ← v_{t-1} ρ + g_t² (1 - ρ)
            Δx_t ← sqrt(u_{t-1} + ε) / sqrt(v_t + ε) · g_t
            u_t ← u_{t-1} ρ + Δx_t² (1 - ρ)
            θ_t ← θ_{t-1} - γ Δx_t
        return θ_t

    For further details regarding the algorithm we refer to `ADADELTA: An Adaptive Learning
    Rate Method`_.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): coefficient that scale delta before it is applied
            to the parameters (default: 1.0)
        rho (float, optional): coefficient used for computing a running average
            of squared gradients (default: 0.9). A higher value of `rho` will
            result in a slower average, which can be helpful for preventing
            oscillations in the learning process.
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-6).
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, capturable, differentiable: accepted for compatibility with PyTorch.

    .. _ADADELTA\: An Adaptive Learning Rate Method:
        https://arxiv.org/abs/1212.5701
    """

    _option_defaults = dict(foreach=None, maximize=False, differentiable=False,
                            capturable=False)
    _scalar_state_keys = ("step",)

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonnegative("epsilon", eps)
        _check_nonnegative("weight_decay", weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform a single optimization step.

        Args:
            closure (Callable, optional): A closure that reevaluates the model
                and returns the loss.
        """
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            for p, state in self._params_with_grad(group, "Adadelta"):
                if len(state) == 0:
                    _init_param_state(state, p, ("square_avg", "acc_delta"))
                adadelta(p._data, p._grad._data, state["square_avg"]._data,
                         state["acc_delta"]._data, state["step"]._data, lr=lr,
                         rho=group["rho"], eps=group["eps"],
                         weight_decay=group["weight_decay"], maximize=group["maximize"])
                p._bump_version()
        return loss


def adadelta(param, grad, square_avg, acc_delta, step_t, *, lr, rho, eps, weight_decay,
             maximize):
    r"""The Adadelta update of one parameter, in place on backend arrays (see
    :class:`Adadelta`)."""
    xp = get_xp(param)
    param, grad, square_avg, acc_delta = _real(param), _real(grad), _real(square_avg), \
        _real(acc_delta)
    step_t += 1
    g = _decayed_grad(xp, param, grad, weight_decay, maximize)
    square_avg *= rho
    tmp = xp.multiply(g, 1 - rho)
    tmp *= g
    square_avg += tmp
    std = xp.add(square_avg, eps)
    xp.sqrt(std, out=std)
    delta = xp.add(acc_delta, eps, out=tmp)
    xp.sqrt(delta, out=delta)
    delta /= std
    delta *= g
    acc_delta *= rho
    xp.multiply(delta, 1 - rho, out=std)
    std *= delta
    acc_delta += std
    delta *= lr
    param -= delta
