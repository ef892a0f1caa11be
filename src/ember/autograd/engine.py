"""The backward engine: iterative walks over the graph, two of them.

Nodes point at their parents' nodes (or at leaf tensors), never at their outputs. Each walk
runs a node once every gradient for it has arrived, pops its gradient buffer and frees its
saved arrays (unless ``retain_graph``), so memory is returned while backward runs and no
recursion limit is ever hit.

- :func:`backward_from`, for ``loss.backward()``: nodes run newest first by creation number,
  which needs no count of incoming edges (torch orders its ready nodes the same way).
- :func:`run_backward`, for everything else (several roots, ``inputs=``, ``autograd.grad``,
  ``create_graph``, anomaly mode, leaf hooks): counts each node's incoming edges first.

Under ``create_graph`` the same backward formulas run on Tensors (recording a new graph);
otherwise on raw backend arrays.
"""
from __future__ import annotations

import itertools
from heapq import heappop as _heappop
from heapq import heappush as _heappush

from ..backend import get_xp
from ..backend.cpu import ndarray as _ndarray
from ..backend.cpu import xp as _cpu_xp
from .function import _FREED, _anomaly
from .grad_mode import _state

Tensor = None  # set by ember._tensor
_make = None


_np_asarray = _cpu_xp.asarray
_np_add = _cpu_xp.add
_NONES = itertools.repeat(None)  # zip partner for a node whose backward did not run


def _as_array(g, xp):
    return g if type(g) is xp.ndarray else xp.asarray(g)


def _sum_to(g, shape):
    """Sum a broadcast gradient back to ``shape`` (arrays or Tensors alike)."""
    if not shape:
        return g.sum()
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if lead or g.shape != shape:
        g = g.reshape(shape)
    return g


def _fit(g, shape, dtype, graph):
    """Make a gradient match its input's shape and dtype (the engine's job, not the op's)."""
    if g.shape != shape:
        g = _sum_to(g, shape)
    if graph:
        if g.dtype.np != dtype:
            from ..dtypes import from_np
            g = g.to(from_np(dtype))
    elif g.dtype != dtype:
        # a complex gradient for a real input keeps its real part, as torch does
        g = (g.real if g.dtype.kind == "c" and dtype.kind != "c" else g).astype(dtype)
    elif type(g) is not _ndarray and not hasattr(g, "__cuda_array_interface__"):
        g = _np_asarray(g)  # a NumPy scalar from a 0-d computation
    return g


def _count_deps(roots):
    """Number of incoming edges of every node (and leaf) reachable from ``roots``."""
    deps = {}
    stack = []
    for t in roots:
        fn = t.grad_fn
        if fn is not None and fn not in deps:
            deps[fn] = 0
            stack.append(fn)
    while stack:
        for e in stack.pop()._edges:
            if e is not None:
                p = e[0]
                n = deps.get(p)
                if n is None:
                    deps[p] = 1
                    if not isinstance(p, Tensor):
                        stack.append(p)
                else:
                    deps[p] = n + 1
    return deps


def _needed_nodes(roots, leaf_targets, nonleaf_targets):
    """node -> whether some requested input lies behind it (post-order, no recursion)."""
    needed = {}
    stack = [(t.grad_fn, False) for t in roots if t.grad_fn is not None]
    while stack:
        node, expanded = stack.pop()
        if not expanded:
            if node in needed:
                continue
            needed[node] = False
            stack.append((node, True))
            for e in node._edges:
                if e is not None and not isinstance(e[0], Tensor) and e[0] not in needed:
                    stack.append((e[0], False))
            continue
        hit = node in nonleaf_targets
        if not hit:
            for e in node._edges:
                if e is None:
                    continue
                p = e[0]
                if (p in leaf_targets) if isinstance(p, Tensor) else needed.get(p):
                    hit = True
                    break
        needed[node] = hit
    return needed


