"""gradcheck / gradgradcheck: analytical Jacobians (backward) against finite differences.

The numerical Jacobian perturbs each input element in place (on the raw array, so version
counters are untouched) and takes central differences; the analytical one calls
:func:`ember.autograd.grad` with one-hot ``grad_outputs``, row by row. Jacobians are
assembled as NumPy arrays on the host: this is a debugging tool, not a hot path.
"""
from __future__ import annotations

import warnings

import numpy as np

from . import engine as _engine

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Error raised by :func:`gradcheck` and :func:`gradgradcheck`."""


def _is_tensor(x):
    return isinstance(x, _engine.Tensor)


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _differentiable_outputs(x):
    return tuple(o for o in _as_tuple(x) if _is_tensor(o) and o.requires_grad)


def _host(t):
    """A float64 NumPy copy of a tensor's values."""
    return np.array(t._host(), dtype=np.float64 if t._data.dtype.kind != "c" else None)


def _wrap(arr):
    return _engine._make(np.asarray(arr), False, None, 0)


def _check_inputs(tupled_inputs):
    found = False
    for idx, inp in enumerate(tupled_inputs):
        if _is_tensor(inp) and inp.requires_grad:
            if inp._data.dtype.name not in ("float64", "complex128"):
                warnings.warn(f"Input #{idx} requires gradient and is not a double precision "
                              "floating point or complex. This check will likely fail if all "
                              "the inputs are not of double precision floating point or "
                              "complex. ", stacklevel=3)
            if inp.is_complex():
                raise NotImplementedError("ember's gradcheck does not support complex inputs "
                                          "yet.")
            if not all(st > 0 or sz <= 1 for st, sz in zip(inp.stride(), inp.shape)):
                raise RuntimeError(
                    f"The {idx}th input has a dimension with stride 0. gradcheck only supports "
                    "inputs that are non-overlapping to be able to compute the numerical "
                    "gradients correctly. You should call .contiguous on the input before "
                    "passing it to gradcheck.")
            found = True
    if not found:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")


def _float_outputs(out):
    return [o for o in _as_tuple(out) if _is_tensor(o) and o._data.dtype.kind in "fc"]


def _eval(func, inputs):
    return [_host(o).reshape(-1) for o in _float_outputs(func(*inputs))]


def _numerical_jacobians(func, inputs, n_out, eps, direction=None):
    """jac[j][i]: d output i / d diff input j as a (numel_j, numel_i) array; with
    ``direction`` (one flat vector per diff input) the directional derivatives J_ij u_j."""
    diff = [t for t in inputs if _is_tensor(t) and t.requires_grad]
    jacs = []
    for j, inp in enumerate(diff):
        data = inp._data
        if direction is not None:
            u = direction[j].reshape(data.shape).astype(data.dtype)
            orig = data.copy()
            data[...] = orig - eps * u
            a = _eval(func, inputs)
            data[...] = orig + eps * u
            b = _eval(func, inputs)
            data[...] = orig
            jacs.append([(bi - ai) / (2 * eps) for ai, bi in zip(a, b)])
            continue
        cols = None
        for k, idx in enumerate(np.ndindex(data.shape)):
            orig = data[idx].item()
            data[idx] = orig - eps
            a = _eval(func, inputs)
            data[idx] = orig + eps
            b = _eval(func, inputs)
            data[idx] = orig
            if cols is None:
                cols = [np.zeros((data.size, ai.size)) for ai in a]
            for i in range(len(a)):
                cols[i][k] = (b[i] - a[i]) / (2 * eps)
        if cols is None:  # empty input
            cols = [np.zeros((0, o)) for o in n_out]
        jacs.append(cols)
    return jacs


def _vjp(output, diff_inputs, grad_output):
    from . import grad
    return grad(output, diff_inputs, grad_output, retain_graph=True, allow_unused=True)


def _unit(output, k):
    arr = np.zeros(output._data.size, dtype=output._data.dtype)
    if arr.size:
        arr[k] = 1
    return _wrap(arr.reshape(output._data.shape))


def _analytical_jacobian(diff_inputs, output, nondet_tol, check_grad_dtypes):
    """Rows of the Jacobian of ``output`` wrt each diff input: (numel_in, numel_out)."""
    def rows():
        jac = [np.zeros((t.numel(), output.numel())) for t in diff_inputs]
        sizes_ok = types_ok = True
        for k in range(output.numel()):
            for j, g in enumerate(_vjp(output, diff_inputs, _unit(output, k))):
                if g is None:
                    continue
                if g.shape != diff_inputs[j].shape:
                    sizes_ok = False
                    continue
                if g.dtype != diff_inputs[j].dtype:
                    types_ok = False
                jac[j][:, k] = _host(g).reshape(-1)
        return jac, sizes_ok, types_ok

    jac1, sizes_ok, types_ok = rows()
    jac2, _, _ = rows()
    if not types_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    for a, b in zip(jac1, jac2):
        if a.size and np.abs(a - b).max() > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and "
                "grad_output multiple times gives different values, although analytical "
                f"gradient matches numerical gradient.The tolerance for nondeterminism was "
                f"{nondet_tol}.")
    return jac1


