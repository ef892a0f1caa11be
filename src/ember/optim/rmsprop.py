"""Implementation for the RMSprop algorithm."""
from __future__ import annotations

from ..backend import get_xp
from .optimizer import (Optimizer, _check_lr, _check_nonnegative, _decayed_grad,
                        _init_param_state, _lerp_, _real, _to_scalar, _zeros_like)

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    r"""Implements RMSprop algorithm.

    .. code-block:: text

        input: α (alpha), γ (lr), θ_0 (params), f(θ) (objective), λ (weight decay),
               μ (momentum), centered, ε (epsilon), maximize
        initialize: v_0 ← 0 (square average), b_0 ← 0 (buffer), g^ave_0 ← 0
        for t = 1 to ... do
            g_t ← -∇_θ f_t(θ_{t-1})  if maximize  else  ∇_θ f_t(θ_{t-1})
            if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
            v_t ← α v_{t-1} + (1 - α) g_t²
            ṽ_t ← v_t
            if centered:
                g^ave_t ← α g^ave_{t-1} + (1 - α) g_t
                ṽ_t ← ṽ_t - (g^ave_t)²
            if μ > 0:
                b_t ← μ b_{t-1} + g_t / (sqrt(ṽ_t) + ε)
                θ_t ← θ_{t-1} - γ b_t
            else:
                θ_t ← θ_{t-1} - γ g_t / (sqrt(ṽ_t) + ε)
        return θ_t

    For further details regarding the algorithm we refer to
    `lecture notes <https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf>`_
    by G. Hinton and centered version `Generating Sequences With Recurrent Neural
    Networks <https://arxiv.org/pdf/1308.0850v5.pdf>`_.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-2)
        alpha (float, optional): smoothing constant (default: 0.99)
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        momentum (float, optional): momentum factor (default: 0)
        centered (bool, optional) : if ``True``, compute the centered RMSProp,
            the gradient is normalized by an estimation of its variance
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        capturable, foreach, differentiable: accepted for compatibility with PyTorch.
    """

    _option_defaults = dict(momentum=0, centered=False, foreach=None, maximize=False,
                            differentiable=False, capturable=False)
    _scalar_state_keys = ("step",)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_lr(lr)
        _check_nonnegative("epsilon", eps)
        _check_nonnegative("momentum", momentum)
        _check_nonnegative("weight_decay", weight_decay)
        _check_nonnegative("alpha", alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
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
            momentum, centered = group["momentum"], group["centered"]
            for p, state in self._params_with_grad(group, "RMSprop"):
                if len(state) == 0:
                    _init_param_state(state, p, ("square_avg",))
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        state["grad_avg"] = _zeros_like(p)
                rmsprop(p._data, p._grad._data, state["square_avg"]._data,
                        state["grad_avg"]._data if centered else None,
                        state["momentum_buffer"]._data if momentum > 0 else None,
                        state["step"]._data, lr=lr, alpha=group["alpha"], eps=group["eps"],
                        weight_decay=group["weight_decay"], momentum=momentum,
                        centered=centered, maximize=group["maximize"])
                p._bump_version()
        return loss


def rmsprop(param, grad, square_avg, grad_avg, momentum_buffer, step_t, *, lr, alpha, eps,
            weight_decay, momentum, centered, maximize):
    r"""The RMSprop update of one parameter, in place on backend arrays (see
    :class:`RMSprop`)."""
    xp = get_xp(param)
    param, grad, square_avg = _real(param), _real(grad), _real(square_avg)
    step_t += 1
    g = _decayed_grad(xp, param, grad, weight_decay, maximize)
    tmp = xp.empty_like(square_avg)
    square_avg *= alpha
    xp.multiply(g, 1 - alpha, out=tmp)
    tmp *= g
    square_avg += tmp
    if centered:
        grad_avg = _real(grad_avg)
        _lerp_(xp, grad_avg, g, 1 - alpha, tmp)
        xp.multiply(grad_avg, grad_avg, out=tmp)
        xp.subtract(square_avg, tmp, out=tmp)
        xp.sqrt(tmp, out=tmp)
    else:
        xp.sqrt(square_avg, out=tmp)
    tmp += eps
    xp.divide(g, tmp, out=tmp)
    if momentum > 0:
        buf = _real(momentum_buffer)
        buf *= momentum
        buf += tmp
        xp.multiply(buf, lr, out=tmp)
    else:
        tmp *= lr
    param -= tmp
