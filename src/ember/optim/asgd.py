"""Implementation for the Averaged Stochastic Gradient Descent."""
from __future__ import annotations

from .. import dtypes as _dt
from ..backend import get_xp
from .optimizer import (Optimizer, _check_lr, _check_nonnegative, _decayed_grad,
                        _init_param_state, _real, _to_scalar)

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    r"""Implements Averaged Stochastic Gradient Descent.

    .. code-block:: text

        input: γ (lr), θ_0 (params), f(θ) (objective), λ (lambd), α (alpha: eta power),
               t_0 (point at which to start averaging), w (weight decay), maximize
        initialize: η_0 ← γ, μ_0 ← 1, ax_0 ← 0
        for t = 1 to ... do
            g_t ← -∇_θ f_t(θ_{t-1})  if maximize  else  ∇_θ f_t(θ_{t-1})
            if w ≠ 0:  g_t ← g_t + w θ_{t-1}
            θ_t ← θ_{t-1} (1 - λ η_{t-1}) - η_{t-1} g_t
            ax_t ← ax_{t-1} + μ_{t-1} (θ_t - ax_{t-1})  if μ_{t-1} ≠ 1  else  θ_t
            η_t ← γ / (1 + λ γ t)^α
            μ_t ← 1 / max(1, t - t_0)
        return θ_t

    It has been proposed in `Acceleration of stochastic approximation by averaging`_.
    ``eta`` and ``mu`` are kept as float32 0-d tensors, as in PyTorch.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-2)
        lambd (float, optional): decay term (default: 1e-4)
        alpha (float, optional): power for eta update (default: 0.75)
        t0 (float, optional): point at which to start averaging (default: 1e6)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, differentiable, capturable: accepted for compatibility with PyTorch.

    .. _Acceleration of stochastic approximation by averaging:
        https://doi.org/10.1137/0330046
    """

    _option_defaults = dict(foreach=None, maximize=False, differentiable=False,
                            capturable=False)
    _scalar_state_keys = ("step", "eta", "mu")

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonnegative("weight_decay", weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
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
            for p, state in self._params_with_grad(group, "ASGD"):
                if len(state) == 0:
                    _init_param_state(state, p, ("ax",), eta=lr, mu=1.0)
                asgd(p._data, p._grad._data, state["ax"]._data, state["mu"]._data,
                     state["eta"]._data, state["step"]._data, lambd=group["lambd"], lr=lr,
                     t0=group["t0"], alpha=group["alpha"], weight_decay=group["weight_decay"],
                     maximize=group["maximize"])
                p._bump_version()
        return loss


def asgd(param, grad, ax, mu, eta, step_t, *, lambd, lr, t0, alpha, weight_decay, maximize):
    r"""The ASGD update of one parameter, in place on backend arrays (see :class:`ASGD`).

    ``mu``, ``eta`` and ``step_t`` are 0-d state arrays, updated in place.
    """
    xp = get_xp(param)
    param, grad, ax = _real(param), _real(grad), _real(ax)
    step_t += 1
    g = _decayed_grad(xp, param, grad, weight_decay, maximize)
    eta_value = float(eta)
    param *= 1 - lambd * eta_value
    param -= eta_value * g
    mu_value = float(mu)
    if mu_value != 1:
        tmp = xp.subtract(param, ax)
        tmp *= mu_value
        ax += tmp
    else:
        ax[...] = param
    step = float(step_t)
    # torch goes through ``torch.as_tensor(python_float)``: a default-dtype value
    default = _dt.default_float_np()
    eta[...] = xp.asarray(lr / ((1 + lambd * lr * step) ** alpha), dtype=default)
    mu[...] = xp.asarray(1 / max(1, step - t0), dtype=default)