def _notclose_msg(analytical, numerical, i, j):
    return (f"Jacobian mismatch for output {i:d} with respect to input {j:d},\n"
            f"numerical:{_wrap(numerical)!r}\nanalytical:{_wrap(analytical)!r}\n")


def _slow_gradcheck(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes,
                    nondet_tol):
    n_out = [o.numel() for o in _float_outputs(func_out)]
    numerical = _numerical_jacobians(func, inputs, n_out, eps)
    if not outputs:
        for per_input in numerical:
            for jac in per_input:
                if np.any(jac != 0):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    diff_idx = [k for k, o in enumerate(_float_outputs(func_out)) if o.requires_grad]
    diff_inputs = [t for t in inputs if _is_tensor(t) and t.requires_grad]
    for i, o in enumerate(outputs):
        analytical = _analytical_jacobian(diff_inputs, o, nondet_tol, check_grad_dtypes)
        for j, a in enumerate(analytical):
            n = numerical[j][diff_idx[i]]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                raise GradcheckError(_notclose_msg(a, n, i, j))
    return True


def _fast_gradcheck(func, func_out, inputs, outputs, eps, rtol, atol, check_grad_dtypes,
                    nondet_tol):
    """Compare v^T J u (analytical: a vjp dotted with u) against v^T (J u) (numerical:
    directional finite differences) for random unit vectors u and v."""
    rng = np.random.default_rng(0)  # our own generator: the user's RNG state is untouched
    diff_inputs = [t for t in inputs if _is_tensor(t) and t.requires_grad]
    us = [_unit_vec(rng, t.numel()) for t in diff_inputs]
    n_out = [o.numel() for o in _float_outputs(func_out)]
    numerical = _numerical_jacobians(func, inputs, n_out, eps, direction=us)
    if not outputs:
        for per_input in numerical:
            if any(np.any(ju != 0) for ju in per_input):
                raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    diff_idx = [k for k, o in enumerate(_float_outputs(func_out)) if o.requires_grad]
    for i, o in enumerate(outputs):
        v = _unit_vec(rng, o.numel())
        v_t = _wrap(v.reshape(o._data.shape).astype(o._data.dtype))
        vjps = [_vjp(o, diff_inputs, v_t) for _ in range(2)]
        for j, u in enumerate(us):
            got = [0.0 if g[j] is None else float(_host(g[j]).reshape(-1) @ u) for g in vjps]
            if abs(got[0] - got[1]) > nondet_tol:
                raise GradcheckError("Backward is not reentrant, i.e., running backward with "
                                     "same input and grad_output multiple times gives "
                                     "different values, although analytical gradient matches "
                                     "numerical gradient.The tolerance for nondeterminism "
                                     f"was {nondet_tol}.")
            n = float(v @ numerical[j][diff_idx[i]])
            if not np.isclose(got[0], n, rtol=rtol, atol=atol * u.sum() * v.sum()):
                try:  # a full Jacobian makes a better message
                    _slow_gradcheck(func, func_out, inputs, outputs, eps, rtol, atol,
                                    check_grad_dtypes, nondet_tol)
                    extra = ("\nFast gradcheck failed but element-wise differences are small. "
                             "This means that the test might've passed in slow_mode!")
                except GradcheckError as e:
                    extra = "\n" + str(e)
                raise GradcheckError(_notclose_msg(np.array(got[0]), np.array(n), i, j) + extra)
    return True


def _unit_vec(rng, n):
    u = rng.random(n)
    norm = np.linalg.norm(u)
    return u / norm if norm else u


