"""Implementation for the Resilient backpropagation."""
from __future__ import annotations

from ..backend import get_xp
from .optimizer import Optimizer, _check_lr, _full_like, _init_param_state, _real, _to_scalar

__all__ = ["Rprop", "rprop"]


class Rprop(Optimizer):
    r"""Implements the resilient backpropagation algorithm.

    .. code-block:: text

        input: θ_0 (params), f(θ) (objective), η_{+/-} (etaplus, etaminus),
               Γ_{max/min} (step sizes), η (lr), maximize
        initialize: g_prev^0 ← 0, η_0 ← lr (learning rate)
        for t = 1 to ... do
            g_t ← -∇_θ f_t(θ_{t-1})  if maximize  else  ∇_θ f_t(θ_{t-1})
            for i = 0, 1, ..., d - 1 do
                if g^i_prev g^i_t > 0:  η^i_t ← min(η^i_{t-1} η_+, Γ_max)
                elif g^i_prev g^i_t < 0:
                    η^i_t ← max(η^i_{t-1} η_-, Γ_min)
                    g^i_t ← 0
                else:  η^i_t ← η^i_{t-1}
            θ_t ← θ_{t-1} - η_t sign(g_t)
            g_prev ← g_t
        return θ_t

    For further details regarding the algorithm we refer to the paper
    `A Direct Adaptive Method for Faster Backpropagation Learning: The RPROP Algorithm
    <http://citeseerx.ist.psu.edu/viewdoc/summary?doi=10.1.1.21.1417>`_.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, optional): learning rate (default: 1e-2)
        etas (Tuple[float, float], optional): pair of (etaminus, etaplus), that
            are multiplicative increase and decrease factors
            (default: (0.5, 1.2))
        step_sizes (Tuple[float, float], optional): a pair of minimal and
            maximal allowed step sizes (default: (1e-6, 50))
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        capturable, foreach, differentiable: accepted for compatibility with PyTorch.
    """

    _option_defaults = dict(foreach=None, maximize=False, differentiable=False,
                            capturable=False)
    _scalar_state_keys = ("step",)

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
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
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            for p, state in self._params_with_grad(group, "Rprop"):
                if len(state) == 0:
                    lr = _to_scalar(group["lr"])
                    _init_param_state(state, p, ("prev",))
                    state["step_size"] = _full_like(
                        p, complex(lr, lr) if p.is_complex() else lr)
                rprop(p._data, p._grad._data, state["prev"]._data, state["step_size"]._data,
                      state["step"]._data, step_size_min=step_size_min,
                      step_size_max=step_size_max, etaminus=etaminus, etaplus=etaplus,
                      maximize=group["maximize"])
                p._bump_version()
        return loss


def rprop(param, grad, prev, step_size, step_t, *, step_size_min, step_size_max, etaminus,
          etaplus, maximize):
    r"""The Rprop update of one parameter, in place on backend arrays (see :class:`Rprop`)."""
    xp = get_xp(param)
    param, grad, prev, step_size = _real(param), _real(grad), _real(prev), _real(step_size)
    step_t += 1
    g = xp.negative(grad) if maximize else grad
    sign = xp.multiply(g, prev)
    xp.sign(sign, out=sign)
    negative = sign < 0
    factor = xp.where(sign > 0, etaplus, xp.where(negative, etaminus, 1)).astype(
        sign.dtype, copy=False)
    step_size *= factor
    xp.clip(step_size, step_size_min, step_size_max, out=step_size)
    g = xp.where(negative, 0, g).astype(g.dtype, copy=False)
    xp.sign(g, out=sign)
    sign *= step_size
    param -= sign
    prev[...] = g
