"""Function: the one way to declare an op with its gradient, built-in or user-defined.

Built-in primitives (``ember.ops``) set ``_arrays = True``: their ``forward`` receives backend
arrays (non-tensor arguments pass through unchanged) and returns arrays, and their
``backward`` is written once, duck-typed over arrays and Tensors: it receives raw arrays
(``ctx.xp`` is numpy/cupy) for an ordinary backward and Tensors (``ctx.xp`` is the ``ember``
namespace) under ``create_graph=True``, which gives double backward for free.

User subclasses (``_arrays = False``, torch's contract) receive Tensors in both methods.

An instance of the Function is both the ``ctx`` of forward/backward and the graph node
(``grad_fn``): it holds the edges to its inputs' nodes, never its outputs (no cycles).
"""
from __future__ import annotations

import functools
import itertools

from ..backend import get_xp as _xp_of
from ..backend.cpu import ndarray as _ndarray
from ..backend.cpu import xp as _cpu_xp
from .grad_mode import _state

__all__ = ["Function", "FunctionCtx", "once_differentiable", "NodeBase"]

Tensor = None  # set by ember._tensor to break the import cycle
_make = None
_FREED = object()
_np_generic = _cpu_xp.generic
_np_asarray = _cpu_xp.asarray


class NodeBase:
    """What the engine needs of a graph node: ``_edges`` and ``_backward``."""

    _edges = ()
    _saved = None
    _saved_meta = ()
    _n_outputs = 1
    _out_meta = None
    _pre_hooks = None      # {output_nr: [hook]} tensor hooks of non-leaf outputs
    _hooks = None          # node hooks: hook(grad_inputs, grad_outputs)
    _node_pre_hooks = None
    _graph = False          # True while running under create_graph
    _trace = None           # forward traceback under detect_anomaly
    _materialize = True
    _fast = False           # built-in single-output node without hooks: the engine's fast path
    # creation order: a node is always created after the nodes it reads, which lets the
    # engine run nodes newest-first without counting dependencies (see engine.backward_from)
    _seq = 0

    def name(self):
        name = type(self).__name__
        if "Backward" in name:
            return name
        # torch names built-in nodes FooBackward0 and custom Functions FooBackward
        return name + ("Backward0" if self._arrays else "Backward")

    @property
    def next_functions(self):
        edges = list(self._edges)
        # trailing non-tensor options (dims, flags) are not inputs in torch's sense
        while len(edges) > 1 and edges[-1] is None:
            edges.pop()
        out = []
        for e in edges:
            if e is None:
                out.append((None, 0))
            elif isinstance(e[0], NodeBase):
                out.append((e[0], e[1]))
            else:
                out.append((AccumulateGrad(e[0]), 0))
        return tuple(out)

    @property
    def metadata(self):
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata

    def register_hook(self, hook):
        """Register ``hook(grad_inputs, grad_outputs)`` called after this node's backward."""
        if self._hooks is None:
            self._hooks = []
        self._fast = False
        self._hooks.append(hook)
        return _RemovableHandle(self._hooks, hook)

    def register_prehook(self, hook):
        """Register ``hook(grad_outputs)`` called before this node's backward."""
        if self._node_pre_hooks is None:
            self._node_pre_hooks = []
        self._fast = False
        self._node_pre_hooks.append(hook)
        return _RemovableHandle(self._node_pre_hooks, hook)

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    def __call__(self, *grads):
        return self._backward(grads)

    def _xp_zeros(self, shape, dtype):
        return self.xp.zeros(shape, dtype)


class AccumulateGrad:
    """The ``next_functions`` entry for a leaf (built on demand; the engine uses the leaf)."""

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"

    def __eq__(self, other):
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self):
        return id(self.variable)