def run_backward(roots, root_grads, retain_graph=False, create_graph=False, inputs=None,
                 capture=False, allow_unused=False):
    """Backpropagate ``root_grads`` from ``roots``.

    ``inputs``: with ``capture`` (autograd.grad) the tensors whose gradients are returned;
    without it (``backward(inputs=...)``) the only tensors whose ``.grad`` is accumulated.
    """
    graph = bool(create_graph)
    deps = _count_deps(roots)
    targets = None  # leaf tensor -> slot in results
    results = None
    nonleaf_targets = {}
    if inputs is not None:
        targets = {}
        for i, t in enumerate(inputs):
            if t.grad_fn is None:
                targets[t] = i
            else:
                nonleaf_targets.setdefault(t.grad_fn, []).append((t._output_nr, i, t))
        results = [None] * len(inputs)

    buffers = {}     # node -> [grad per output]
    leaf_bufs = {}   # leaf tensor -> grad
    shared = set()   # ids of arrays a leaf must not adopt without copying
    if len(roots) == 1 and roots[0].grad_fn is not None:
        # the common loss.backward(): one root, not a leaf
        t = roots[0]
        g = root_grads[0]
        if not graph:
            shared.add(id(g))
        fn = t.grad_fn
        if fn._n_outputs == 1:
            ready = [(fn, g)]
        else:
            buf = [None] * fn._n_outputs
            buf[t._output_nr] = g
            ready = [(fn, buf)]
        leaf_roots = ()
    else:
        ready, leaf_roots = _seed(roots, root_grads, deps, graph, buffers, leaf_bufs, shared)

    slow = graph or _anomaly.enabled or bool(nonleaf_targets)
    # with explicit inputs, only nodes on a path to them run (as in torch)
    needed = _needed_nodes(roots, targets, nonleaf_targets) if inputs is not None else None
    plain = not slow and needed is None  # nodes marked _fast take the short path
    prev_mode = _state.enabled
    _state.enabled = graph
    try:
        for t in leaf_roots:
            g = leaf_bufs.pop(t, None)
            if g is not None:
                _finish_leaf(t, g, graph, targets, results, capture, shared)
        node = None
        while True:
            if node is None:
                if not ready:
                    break
                node, grads = ready.pop()
            # The hot loop: one iteration per node, kept flat (each line is paid per node).
            # `grads` is the gradient of a single-output node, a list for several outputs.
            if plain and node._fast and grads is not None:
                in_grads = node.backward(node, grads)
                if in_grads.__class__ is not tuple:
                    in_grads = (in_grads,)
                if not retain_graph and node._saved is not None:
                    node._saved = _FREED
            elif grads is None:
                in_grads = _NONES
            else:
                in_grads = _run_node(node, grads if node._n_outputs != 1 else [grads], graph,
                                     slow, nonleaf_targets, needed, results, capture,
                                     retain_graph)
            edges = node._edges
            # the parent made ready last runs next, without a trip through `ready` (the
            # order stays the stack's)
            node = None
            for e, g in zip(edges, in_grads):
                if e is None:
                    continue
                p = e[0]
                if g is not None and (g.__class__ is not _ndarray or g.shape != e[2]
                                      or g.dtype is not e[3]):
                    g = _fit(g, e[2], e[3], graph)
                left = deps[p] - 1
                deps[p] = left
                if isinstance(p, Tensor):
                    if leaf_bufs:
                        old = leaf_bufs.pop(p, None) if left == 0 else leaf_bufs.get(p)
                        if old is not None:
                            g = old if g is None else old + g
                    if g is None:
                        continue
                    if left == 0:
                        _finish_leaf(p, g, graph, targets, results, capture, shared)
                    else:
                        leaf_bufs[p] = g
                elif left == 0 and p._n_outputs == 1:
                    # the last gradient for p: hand it over without the buffer dict
                    if buffers:
                        buf = buffers.pop(p, None)
                        if buf is not None and buf[0] is not None:
                            g = buf[0] if g is None else buf[0] + g
                    if node is not None:
                        ready.append((node, grads))
                    node, grads = p, g
                else:
                    buf = buffers.get(p)
                    if g is not None:
                        if buf is None:
                            buf = buffers[p] = [None] * p._n_outputs
                        old = buf[e[1]]
                        buf[e[1]] = g if old is None else old + g
                    if left == 0:
                        if node is not None:
                            ready.append((node, grads))
                        node, grads = p, buffers.pop(p, None)
    finally:
        _state.enabled = prev_mode

    if capture:
        for i, t in enumerate(inputs):
            if results[i] is None and not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
        return results
    return None


_EMPTY = {}
leaf_hooks_seen = False  # set once a leaf tensor gets a hook: backward_from then steps aside


