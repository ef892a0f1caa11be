"""Implementation for the Adam algorithm."""
from __future__ import annotations

from .._tensor import Tensor
from ..backend import get_xp
from .optimizer import (Optimizer, _check_betas, _check_fused, _check_lr, _check_nonnegative,
                        _decayed_grad_into, _for_blocks, _init_param_state, _lerp_, _real,
                        _to_scalar, _zeros_like)

__all__ = ["Adam", "adam"]


class Adam(Optimizer):
    r"""Implements Adam algorithm.

    .. code-block:: text

        input: γ (lr), β1, β2 (betas), θ_0 (params), f(θ) (objective), λ (weight decay),
               amsgrad, maximize, ε (epsilon), decoupled_weight_decay
        initialize: m_0 ← 0 (first moment), v_0 ← 0 (second moment), v_0^max ← 0
        for t = 1 to ... do
            g_t ← -∇_θ f_t(θ_{t-1})  if maximize  else  ∇_θ f_t(θ_{t-1})
            if λ ≠ 0:
                if decoupled_weight_decay:  θ_{t-1} ← θ_{t-1} - γ λ θ_{t-1}
                else:                       g_t ← g_t + λ θ_{t-1}
            m_t ← β1 m_{t-1} + (1 - β1) g_t
            v_t ← β2 v_{t-1} + (1 - β2) g_t²
            m̂_t ← m_t / (1 - β1^t)
            if amsgrad:
                v_t^max ← max(v_{t-1}^max, v_t)
                v̂_t ← v_t^max / (1 - β2^t)
            else:
                v̂_t ← v_t / (1 - β2^t)
            θ_t ← θ_{t-1} - γ m̂_t / (sqrt(v̂_t) + ε)
        return θ_t

    For further details regarding the algorithm we refer to `Adam: A Method for Stochastic
    Optimization`_.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        betas (tuple[float, float], optional): coefficients used for computing
            running averages of gradient and its square (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        decoupled_weight_decay (bool, optional): if True, this optimizer is
            equivalent to AdamW and the algorithm will not accumulate weight
            decay in the momentum nor variance. (default: False)
        amsgrad (bool, optional): whether to use the AMSGrad variant of this
            algorithm from the paper `On the Convergence of Adam and Beyond`_
            (default: False)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, capturable, differentiable, fused: accepted for compatibility with PyTorch.

    .. _Adam\: A Method for Stochastic Optimization:
        https://arxiv.org/abs/1412.6980
    .. _On the Convergence of Adam and Beyond:
        https://openreview.net/forum?id=ryQu7f-RZ
    """

    _option_defaults = dict(amsgrad=False, maximize=False, foreach=None, capturable=False,
                            differentiable=False, decoupled_weight_decay=False, fused=None)
    _scalar_state_keys = ("step",)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        _check_lr(lr)
        _check_nonnegative("epsilon", eps)
        _check_betas(betas)
        _check_nonnegative("weight_decay", weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor) and betas[i].numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)

    def step(self, closure=None):
        """Perform a single optimization step.

        Args:
            closure (Callable, optional): A closure that reevaluates the model
                and returns the loss.
        """
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params = self._params_with_grad(group)
            if not params:
                continue
            beta1, beta2 = (_to_scalar(b) for b in group["betas"])
            lr, amsgrad = _to_scalar(group["lr"]), group["amsgrad"]
            options = dict(amsgrad=amsgrad, beta1=beta1, beta2=beta2, lr=lr,
                           weight_decay=group["weight_decay"], eps=group["eps"],
                           maximize=group["maximize"],
                           decoupled_weight_decay=group["decoupled_weight_decay"])
            for p, state in params:
                if p._grad.is_sparse:
                    raise RuntimeError("Adam does not support sparse gradients, please "
                                       "consider SparseAdam instead")
                if len(state) == 0:
                    _init_param_state(state, p, ("exp_avg", "exp_avg_sq"))
                    if amsgrad:
                        state["max_exp_avg_sq"] = _zeros_like(p)
                adam(p._data, p._grad._data, state["exp_avg"]._data,
                     state["exp_avg_sq"]._data,
                     state["max_exp_avg_sq"]._data if amsgrad else None,
                     state["step"]._data, **options)
                p._bump_version()
        return loss


def adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step_t, *, amsgrad, beta1, beta2,
         lr, weight_decay, eps, maximize, decoupled_weight_decay):
    r"""The Adam update of one parameter, in place on backend arrays (see :class:`Adam`)."""
    xp = get_xp(param)
    step_t += 1
    step = float(step_t)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    bias_correction2_sqrt = bias_correction2 ** 0.5
    # step_size * m / (sqrt(v) / bc2_sqrt + eps) as (m / (sqrt(v) + eps * bc2_sqrt)) * scale
    eps_term = eps * bias_correction2_sqrt
    scale = step_size * bias_correction2_sqrt
    decay = None  # the decoupled weight decay factor
    if weight_decay != 0 and decoupled_weight_decay:
        decay, weight_decay = 1 - lr * weight_decay, 0
    need_g = weight_decay != 0 or maximize  # g_t is not the gradient itself
    arrays = [_real(param), _real(grad), _real(exp_avg), _real(exp_avg_sq)]
    if amsgrad:
        arrays.append(_real(max_exp_avg_sq))

    def update(block):
        p, g, m, v, tmp = block[0], block[1], block[2], block[3], block[-1]
        if decay is not None:
            p *= decay
        if need_g:
            g = _decayed_grad_into(xp, p, g, weight_decay, maximize, block[-2])
        _lerp_(xp, m, g, 1 - beta1, tmp)
        v *= beta2
        xp.multiply(g, 1 - beta2, out=tmp)
        tmp *= g
        v += tmp
        if amsgrad:
            mx = block[4]
            xp.maximum(mx, v, out=mx)
            xp.sqrt(mx, out=tmp)
        else:
            xp.sqrt(v, out=tmp)
        tmp += eps_term
        xp.divide(m, tmp, out=tmp)
        tmp *= scale
        p -= tmp
    _for_blocks(xp, arrays, 2 if need_g else 1, update)