def _test_backward_mul_by_grad_output(outputs, inputs):
    from . import grad
    diff_inputs = [t for t in inputs if _is_tensor(t) and t.requires_grad]
    zeros = [_wrap(np.zeros(o.shape, o._data.dtype)) for o in outputs]
    grads = grad(outputs, diff_inputs, zeros, allow_unused=True)
    for gi, di in zip(grads, diff_inputs):
        if gi is None:
            continue
        if np.any(gi._host() != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if gi.dtype != di.dtype:
            raise GradcheckError("grad is incorrect type")
        if gi.device != di.device:
            raise GradcheckError("grad is incorrect device")
        if gi.shape != di.shape:
            raise GradcheckError("grad is incorrect size")
    return True


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked=None) -> bool:
    r"""Check gradients computed via small finite differences against analytical
    gradients wrt tensors in :attr:`inputs` that are of floating point type and with
    ``requires_grad=True``.

    The check between numerical and analytical gradients uses :func:`~ember.allclose`'s
    rule: ``|analytical - numerical| <= atol + rtol * |numerical|``.

    .. note::
        The default values are designed for :attr:`input` of double precision.
        This check will likely fail if :attr:`input` is of less precision, e.g.,
        ``FloatTensor``.

    Args:
        func (function): a Python function that takes Tensor inputs and returns
            a Tensor or a tuple of Tensors
        inputs (tuple of Tensor or Tensor): inputs to the function
        eps (float, optional): perturbation for finite differences
        atol (float, optional): absolute tolerance
        rtol (float, optional): relative tolerance
        raise_exception (bool, optional): indicating whether to raise an exception if
            the check fails. The exception gives more information about the
            exact nature of the failure. This is helpful when debugging gradchecks.
        nondet_tol (float, optional): tolerance for non-determinism. When running
            identical inputs through the differentiation, the results must either match
            exactly (default, 0.0) or be within this tolerance.
        check_undefined_grad (bool, optional): accepted for compatibility; ember has no
            undefined gradients, so a zero ``grad_output`` is checked instead.
        check_grad_dtypes (bool, optional): check that the gradients have the inputs' dtypes.
        check_batched_grad (bool, optional): accepted for compatibility (ember has no vmap).
        check_forward_ad (bool, optional): ember has no forward-mode AD: must be ``False``.
        check_backward_ad (bool, optional): if ``False``, do not perform any checks that rely
            on backward mode AD to be implemented. Defaults to ``True``.
        fast_mode (bool, optional): if ``True``, compare ``v^T J u`` for random vectors
            instead of the whole Jacobian.

    Returns:
        ``True`` if all differences satisfy allclose condition

    Example:
        >>> import ember
        >>> x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
        >>> ember.autograd.gradcheck(lambda t: (t * t).exp(), (x,))
        True
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad "
                             "to be True")
    if check_forward_ad:
        raise NotImplementedError("ember has no forward-mode AD: gradcheck(check_forward_ad="
                                  "True) is not supported.")
    try:
        tupled_inputs = _as_tuple(inputs)
        _check_inputs(tupled_inputs)
        func_out = func(*tupled_inputs)
        outputs = _differentiable_outputs(func_out)
        check = _fast_gradcheck if fast_mode else _slow_gradcheck
        check(func, func_out, tupled_inputs, outputs, eps, rtol, atol, check_grad_dtypes,
              nondet_tol)
        if outputs:
            _test_backward_mul_by_grad_output(outputs, tupled_inputs)
        return True
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    r"""Check gradients of gradients computed via small finite differences
    against analytical gradients wrt tensors in :attr:`inputs` and
    :attr:`grad_outputs` that are of floating point type and with
    ``requires_grad=True``.

    This function checks that backpropagating through the gradients computed
    to the given :attr:`grad_outputs` are correct.

    Args:
        func (function): a Python function that takes Tensor inputs and returns
            a Tensor or a tuple of Tensors
        inputs (tuple of Tensor or Tensor): inputs to the function
        grad_outputs (tuple of Tensor or Tensor, optional): The gradients with
            respect to the function's outputs (random in ``[-1, 1)`` when omitted).
        eps (float, optional): perturbation for finite differences
        atol (float, optional): absolute tolerance
        rtol (float, optional): relative tolerance
        gen_non_contig_grad_outputs (bool, optional): if :attr:`grad_outputs` is
            ``None`` and :attr:`gen_non_contig_grad_outputs` is ``True``, the
            randomly generated gradient outputs are made to be noncontiguous
        raise_exception (bool, optional): indicating whether to raise an exception if
            the check fails.
        nondet_tol (float, optional): tolerance for non-determinism.
        fast_mode (bool, optional): if True, run a faster implementation of gradgradcheck that
            no longer computes the entire jacobian.

    Returns:
        True if all differences satisfy allclose condition

    Example:
        >>> import ember
        >>> x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
        >>> ember.autograd.gradgradcheck(lambda t: (t * t * t).sum(), (x,))
        True
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or "
                             "check_rev_over_rev to be True")
    tupled_inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outs = _differentiable_outputs(func(*tupled_inputs))
        made = []
        for o in outs:
            dtype = o._data.dtype if o._data.dtype.kind in "fc" else np.float64
            vals = rng.uniform(-1, 1, o.shape).astype(dtype)
            if gen_non_contig_grad_outputs and vals.ndim:
                holder = np.empty(vals.shape + (2,), dtype)
                holder[..., 0] = vals
                vals = holder[..., 0]
            t = _engine._make(vals, False, None, 0)
            made.append(t.requires_grad_())
        tupled_grad_outputs = tuple(made)
    else:
        tupled_grad_outputs = _as_tuple(grad_outputs)
    num_outputs = len(tupled_grad_outputs)
    diff_in = {i for i, x in enumerate(tupled_inputs) if _is_tensor(x) and x.requires_grad}
    diff_go = {i for i, x in enumerate(tupled_grad_outputs) if x.requires_grad}

    def new_func(*args):
        from . import grad
        input_args = tuple(x.requires_grad_() if i in diff_in else x
                           for i, x in enumerate(args[:-num_outputs]))
        outputs = _differentiable_outputs(func(*input_args))
        grad_outs = tuple(x.requires_grad_() if i in diff_go else x
                          for i, x in enumerate(args[-num_outputs:]))
        diff_args = tuple(x for i, x in enumerate(input_args) if i in diff_in)
        grad_inputs = grad(outputs, diff_args, grad_outs, create_graph=True, allow_unused=True)
        return tuple(g for g in grad_inputs if g is not None)

    return gradcheck(new_func, tupled_inputs + tupled_grad_outputs, eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
                     fast_mode=fast_mode, check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, masked=masked)