def backward_from(fn, output_nr, g, retain_graph):
    """``loss.backward()`` in the common case (one root, no ``inputs``, no ``create_graph``,
    no anomaly mode, no leaf hooks): the same walk as :func:`run_backward` without counting
    dependencies first.

    Nodes run newest first. A node is created after every node whose output it reads, so
    once it is the newest node still waiting, every node that can send it a gradient has
    run: its gradient is complete. A node whose only new parent is the next to run (a chain)
    hands its gradient straight over; otherwise the parents wait in a heap keyed by creation
    order. Leaf gradients are summed and accumulated into ``.grad`` once the walk ends."""
    prev_mode = _state.enabled
    _state.enabled = False
    heap = []
    pending = {}    # node in the heap -> its gradient (a list for several outputs)
    leaves = {}     # leaf tensor -> its summed gradient
    shared = {id(g)}  # the root gradient: a leaf copies it rather than adopting it
    if fn._n_outputs != 1:
        buf = [None] * fn._n_outputs
        buf[output_nr] = g
        g = buf
    node, grads = fn, g
    try:
        while True:
            if node._fast:
                in_grads = node.backward(node, grads)
                if in_grads.__class__ is not tuple:
                    in_grads = (in_grads,)
                if not retain_graph and node._saved is not None:
                    node._saved = _FREED
            else:
                in_grads = _run_node(node, grads if node._n_outputs != 1 else [grads], False,
                                     False, _EMPTY, None, None, False, retain_graph)
            first = None   # the first parent this node sends a gradient, not yet queued
            first_g = None
            for e, g in zip(node._edges, in_grads):
                if e is None or g is None:
                    continue
                if g.__class__ is not _ndarray or g.shape != e[2] or g.dtype is not e[3]:
                    g = _fit(g, e[2], e[3], False)
                p = e[0]
                if p.__class__ is Tensor or isinstance(p, Tensor):
                    old = leaves.get(p)
                    leaves[p] = g if old is None else old + g
                elif p is first:
                    first_g = _add_to(first_g, p, e[1], g)
                elif p in pending:
                    pending[p] = _add_to(pending[p], p, e[1], g)
                elif first is None and not heap:
                    first = p
                    first_g = g if p._n_outputs == 1 else _add_to(None, p, e[1], g)
                else:
                    pending[p] = _add_to(None, p, e[1], g)
                    _heappush(heap, (-p._seq, p))
            if first is not None:
                if not heap:  # the only node left to run: no trip through the heap
                    node, grads = first, first_g
                    continue
                pending[first] = first_g
                _heappush(heap, (-first._seq, first))
            if not heap:
                break
            node = _heappop(heap)[1]
            grads = pending.pop(node)
    finally:
        _state.enabled = prev_mode
    for t, g in leaves.items():
        _finish_leaf(t, g, False, None, None, False, shared)


def _add_to(buf, node, nr, g):
    """``g`` (the gradient of ``node``'s output ``nr``) added into ``buf``: an array for a
    single-output node, a list with one slot per output otherwise."""
    if node._n_outputs == 1:
        return g if buf is None else buf + g
    if buf is None:
        buf = [None] * node._n_outputs
    buf[nr] = g if buf[nr] is None else buf[nr] + g
    return buf


def _seed(roots, root_grads, deps, graph, buffers, leaf_bufs, shared):
    """Put the roots' gradients in place: returns the ready nodes and the leaf roots."""
    ready = []
    for t, g in zip(roots, root_grads):
        if not graph:
            shared.add(id(g))
        fn = t.grad_fn
        if fn is None:
            leaf_bufs[t] = g if t not in leaf_bufs else leaf_bufs[t] + g
            deps.setdefault(t, 0)
            continue
        buf = buffers.get(fn)
        if buf is None:
            buf = buffers[fn] = [None] * fn._n_outputs
        nr = t._output_nr
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    leaf_roots = []
    for t in roots:
        key = t.grad_fn
        if key is None:
            key = t
        if deps.get(key) == 0:
            deps[key] = -1  # queued: a root given twice runs once
            if key is t:
                leaf_roots.append(t)
            else:
                buf = buffers.pop(key, None)
                # a single-output node's entry holds its gradient itself (see run_backward)
                ready.append((key, buf[0] if buf is not None and key._n_outputs == 1 else buf))
    return ready, leaf_roots


def _run_node(node, grads, graph, slow, nonleaf_targets, needed, results, capture,
              retain_graph):
    """Run one node the general way: hooks, create_graph, custom Functions, anomaly mode,
    nodes off the path to the requested inputs. Returns its input gradients (or _NONES)."""
    if needed is not None and not needed.get(node):
        if nonleaf_targets.get(node):
            _run_pre_hooks(node, grads, graph, nonleaf_targets, results, capture)
        return _NONES
    if node._fast and not slow:
        in_grads = node.backward(node, grads[0])
        if in_grads.__class__ is not tuple:
            in_grads = (in_grads,)
    else:
        grads = _run_pre_hooks(node, grads, graph, nonleaf_targets, results, capture)
        in_grads = _call_backward(node, grads, graph)
    if not retain_graph and node._saved is not None:
        node._saved = _FREED
    return in_grads


def _wrap(g, graph):
    return g if graph else _make(_as_array(g, _xp(g)), False, None, 0)


def _xp(g):
    return get_xp(g)


