"""Implementation for the Adagrad algorithm."""
from __future__ import annotations

from ..backend import get_xp
from .optimizer import (Optimizer, _check_fused, _check_lr, _check_nonnegative, _decayed_grad,
                        _full_like, _init_param_state, _real, _to_scalar)

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    r"""Implements Adagrad algorithm.

    .. code-block:: text

        input: γ (lr), θ_0 (params), f(θ) (objective), λ (weight decay),
               τ (initial accumulator value), η (lr decay), ε (epsilon), maximize
        initialize: state_sum_0 ← τ
        for t = 1 to ... do
            g_t ← -∇_θ f_t(θ_{t-1})  if maximize  else  ∇_θ f_t(θ_{t-1})
            γ̃ ← γ / (1 + (t - 1) η)
            if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
            state_sum_t ← state_sum_{t-1} + g_t²
            θ_t ← θ_{t-1} - γ̃ g_t / (sqrt(state_sum_t) + ε)
        return θ_t

    For further details regarding the algorithm we refer to `Adaptive Subgradient Methods
    for Online Learning and Stochastic Optimization`_.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-2)
        lr_decay (float, optional): learning rate decay (default: 0)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        initial_accumulator_value (float, optional): initial value of the
            sum of squares of gradients (default: 0)
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-10)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, differentiable, fused: accepted for compatibility with PyTorch.

    .. _Adaptive Subgradient Methods for Online Learning and Stochastic
        Optimization: http://jmlr.org/papers/v12/duchi11a.html
    """

    _option_defaults = dict(foreach=None, maximize=False, differentiable=False, fused=None)
    _scalar_state_keys = ("step",)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        _check_lr(lr)
        _check_nonnegative("lr_decay", lr_decay)
        _check_nonnegative("weight_decay", weight_decay)
        _check_nonnegative("initial_accumulator_value", initial_accumulator_value)
        _check_nonnegative("epsilon", eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(self.state[p], p)

    def _init_state(self, state, p):
        _init_param_state(state, p, ())
        v = self.defaults["initial_accumulator_value"]
        state["sum"] = _full_like(p, complex(v, v) if p.is_complex() else v)

    def share_memory(self):
        """Calls tensor.share_memory_() on the state sum tensors (a no-op in Ember)."""

    def step(self, closure=None):
        """Perform a single optimization step.

        Args:
            closure (Callable, optional): A closure that reevaluates the model
                and returns the loss.
        """
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            for p, state in self._params_with_grad(group):
                if len(state) == 0:
                    self._init_state(state, p)
                adagrad(p._data, p._grad._data, state["sum"]._data, state["step"]._data,
                        lr=lr, weight_decay=group["weight_decay"], lr_decay=group["lr_decay"],
                        eps=group["eps"], maximize=group["maximize"])
                p._bump_version()
        return loss


def adagrad(param, grad, state_sum, step_t, *, lr, weight_decay, lr_decay, eps, maximize):
    r"""The Adagrad update of one parameter, in place on backend arrays (see
    :class:`Adagrad`)."""
    xp = get_xp(param)
    param, grad, state_sum = _real(param), _real(grad), _real(state_sum)
    step_t += 1
    step = float(step_t)
    g = _decayed_grad(xp, param, grad, weight_decay, maximize)
    clr = lr / (1 + (step - 1) * lr_decay)
    tmp = xp.multiply(g, g)
    state_sum += tmp
    xp.sqrt(state_sum, out=tmp)
    tmp += eps
    xp.divide(g, tmp, out=tmp)
    tmp *= clr
    param -= tmp