class _RemovableHandle:
    def __init__(self, container, item, key=None):
        self.container, self.item, self.key = container, item, key

    def remove(self):
        c = self.container
        if self.key is not None:
            c = c.get(self.key, [])
        if self.item in c:
            c.remove(self.item)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class FunctionCtx:
    """The methods forward and backward use on ``ctx``."""

    _to_save = ()
    _non_diff = None
    _dirty = None

    def save_for_backward(self, *tensors):
        """Save arrays (built-in ops) or tensors (custom Functions) for backward."""
        if self._edges:
            self._to_save = tensors

    def mark_non_differentiable(self, *outputs):
        self._non_diff = {id(o) for o in outputs}

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value: bool):
        self._materialize = bool(value)

    @property
    def saved_tensors(self):
        """What forward saved: arrays in an ordinary built-in backward, Tensors under
        create_graph and in custom Functions. Raises if one was modified in place since."""
        saved = self._saved
        if saved is None:
            return ()
        if saved is _FREED:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward.")
        for idx, owner, box, version, out_nr in self._saved_meta:
            if owner is not None:
                box = owner._vbox
            if box is not None and box[0] != version:
                self._raise_modified(saved[idx], box[0], version, out_nr)
        if not self._graph and self._arrays:
            return saved
        out = [None if a is None else _make(a, False, None, 0) for a in saved]
        for idx, owner, box, version, out_nr in self._saved_meta:
            if owner is not None:
                out[idx] = owner
            elif out_nr >= 0:
                out[idx] = _make(saved[idx], True, self, out_nr)
        return tuple(out)

    saved_variables = saved_tensors

    def _raise_modified(self, arr, now, then, out_nr):
        kind = "output" if out_nr >= 0 else "input"
        shape = "[" + ", ".join(str(s) for s in arr.shape) + "]"
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{arr.dtype} {shape}], which is {kind} of {self.name()}, "
            f"is at version {now}; expected version {then} instead. Hint: enable anomaly "
            "detection to find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True).")

    @property
    def needs_input_grad(self):
        e = self._edges
        if len(e) == 2:  # binary ops: spelled out, a third of the comprehension's cost
            return (e[0] is not None, e[1] is not None)
        return tuple([x is not None for x in e])

    @property
    def create_graph(self):
        return self._graph


