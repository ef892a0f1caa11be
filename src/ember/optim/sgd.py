"""Implementation for Stochastic Gradient Descent optimizer."""
from __future__ import annotations

from ..backend import get_xp
from .optimizer import (Optimizer, _for_blocks, _check_lr, _decayed_grad_into, _make, _real,
                        _to_scalar)

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    r"""Implements stochastic gradient descent (optionally with momentum).

    .. code-block:: text

        input: γ (lr), θ_0 (params), f(θ) (objective), λ (weight decay),
               μ (momentum), τ (dampening), nesterov, maximize
        for t = 1 to ... do
            g_t ← -∇_θ f_t(θ_{t-1})  if maximize  else  ∇_θ f_t(θ_{t-1})
            if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
            if μ ≠ 0:
                b_t ← μ b_{t-1} + (1 - τ) g_t   if t > 1  else  g_t
                g_t ← g_t + μ b_t   if nesterov  else  b_t
            θ_t ← θ_{t-1} - γ g_t
        return θ_t

    Nesterov momentum is based on the formula from
    `On the importance of initialization and momentum in deep learning`__.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups. When using named_parameters,
            all parameters in all groups should be named
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        momentum (float, optional): momentum factor (default: 0)
        dampening (float, optional): dampening for momentum (default: 0)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        nesterov (bool, optional): enables Nesterov momentum. Only applicable
            when momentum is non-zero. (default: False)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, differentiable, fused: accepted for compatibility with PyTorch; Ember always
            runs the in-place single-tensor update.

    Example:
        >>> import ember
        >>> w = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
        >>> optimizer = ember.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> optimizer.zero_grad()
        >>> (w * w).sum().backward()
        >>> optimizer.step()
        >>> w
        Parameter containing:
        tensor([0.8000, 1.6000], requires_grad=True)

    __ http://www.cs.toronto.edu/%7Ehinton/absps/momentum.pdf

    .. note::
        The implementation of SGD with Momentum/Nesterov subtly differs from
        Sutskever et al. and implementations in some other frameworks: the update is
        ``v = μ v + g; p = p - lr v``, and the momentum buffer starts at the first gradient.
    """

    _option_defaults = dict(nesterov=False, maximize=False, foreach=None, differentiable=False,
                            fused=False)

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform a single optimization step.

        Args:
            closure (Callable, optional): A closure that reevaluates the model
                and returns the loss.
        """
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            momentum = group["momentum"]
            params = self._params_with_grad(group, with_state=momentum != 0)
            if not params:
                continue
            options = dict(weight_decay=group["weight_decay"], momentum=momentum,
                           lr=_to_scalar(group["lr"]), dampening=group["dampening"],
                           nesterov=group["nesterov"], maximize=group["maximize"])
            for p, state in params:
                buf = state.get("momentum_buffer") if momentum != 0 else None
                new_buf = sgd(p._data, p._grad._data, None if buf is None else buf._data,
                              **options)
                p._bump_version()
                if momentum != 0 and buf is None:
                    state["momentum_buffer"] = _make(new_buf, False, None, 0)
        return loss


def sgd(param, grad, momentum_buffer, *, weight_decay, momentum, lr, dampening, nesterov,
        maximize):
    r"""The SGD update of one parameter, in place on backend arrays (see :class:`SGD`).

    Returns the momentum buffer (a new array on the first step when ``momentum != 0``).
    """
    xp = get_xp(param)
    need_g = weight_decay != 0 or maximize  # g_t is not the gradient itself
    arrays = [_real(param), _real(grad)]
    buf = momentum_buffer
    first = momentum != 0 and buf is None
    if first:
        buf = xp.empty(param.shape, param.dtype)
    if momentum != 0:
        arrays.append(_real(buf))

    def update(block):
        p, g, tmp = block[0], block[1], block[-1]
        if need_g:
            g = _decayed_grad_into(xp, p, g, weight_decay, maximize, block[-2])
        owned = need_g  # whether ``g`` is scratch we may overwrite
        if momentum != 0:
            b = block[2]
            if first:
                xp.copyto(b, g)
            else:
                b *= momentum
                if dampening == 0:
                    b += g
                else:
                    b += xp.multiply(g, 1 - dampening, out=tmp)
            if nesterov:
                xp.multiply(b, momentum, out=tmp)
                tmp += g
                g, owned = tmp, True
            else:
                g, owned = b, False
        if owned:
            g *= lr
        else:
            g = xp.multiply(g, lr, out=tmp)
        p -= g

    _for_blocks(xp, arrays, 2 if need_g else 1, update)
    return buf
