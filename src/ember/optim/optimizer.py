"""Base optimizer: parameter groups, state, hooks and checkpoints in torch's structure.

Each optimizer subclass validates its options and runs one per-parameter update function that
works in place on backend arrays (``p._data`` and ``p._grad._data``), so a step builds no
autograd graph. State tensors (``exp_avg``, ``step``, ...) are :class:`ember.Tensor` s laid out
exactly as in ``torch.optim`` so that ``state_dict()`` checkpoints round-trip with PyTorch.
SGD and Adam(W) run their update over large parameters block by block (:func:`_blocks`), with
preallocated scratch, so that its several NumPy passes find the data in cache.
"""
from __future__ import annotations

import functools
import threading
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy
from itertools import chain

from .. import dtypes as _dt
from .._tensor import Tensor, _make
from ..autograd.grad_mode import enable_grad
from ..backend import get_xp
from ..backend import threads as _threads

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]

_global_optimizer_pre_hooks: OrderedDict = OrderedDict()
_global_optimizer_post_hooks: OrderedDict = OrderedDict()


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class RemovableHandle:
    """A handle which provides the capability to remove a hook (``torch.utils.hooks``)."""

    next_id = 0

    def __init__(self, hooks_dict):
        self.hooks_dict = hooks_dict
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1

    def remove(self) -> None:
        self.hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def _add_hook(hooks_dict, hook, prepend=False):
    handle = RemovableHandle(hooks_dict)
    hooks_dict[handle.id] = hook
    if prepend:
        hooks_dict.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    r"""Register a pre hook common to all optimizers.

    The hook should have the following signature::

        hook(optimizer, args, kwargs) -> None or modified args and kwargs
    """
    return _add_hook(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    r"""Register a post hook common to all optimizers.

    The hook should have the following signature::

        hook(optimizer, args, kwargs) -> None
    """
    return _add_hook(_global_optimizer_post_hooks, hook)


# ---------------------------------------------------------------- helpers for update functions
def _get_scalar_dtype():
    """The dtype of scalar state such as ``step`` (float64 iff that is the default dtype)."""
    return _dt.float64 if _dt.get_default_dtype() == _dt.float64 else _dt.float32


def _scalar_state(value):
    """A 0-d CPU state tensor such as ``state['step']`` (``torch.tensor(value, dtype=...)``)."""
    from ..ops.creation import tensor
    return tensor(float(value), dtype=_get_scalar_dtype())


def _zeros_like(p):
    return _make(get_xp(p._data).zeros_like(p._data), False, None, 0)


def _init_param_state(state, p, zeros, **scalars):
    """Fill the empty per-parameter ``state`` of ``p`` in torch's key order: ``step`` (0),
    then the 0-d ``scalars`` (name=value), then a zero tensor like ``p`` for each name in
    ``zeros``. Callers test ``len(state) == 0`` themselves, so later steps make no call."""
    state["step"] = _scalar_state(0.0)
    for name, value in scalars.items():
        state[name] = _scalar_state(value)
    for name in zeros:
        state[name] = _zeros_like(p)


def _full_like(p, value):
    return _make(get_xp(p._data).full_like(p._data, value), False, None, 0)


def _to_scalar(x):
    """A hyperparameter as a Python number (a 1-element Tensor is read out)."""
    return x.item() if isinstance(x, Tensor) else x


def _get_value(x):
    return x.item() if isinstance(x, Tensor) else x


def _real(a):
    """A view of ``a`` for the update functions: 0-d arrays become 1-element arrays (so that
    NumPy returns arrays, not scalars) and complex arrays are viewed as real (as
    ``torch.view_as_real`` does)."""
    if a.ndim == 0:
        a = a.reshape(1)
    if a.dtype.kind == "c":
        return a.view(a.real.dtype)
    return a


def _check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= _to_scalar(lr):
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_betas(betas):
    if not 0.0 <= _to_scalar(betas[0]) < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= _to_scalar(betas[1]) < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def _check_nonnegative(name, value):
    """torch's ``Invalid <name> value`` error unless ``0 <= value`` (so NaN is refused too)."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {name} value: {value}")


def _check_fused(fused, differentiable, foreach):
    """torch's errors for the option combinations that ``fused=True`` excludes."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _lerp_(xp, start, end, weight, tmp):
    """``start.lerp_(end, weight)`` in place, with torch's two formulas; ``tmp`` is scratch."""
    xp.subtract(end, start, out=tmp)
    if abs(weight) < 0.5:
        tmp *= weight
        start += tmp
    else:
        tmp *= weight - 1
        xp.add(end, tmp, out=start)


def _decayed_grad(xp, param, g, weight_decay, maximize):
    """``(-g if maximize else g) + weight_decay * param`` as a new array (or ``g`` itself)."""
    if weight_decay != 0:
        t = xp.multiply(param, weight_decay)
        if maximize:
            t -= g
        else:
            t += g
        return t
    return xp.negative(g) if maximize else g


def _decayed_grad_into(xp, param, g, weight_decay, maximize, out):
    """:func:`_decayed_grad` written into the scratch array ``out`` (or ``g`` itself)."""
    if weight_decay != 0:
        xp.multiply(param, weight_decay, out=out)
        if maximize:
            out -= g
        else:
            out += g
        return out
    return xp.negative(g, out=out) if maximize else g


# Updates run block by block over the flattened arrays: the several passes of an update
# (Adam makes 12) then work on data still in the core's L2 cache instead of streaming every
# whole array through memory once per pass. A block of all the arrays of an update (scratch
# included) spans about this many bytes.
_WORKING_SET_BYTES = 1 << 20  # 1 MiB, about L2 (1-2 MiB a core on current x86)
_scratch_cache = threading.local()  # (array type, dtype, device) -> 2 scratch arrays


def _scratch(first, n_scratch, size):
    """``n_scratch`` scratch arrays of ``size`` elements of ``first``'s dtype, for the blocks
    of large arrays (small ones get fresh ``empty_like`` scratch, which costs less).

    Cached per thread (an update never runs inside another one) and outside ``state``, whose
    structure is torch's; every update overwrites them."""
    cache = _scratch_cache.__dict__
    key = (type(first), first.dtype, getattr(first, "device", None))
    arrays = cache.get(key)
    if arrays is None or arrays[0].size < size:
        xp = get_xp(first)
        arrays = cache[key] = (xp.empty(size, first.dtype), xp.empty(size, first.dtype))
    return [a[:size] for a in arrays[:n_scratch]]


def _blocks(xp, arrays, n_scratch=1):
    """Matching blocks of the same-shape ``arrays`` (a list, extended in place): blocks, each a
    list of views followed by ``n_scratch`` (1 or 2) scratch arrays of the block's shape, in
    the first array's dtype. Small arrays, and large ones not all C-contiguous, come back whole
    in one block."""
    first = arrays[0]
    block_bytes = _WORKING_SET_BYTES // (len(arrays) + n_scratch)
    if first.nbytes <= block_bytes or not all(a.flags.c_contiguous for a in arrays):
        arrays.append(xp.empty_like(first))
        if n_scratch == 2:
            arrays.append(xp.empty_like(first))
        return (arrays,)
    n = first.size
    size = max(1, block_bytes // first.itemsize)
    flat = [a.reshape(-1) for a in arrays]
    scratch = _scratch(first, n_scratch, size)
    return [[*(a[i:i + size] for a in flat), *(s[:n - i] for s in scratch)]
            for i in range(0, n, size)]


_PARALLEL_ELEMENTS = 1 << 18  # updates of arrays this large are shared by the intra-op threads


def _for_blocks(xp, arrays, n_scratch, body):
    """``body(block)`` for each block of :func:`_blocks`. The blocks of a large array are
    shared by the intra-op threads (``ember.set_num_threads``), each with its own scratch:
    an update is a chain of memory-bound ufuncs, which NumPy runs without the GIL."""
    first = arrays[0]
    if (first.size < _PARALLEL_ELEMENTS or _threads.get_num_threads() < 2
            or first.__class__.__module__ != "numpy"
            or not all(a.flags.c_contiguous for a in arrays)):
        for block in _blocks(xp, arrays, n_scratch):
            body(block)
        return
    # blocks twice as large as on one thread: each block's dozen ufunc calls take the GIL in
    # turn, and on 1 MiB blocks the threads wait on it as long as they compute (measured:
    # Adam on a 1.2M-element weight 2.5 ms on one thread, 2.5 / 1.7 ms on two with 1 / 2 MiB)
    size = max(1, 2 * _WORKING_SET_BYTES // (len(arrays) + n_scratch) // first.itemsize)
    flat = [a.reshape(-1) for a in arrays]

    def run(slot, chunks):
        scratch = _scratch(first, n_scratch, size)  # per thread
        for c0, c1 in chunks:
            body([*(a[c0:c1] for a in flat), *(s[:c1 - c0] for s in scratch)])
    _threads.parallel(first.size, size, run, float("inf"), blas=False)


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in (None, "builtins") else f"{module}.{name}"


def _hooked(func):
    """Run the global and per-optimizer step pre/post hooks around ``step``."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        self = args[0]
        for pre_hook in chain(_global_optimizer_pre_hooks.values(),
                              self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{func} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
        out = func(*args, **kwargs)
        for post_hook in chain(self._optimizer_step_post_hooks.values(),
                               _global_optimizer_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


class Optimizer:
    r"""Base class for all optimizers.

    .. warning::
        Parameters need to be specified as collections that have a deterministic
        ordering that is consistent between runs. Examples of objects that don't
        satisfy those properties are sets and iterators over values of dictionaries.

    Args:
        params (iterable): an iterable of :class:`ember.Tensor` s or
            :class:`dict` s. Specifies what Tensors should be optimized.
        defaults: (dict): a dict containing default values of optimization
            options (used when a parameter group doesn't specify them).
    """

    # What ``__setstate__`` (unpickling, ``load_state_dict``) fills in for checkpoints of older
    # versions: the group options they may lack, with their defaults, added in this order (it
    # is the order of the keys in ``state_dict()``), and the per-parameter state entries that
    # are 0-d tensors now but may be plain numbers there.
    _option_defaults: dict = {}
    _scalar_state_keys: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _hooked(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()

        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))

        self.state = defaultdict(dict)
        self.param_groups = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]

        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        # only where a subclass declares something: torch's base class leaves the groups alone
        if self._option_defaults or self._scalar_state_keys:
            for group in self.param_groups:
                for name, default in self._option_defaults.items():
                    group.setdefault(name, default)
                for p in group["params"]:
                    p_state = self.state.get(p)
                    if p_state:
                        for key in self._scalar_state_keys:
                            if not isinstance(p_state[key], Tensor):
                                p_state[key] = _scalar_state(float(p_state[key]))

    def __repr__(self):
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        format_string += ")"
        return format_string

    # ------------------------------------------------------------------ hooks
    def register_step_pre_hook(self, hook):
        r"""Register an optimizer step pre hook which will be called before optimizer step.

        It should have the following signature::

            hook(optimizer, args, kwargs) -> None or modified args and kwargs

        Returns a handle that can be used to remove the added hook by calling
        ``handle.remove()``.
        """
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        r"""Register an optimizer step post hook which will be called after optimizer step.

        It should have the following signature::

            hook(optimizer, args, kwargs) -> None
        """
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        r"""Register a state dict pre-hook ``hook(optimizer) -> None``."""
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        r"""Register a state dict post-hook ``hook(optimizer, state_dict) -> state_dict or
        None``."""
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        r"""Register a load_state_dict pre-hook ``hook(optimizer, state_dict) -> state_dict or
        None``."""
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        r"""Register a load_state_dict post-hook ``hook(optimizer) -> None``."""
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self):
        r"""Return the state of the optimizer as a :class:`dict`.

        It contains two entries:

        * ``state``: a Dict holding current optimization state. Its content
            differs between optimizer classes, but some common characteristics
            hold. For example, state is saved per parameter, and the parameter
            itself is NOT saved. ``state`` is a Dictionary mapping parameter ids
            to a Dict with state corresponding to each parameter.
        * ``param_groups``: a List containing all parameter groups where each
            parameter group is a Dict. Each parameter group contains metadata
            specific to the optimizer, such as learning rate and weight decay,
            as well as a List of parameter IDs of the parameters in the group.
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)

        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            hook_result = post_hook(self, state_dict)
            if hook_result is not None:
                state_dict = hook_result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups,
                                                 key=None):
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                return value.to(dtype=_dt.float32, device=param.device)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)

    def load_state_dict(self, state_dict):
        r"""Load the optimizer state.

        Args:
            state_dict (dict): optimizer state. Should be an object returned
                from a call to :meth:`state_dict`.
        """
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            hook_result = pre_hook(self, state_dict)
            if hook_result is not None:
                state_dict = hook_result

        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])

        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        param_lens = (len(g["params"]) for g in groups)
        saved_lens = (len(g["params"]) for g in saved_groups)
        if any(p_len != s_len for p_len, s_len in zip(param_lens, saved_lens)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")

        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def _cast(param, value, param_id=None, param_groups=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, param_groups, key)
            if isinstance(value, dict):
                return {k: _cast(param, v, param_id=param_id, param_groups=param_groups, key=k)
                        for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
                return type(value)(_cast(param, v, param_id=param_id, param_groups=param_groups)
                                   for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v, param_id=k,
                                     param_groups=state_dict["param_groups"])
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})

        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # ------------------------------------------------------------------ the loop
    def zero_grad(self, set_to_none: bool = True) -> None:
        r"""Reset the gradients of all optimized :class:`ember.Tensor` s.

        Args:
            set_to_none (bool, optional): Instead of setting to zero, set the grads to None.
                Default: ``True``
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is not None:
                    if set_to_none:
                        p._grad = None
                    else:
                        if g.grad_fn is not None:
                            g.detach_()
                        else:
                            g._requires_grad = False
                        g._data.fill(0)
                        g._bump_version()

    def step(self, closure=None):
        r"""Perform a single optimization step to update parameter.

        Args:
            closure (Callable): A closure that reevaluates the model and
                returns the loss. Optional for most optimizers.
        """
        raise NotImplementedError

    @staticmethod
    def _eval_closure(closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _params_with_grad(self, group, name=None, with_state=True):
        """``(param, state)`` for each param of ``group`` that has a gradient (``state`` is
        None when ``with_state`` is false, so that no state entry is created)."""
        out = []
        state = self.state
        for p in group["params"]:
            if p._grad is not None:
                if name is not None and p._grad.is_sparse:
                    raise RuntimeError(f"{name} does not support sparse gradients")
                out.append((p, state[p] if with_state else None))
        return out

    def add_param_group(self, param_group):
        r"""Add a param group to the :class:`Optimizer` s `param_groups`.

        This can be useful when fine tuning a pre-trained network as frozen layers can be made
        trainable and added to the :class:`Optimizer` as training progresses.

        Args:
            param_group (dict): Specifies what Tensors should be optimized along with group
                specific optimization options.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")

        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)

        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)

        param_set = set()
        for group in self.param_groups:
            param_set.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                current_group_txt = ("with names" if "param_names" in param_group
                                     else "without names")
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current_group_txt} to the optimizer")

        if not param_set.isdisjoint(id(p) for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")

        self.param_groups.append(param_group)