def _unwrap(t, graph):
    if graph or t is None:
        return t
    return t._data if isinstance(t, Tensor) else t


def _run_pre_hooks(node, grads, graph, nonleaf_targets, results, capture):
    if node._node_pre_hooks:
        for hook in node._node_pre_hooks:
            r = hook(tuple(None if g is None else _wrap(g, graph) for g in grads))
            if r is not None:
                grads = [_unwrap(x, graph) for x in r]
    hooks = node._pre_hooks
    if hooks:
        for nr, fns in hooks.items():
            if grads[nr] is None:
                continue
            for h in list(fns):
                r = h(_wrap(grads[nr], graph))
                if r is not None:
                    grads[nr] = _unwrap(r, graph)
    targets = nonleaf_targets.get(node)
    if targets:
        for nr, slot, t in targets:
            g = grads[nr]
            if g is None:
                continue
            if capture:
                results[slot] = _wrap(g, graph)
            else:
                _accumulate(t, g, graph, set())
    if node._materialize and node._n_outputs > 1 and any(g is None for g in grads):
        grads = list(grads)
        for i, g in enumerate(grads):
            if g is None and node._out_meta[i] is not None:
                shape, dtype = node._out_meta[i]
                if graph:
                    from .. import zeros
                    from ..dtypes import from_np
                    grads[i] = zeros(shape, dtype=from_np(dtype))
                else:
                    grads[i] = node._xp_zeros(shape, dtype)
    return grads


def _call_backward(node, grads, graph):
    if getattr(node, "_once", False) and graph:
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")
    node._graph = graph
    if graph:
        import ember
        node.xp = ember
    try:
        if node._arrays:
            out = node._backward(grads)
        else:
            out = node._backward([None if g is None else _wrap(g, graph) for g in grads])
            if type(out) is not tuple:
                out = (out,)
            out = [_unwrap(x, graph) for x in out]
    finally:
        node._graph = False
        if graph:
            del node.xp
    if type(out) is not tuple and type(out) is not list:
        out = (out,)
    if len(out) != len(node._edges):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(node._edges)}, got {len(out)})")
    if _anomaly.enabled and _anomaly.check_nan:
        _check_nan(node, out)
    if node._hooks:
        for h in node._hooks:
            r = h(tuple(None if g is None else _wrap(g, graph) for g in out),
                  tuple(None if g is None else _wrap(g, graph) for g in grads))
            if r is not None:
                out = [_unwrap(x, graph) for x in r]
    return out


def _check_nan(node, out):
    for i, g in enumerate(out):
        if g is None:
            continue
        data = g._data if isinstance(g, Tensor) else g
        xp = _xp(data)
        if data.dtype.kind in "fc" and bool(xp.isnan(data).any()):
            if node._trace:
                import warnings
                warnings.warn("Error detected in " + node.name() + ". Traceback of forward "
                              "call that caused the error:\n" + node._trace, stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")


def _finish_leaf(t, g, graph, targets, results, capture, shared):
    if (g.__class__ is _ndarray and targets is None and not capture and not graph
            and not t._hooks and not t._post_acc_hooks):
        # the common case, an array added into an existing .grad in place
        old = t._grad
        if old is not None:
            d = old._data
            if d.shape == g.shape and not old._requires_grad and d.flags.writeable:
                _np_add(d, g, out=d, casting="unsafe")
                return
        _accumulate(t, g, False, shared)
        return
    hooks = t._hooks
    if hooks:
        for h in list(hooks):
            r = h(_wrap(g, graph))
            if r is not None:
                g = _unwrap(r, graph)
                shared.add(id(g))
    if targets is not None:
        slot = targets.get(t)
        if slot is None:
            return
        if capture:
            results[slot] = _wrap(g, graph)
            return
    elif capture:
        return
    _accumulate(t, g, graph, shared)
    if t._post_acc_hooks:
        for h in t._post_acc_hooks:
            h(t)


def _accumulate(t, g, graph, shared):
    """Accumulate ``g`` into ``t.grad``: adopt the array if it is ours alone, else copy."""
    if graph:
        t._grad = g if t._grad is None else t._grad + g
        return
    if g.__class__ is _ndarray:
        xp = _cpu_xp
    else:
        xp = _xp(g)
        g = _as_array(g, xp)
    old = t._grad
    if old is None:
        if id(g) in shared or g.base is not None or not g.flags.writeable:
            g = g.copy()
        shared.add(id(g))
        t._grad = _make(g, False, None, 0)
    elif old._data.shape == g.shape and old._data.flags.writeable and not old._requires_grad:
        xp.add(old._data, g, out=old._data, casting="unsafe")
    else:
        t._grad = _make(old._data + g, False, None, 0)