class Function(FunctionCtx, NodeBase):
    """Base class for differentiable operations.

    Subclass it and implement ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` as
    static methods, then call ``MyFunction.apply(*args)``::

        >>> class Exp(Function):
        ...     @staticmethod
        ...     def forward(ctx, i):
        ...         result = i.exp()
        ...         ctx.save_for_backward(result)
        ...         return result
        ...     @staticmethod
        ...     def backward(ctx, grad_output):
        ...         result, = ctx.saved_tensors
        ...         return grad_output * result
    """

    _arrays = False   # built-in primitives: forward and backward on backend arrays
    # The namespace forward/backward compute with: the CPU backend by default, the array's
    # own backend for other devices, the ``ember`` namespace (recording a graph) while the
    # engine runs this node under ``create_graph``.
    xp = _cpu_xp

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the op on ``args`` and record it in the graph when grad mode is on."""
        return _apply_tensors(cls, args, kwargs)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_arrays"):
            cls.apply = classmethod(_apply_arrays)
            cls._fast = True

    def _backward(self, grads):
        return type(self).backward(self, *grads)


def _apply_arrays(cls, *args, **kwargs):
    """The hot path of every built-in op (kept flat: each line here is paid on every op)."""
    if not _state.enabled:  # no_grad / inference_mode: unwrap, run, wrap
        datas = [a._data if isinstance(a, Tensor) else a for a in args]
        ctx = _new(cls)
        for d in datas:
            if d.__class__ is not _ndarray and hasattr(d, "__cuda_array_interface__"):
                ctx.xp = _xp_of(d)
        return _wrap_untracked(cls.forward(ctx, *datas, **kwargs))
    datas = list(args)
    edges = None
    xp = None
    i = 0
    for a in args:
        if isinstance(a, Tensor):
            d = datas[i] = a._data
            if d.__class__ is not _ndarray:
                xp = _xp_of(d)
            if a._requires_grad:
                if edges is None:
                    edges = [None] * len(args)
                fn = a.grad_fn
                edges[i] = (a if fn is None else fn, a._output_nr, d.shape, d.dtype)
        i += 1
    ctx = _new(cls)
    if xp is not None:
        ctx.xp = xp
    if edges is None:
        return _wrap_untracked(cls.forward(ctx, *datas, **kwargs))
    ctx._edges = edges
    ctx._seq = _next_seq()
    out = cls.forward(ctx, *datas, **kwargs)
    if _anomaly.enabled:
        _anomaly.record(ctx)
    if out.__class__ is not _ndarray and isinstance(out, _np_generic):
        out = _np_asarray(out)  # the NumPy scalar of a full reduction
    if out.__class__ is _ndarray and out.dtype.kind in "fc" and ctx._non_diff is None:
        # _make, inlined: the common single float output
        outs = _new(Tensor)
        outs._data = out
        outs._requires_grad = True
        outs.grad_fn = ctx
        outs._output_nr = 0
        outs._grad = None
        outs._vbox = None
    else:
        outs = _wrap_outputs(ctx, out)
    to_save = ctx._to_save
    if to_save:
        _save(ctx, to_save, args, datas, outs, out)
        ctx._to_save = ()
    return outs


def _wrap_untracked(out):
    """The outputs of an op that records nothing, as Tensors."""
    if out.__class__ is _ndarray and not _state.inference:
        t = _new(Tensor)  # _make, inlined
        t._data = out
        t._requires_grad = False
        t.grad_fn = None
        t._output_nr = 0
        t._grad = None
        t._vbox = None
        return t
    if out.__class__ is tuple:
        outs = tuple([_make(o, False, None, 0) for o in out])
    else:
        outs = _make(out, False, None, 0)
    if _state.inference:
        for o in (outs if outs.__class__ is tuple else (outs,)):
            o._is_inference = True
    return outs


def _wrap_outputs(ctx, out):
    """Outputs of a recording op other than one float array: several, or non-differentiable."""
    if type(out) is not tuple:
        if type(out) is not _ndarray:
            out = _make(out, False, None, 0)._data
        if _differentiable(out, ctx._non_diff):
            return _make(out, True, ctx, 0)
        return _make(out, False, None, 0)
    non_diff = ctx._non_diff
    outs = []
    for i, o in enumerate(out):
        diff = _differentiable(o, non_diff)
        outs.append(_make(o, diff, ctx if diff else None, i))
    ctx._n_outputs = len(outs)
    ctx._out_meta = tuple([(o.shape, o.dtype) for o in out])
    ctx._fast = False
    return tuple(outs)


def _differentiable(arr, non_diff):
    if non_diff is not None and id(arr) in non_diff:
        return False
    return arr.dtype.kind in "fc"


def _save(ctx, to_save, args, datas, outs, out):
    """Store the saved arrays, plus (index, input tensor or None, version box, version,
    output index or -1) for each one that is an input or output tensor: tracked for the
    in-place check and mapped back to tensors under create_graph. Tuples, not lists: an op
    with no record keeps no container (each object left per node is one more for Python's
    GC to scan, and on long graphs its full collections cost as much as the ops)."""
    saved = to_save  # built-in ops save arrays: the tuple is kept as it is
    meta = ()
    n = len(datas)
    k = 0
    for s in to_save:
        if s is not None and s.__class__ not in _SCALARS:  # Python scalars need no record
            if k < n and (s is datas[k] or s is args[k]):
                i = k  # most ops save their inputs in order
            else:
                i = 0
                while i < n and s is not datas[i] and s is not args[i]:
                    i += 1
            if i < n:
                a = args[i]
                if isinstance(a, Tensor):
                    box = a._vbox
                    meta += ((k, a, None, box[0] if box else 0, -1),)
                    if s is a:  # a custom Function saved the Tensor itself
                        saved = _replace(saved, k, a._data)
            elif outs.__class__ is tuple or s is out or s is outs:
                r, record = _output_record(k, s, outs, out)
                meta += record
                if r is not s:
                    saved = _replace(saved, k, r)
            elif isinstance(s, Tensor):
                saved = _replace(saved, k, s._data)
        k += 1
    ctx._saved = saved
    ctx._saved_meta = meta


def _replace(items, k, value):
    items = list(items)
    items[k] = value
    return tuple(items)


_SCALARS = frozenset((int, float, bool, complex))


def _output_record(k, s, outs, out):
    """The array to keep for ``s`` and its record, when it is one of the outputs."""
    pairs = ((out, outs),) if type(outs) is not tuple else zip(out, outs)
    for j, (o, t) in enumerate(pairs):
        if s is o or s is t:
            box = t._vbox
            if box is None:
                box = t._vbox = [0]
            return t._data, ((k, None, box, box[0], j if t._requires_grad else -1),)
    return (s._data if isinstance(s, Tensor) else s), ()


def _apply_tensors(cls, args, kwargs):
    """Custom Functions: forward runs on Tensors under no_grad; outputs are rewrapped."""
    from .grad_mode import no_grad
    ctx = cls.__new__(cls)
    grad_on = _state.enabled
    edges = []
    recording = False
    for a in args:
        if isinstance(a, Tensor) and grad_on and a._requires_grad:
            recording = True
            fn = a.grad_fn
            edges.append((a if fn is None else fn, a._output_nr, a._data.shape, a._data.dtype))
        else:
            edges.append(None)
    if recording:
        ctx._edges = edges
        ctx._seq = _next_seq()
    with no_grad():
        out = cls.forward(ctx, *args, **kwargs)
    is_tuple = isinstance(out, tuple)
    raw = out if is_tuple else (out,)
    if not recording:
        return out
    if _anomaly.enabled:
        _anomaly.record(ctx)
    non_diff = ctx._non_diff or ()
    dirty = ctx._dirty or ()
    wrapped = []
    meta = []
    for i, o in enumerate(raw):
        if not isinstance(o, Tensor):
            wrapped.append(o)
            meta.append(None)
            continue
        diff = id(o) not in non_diff and o._data.dtype.kind in "fc"
        if any(o is d for d in dirty):
            if o.grad_fn is None and o._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
            o.grad_fn, o._output_nr, o._requires_grad = (ctx if diff else None), i, diff
            _bump(o)
            w = o
        else:
            w = _make(o._data, diff, ctx if diff else None, i)
        wrapped.append(w)
        meta.append((o._data.shape, o._data.dtype))
    ctx._n_outputs = len(raw)
    ctx._out_meta = tuple(meta)
    if ctx._to_save:
        _save(ctx, ctx._to_save, args, [None] * len(args), tuple(wrapped), tuple(raw))
        ctx._to_save = ()
    return tuple(wrapped) if is_tuple else wrapped[0]


def _bump(t):
    box = t._vbox
    if box is None:
        t._vbox = [1]
    else:
        box[0] += 1


def once_differentiable(fn):
    """Decorator for a custom ``backward`` that cannot itself be differentiated."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .grad_mode import no_grad
        if _state.enabled and any(isinstance(a, Tensor) and a.requires_grad for a in args):
            ctx._once = True
        with no_grad():
            return fn(ctx, *args)
    return wrapper


class _Anomaly:
    enabled = False
    check_nan = True

    def record(self, ctx):
        import traceback
        ctx._trace = "".join(traceback.format_stack()[:-3])


_anomaly = _Anomaly()
_new = object.__new__
_next_seq = itertools.count(1).__next__
