"""The backward engine and the Tensor autograd API, checked against real torch."""
from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest
import torch

import ember

LIBS = pytest.mark.parametrize("L", [ember, torch], ids=["ember", "torch"])


def _np(t):
    return None if t is None else np.asarray(t.detach().numpy())


def _names(node):
    """(name, output_nr) of a node's next_functions that lead somewhere.

    Where torch lists a (None, 0) slot for a non-differentiable argument depends on each op's
    schema (``x * 2.0`` has one, ``x.pow(2)`` none); ember lists the slots of its own op
    signature, so only the edges that carry gradient are compared."""
    return [(n.name(), nr) for n, nr in node.next_functions if n is not None]


def _same(fn):
    """Run ``fn(lib)`` for ember and torch and compare the nested results."""
    e, t = fn(ember), fn(torch)
    _assert_same(e, t)
    return e


def _assert_same(e, t):
    if isinstance(e, (tuple, list)):
        assert isinstance(t, (tuple, list)) and len(e) == len(t), (e, t)
        for a, b in zip(e, t):
            _assert_same(a, b)
    elif isinstance(e, ember.Tensor):
        assert isinstance(t, torch.Tensor)
        np.testing.assert_allclose(_np(e), _np(t), rtol=1e-6, atol=1e-7)
    elif isinstance(e, float):
        assert e == pytest.approx(t, rel=1e-6)
    else:
        assert e == t, (e, t)


# ---------------------------------------------------------------- accumulation and roots
def test_leaf_grad_accumulates_across_backward_calls():
    def run(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * x).sum().backward()
        first = x.grad.clone()
        (x * 3.0).sum().backward()
        (x.exp()).mean().backward()
        return first, x.grad
    _same(run)


def test_grad_reset_to_none_restarts_accumulation():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        (x * 5.0).sum().backward()
        x.grad = None
        (x * x).sum().backward()
        return x.grad
    _same(run)


def test_backward_gradient_for_non_scalar_output():
    def run(L):
        x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * x
        y.backward(L.tensor([[1.0, 0.5], [-1.0, 2.0]]))
        return x.grad
    _same(run)


@LIBS
def test_non_scalar_backward_without_gradient_raises(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        (x * x).backward()


@LIBS
def test_backward_on_tensor_without_grad_raises(L):
    x = L.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * 2.0).sum().backward()


@LIBS
def test_gradient_shape_mismatch_raises(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2.0).backward(L.ones(3))


def test_autograd_backward_with_several_roots():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        a, b = x * x, x.exp()
        L.autograd.backward([a.sum(), b], [None, L.tensor([1.0, -1.0])])
        return x.grad
    _same(run)


def test_shared_subexpression_gradients_sum():
    def run(L):
        x = L.tensor([0.5, -1.5], requires_grad=True)
        h = x * 2.0
        (h * h + h.exp() - h).sum().backward()
        return x.grad
    _same(run)


def _random_dag(L, program, hook_log=None):
    """Build the graph ``program`` describes over three leaves (several ops read the same
    tensor, some results are never used) and backpropagate the sum of a few results."""
    vals = np.linspace(-0.9, 0.8, 4 * 3).reshape(3, 4)
    pool = [L.tensor(v, dtype=L.float64, requires_grad=True) for v in vals]
    leaves = list(pool)
    for step, (op, i, j) in enumerate(program):
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if op == "add":
            outs = [a + b]
        elif op == "mul":
            outs = [a * b]
        elif op == "tanh":
            outs = [a.tanh()]
        elif op == "sin2":
            outs = [(a * 2.0).sin()]
        else:  # "halves": a node with two outputs
            outs = list(L.split(a, 2))
            outs = [L.cat([outs[1], outs[0]])]
        for k, o in enumerate(outs):
            if hook_log is not None:
                o.register_hook(lambda g, tag=(step, k): hook_log.append(tag))
            pool.append(o)
    loss = sum(t.sum() for t in pool[-3:]) + pool[len(pool) // 2].sum()
    loss.backward()
    return [t.grad for t in leaves]


_OPS = ["add", "mul", "tanh", "sin2", "halves"]


@pytest.mark.parametrize("seed", range(12))
def test_random_graphs_match_torch_gradients_and_node_order(seed):
    """Diamonds, shared inputs, multi-output nodes and unused branches: the gradients and the
    order in which non-leaf hooks fire (torch runs the newest ready node first) match."""
    rng = np.random.default_rng(seed)
    program = [(_OPS[rng.integers(len(_OPS))], int(rng.integers(100)), int(rng.integers(100)))
               for _ in range(int(rng.integers(3, 25)))]
    logs = {}
    grads = {}
    for L in (ember, torch):
        logs[L] = []
        grads[L] = _random_dag(L, program, logs[L])
    for e, t in zip(grads[ember], grads[torch]):
        if t is None:
            assert e is None
        else:
            np.testing.assert_allclose(_np(e), _np(t), rtol=1e-12, atol=1e-14)
    assert logs[ember] == logs[torch]
    # without hooks the nodes take the engine's fast path: the same gradients
    for e, t in zip(_random_dag(ember, program), grads[torch]):
        if t is not None:
            np.testing.assert_allclose(_np(e), _np(t), rtol=1e-12, atol=1e-14)


def test_unreached_consumers_do_not_hold_back_a_node():
    """A node whose output also feeds a graph that is never backpropagated still runs."""
    def run(L):
        x = L.tensor([0.5, -1.5], requires_grad=True)
        h = x.exp()
        _other = h * 3.0  # a consumer outside this backward
        (h * h).sum().backward()
        return x.grad
    _same(run)


# ---------------------------------------------------------------- graph structure
def test_grad_fn_names_and_next_functions_match_torch():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([3.0, 4.0], requires_grad=True)
        c = L.tensor([5.0, 6.0])
        m = x * w
        e = (m * c).exp()
        n1 = e.grad_fn
        n2 = n1.next_functions[0][0]
        n3 = n2.next_functions[0][0]
        leaf = n3.next_functions[0][0]
        return (n1.name(), _names(n1), n2.name(), _names(n2), n3.name(), _names(n3),
                leaf.variable is x, leaf.next_functions == (), x.grad_fn is None, x.is_leaf,
                m.is_leaf)
    _same(run)


def test_grad_fn_names_of_basic_ops_match_torch():
    def run(L):
        x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        # (op families own their names: only the ones the engine tests rely on)
        outs = [x + 1.0, x - x, x * x, x / 2.0, -x, x.exp(), x.log(), x.relu(), x.sum(),
                x.mean(), x.permute(1, 0), x.clone(), x.to(L.float64)]
        return [o.grad_fn.name() for o in outs]
    _same(run)


def test_nodes_are_graph_nodes():
    x = ember.ones(2, requires_grad=True)
    y = x * 2.0
    assert isinstance(y.grad_fn, ember.autograd.graph.Node)
    edge = ember.autograd.graph.get_gradient_edge(x)
    assert isinstance(edge.node, ember.autograd.graph.Node)
    assert edge.node.variable is x
    assert ember.autograd.graph.get_gradient_edge(y) == (y.grad_fn, 0)


def test_next_functions_skip_non_tensor_arguments():
    def run(L):
        x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        return [_names(x.sum().grad_fn), _names(x.sum(0).grad_fn), _names(x.mean().grad_fn)]
    _same(run)


# ---------------------------------------------------------------- retain_graph
@LIBS
def test_second_backward_without_retain_graph_raises(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).exp().sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    _same(run)


def test_graph_without_saved_tensors_can_backward_twice():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 1.0).sum()
        y.backward()
        y.backward()
        return x.grad
    _same(run)


# ---------------------------------------------------------------- inputs= and autograd.grad
def test_backward_inputs_restricts_accumulation():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[x])
        return x.grad, w.grad
    _same(run)


def test_backward_inputs_non_leaf():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3.0
        (h.exp()).sum().backward(inputs=[h])
        return h.grad, x.grad
    _same(run)


@LIBS
def test_backward_inputs_empty_raises(L):
    x = L.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (x * 2.0).sum().backward(inputs=[])


def test_grad_returns_tuple_and_does_not_touch_dot_grad():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([0.5, -1.0], requires_grad=True)
        gx = L.autograd.grad((x * w).exp().sum(), x)
        gxw = L.autograd.grad((x * w).sum(), [x, w])
        return gx, gxw, x.grad, w.grad
    _same(run)


def test_grad_with_grad_outputs():
    def run(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        return L.autograd.grad(y, x, grad_outputs=L.tensor([1.0, -2.0, 0.5]))
    _same(run)


def test_grad_allow_unused_and_materialize_grads():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([3.0, 4.0], requires_grad=True)
        unused = L.autograd.grad((x * 2.0).sum(), [x, w], allow_unused=True)
        materialized = L.autograd.grad((x * 2.0).sum(), [x, w], materialize_grads=True)
        return unused, materialized
    _same(run)


@LIBS
def test_grad_unused_input_raises(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    w = L.tensor([3.0, 4.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        L.autograd.grad((x * 2.0).sum(), [x, w])


@LIBS
def test_grad_of_output_without_grad_raises(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    with L.no_grad():
        y = (x * 2.0).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        L.autograd.grad(y, x)


def test_grad_wrt_intermediate():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        h = x.exp()
        return L.autograd.grad((h * h).sum(), h)
    _same(run)


# ---------------------------------------------------------------- higher order
def _f_exp_ratio(L, x, w):
    return ((x * w).exp() * x).sum() / (x.relu() + 1.0).log().sum()


def _f_matmul(L, x, w):
    return L.matmul(x.reshape(2, 2), w.reshape(2, 2)).exp().mean() * x.sum()


def _f_poly(L, x, w):
    return ((x - w) * (x - w) * (x + 2.0)).sum()


def _f_softplus_like(L, x, w):
    return ((x * w).exp() + 1.0).log().sum() / 4.0


@pytest.mark.parametrize("f", [_f_exp_ratio, _f_matmul, _f_poly, _f_softplus_like],
                         ids=lambda f: f.__name__)
def test_double_and_triple_backward_match_torch(f):
    xs = np.array([0.3, -0.5, 0.8, 1.2])
    ws = np.array([0.7, 0.2, -0.4, 0.1])

    def run(L):
        x = L.tensor(xs, requires_grad=True)
        w = L.tensor(ws, requires_grad=True)
        y = f(L, x, w)
        g1x, g1w = L.autograd.grad(y, [x, w], create_graph=True)
        g2 = L.autograd.grad((g1x * g1x).sum() + g1w.sum(), [x, w], create_graph=True)
        g3 = L.autograd.grad((g2[0] * g2[1]).sum(), [x, w], allow_unused=True,
                             materialize_grads=True)
        return g1x, g1w, g2, g3
    _same(run)


def test_create_graph_backward_accumulates_differentiable_grad():
    def run(L):
        x = L.tensor([0.5, 1.5], requires_grad=True)
        (x * x * x).sum().backward(create_graph=True)
        g = x.grad
        req = g.requires_grad
        x.grad = None
        g.sum().backward()
        return req, x.grad
    _same(run)


# ---------------------------------------------------------------- grad modes
def test_grad_mode_context_managers():
    def run(L):
        x = L.tensor([1.0], requires_grad=True)
        out = []
        with L.no_grad():
            out.append((x * 2.0).requires_grad)
            out.append(L.is_grad_enabled())
            with L.enable_grad():
                out.append((x * 2.0).requires_grad)
        with L.set_grad_enabled(False):
            out.append((x * 2.0).requires_grad)
        out.append(L.is_grad_enabled())
        L.set_grad_enabled(False)
        out.append(L.is_grad_enabled())
        L.set_grad_enabled(True)
        with L.inference_mode():
            out.append(((x * 2.0).requires_grad, L.is_grad_enabled(),
                        L.is_inference_mode_enabled()))
        out.append(L.is_inference_mode_enabled())
        return out
    _same(run)


def test_grad_mode_decorators():
    def run(L):
        x = L.tensor([1.0], requires_grad=True)

        @L.no_grad()
        def a():
            return (x * 2.0).requires_grad

        @L.no_grad
        def b():
            return (x * 2.0).requires_grad

        @L.enable_grad()
        def c():
            return (x * 2.0).requires_grad

        @L.inference_mode()
        def d():
            return L.is_inference_mode_enabled(), (x * 2.0).requires_grad

        @L.inference_mode
        def e():
            return L.is_inference_mode_enabled()

        with L.no_grad():
            in_c = c()
        return a(), b(), in_c, d(), e(), L.is_grad_enabled(), a.__name__
    _same(run)


def test_set_grad_enabled_decorator_restores_mode():
    def run(L):
        @L.set_grad_enabled(False)
        def f():
            return L.is_grad_enabled()
        after_decoration = L.is_grad_enabled()
        return after_decoration, f(), L.is_grad_enabled()
    try:
        _same(run)
    finally:
        ember.set_grad_enabled(True)


def test_inference_mode_false_enables_grad():
    def run(L):
        x = L.tensor([1.0], requires_grad=True)
        with L.no_grad():
            with L.inference_mode(False):
                return (x * 2.0).requires_grad, L.is_grad_enabled()
    _same(run)


def test_inference_mode_tensors_are_inference_tensors():
    def run(L):
        with L.inference_mode():
            t = L.ones(2) * 2.0
        return t.is_inference(), L.ones(2).is_inference()
    _same(run)


def test_grad_mode_is_thread_local():
    def run(L):
        seen = []
        with L.no_grad():
            t = threading.Thread(target=lambda: seen.append(L.is_grad_enabled()))
            t.start()
            t.join()
            seen.append(L.is_grad_enabled())
        return seen
    assert _same(run) == [True, False]


def test_no_grad_result_is_constant_in_backward():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        with L.no_grad():
            c = x * 10.0
        (x * c).sum().backward()
        return c.requires_grad, c.grad_fn is None, x.grad
    _same(run)


# ---------------------------------------------------------------- detach / requires_grad
def test_detach_and_detach_():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        d = x.detach()
        y = x * 2.0
        y.detach_()
        d.add_(1.0)  # shares memory and version counter with x
        return (d.requires_grad, d.grad_fn is None, d.is_leaf, y.requires_grad,
                y.grad_fn is None, y.is_leaf, x, x._version, d._version)
    _same(run)


def test_requires_grad_():
    def run(L):
        x = L.tensor([1.0, 2.0])
        r = x.requires_grad_()
        y = x * 2.0
        return r is x, x.requires_grad, y.requires_grad, x.requires_grad_(False).requires_grad
    _same(run)


@LIBS
def test_requires_grad_on_non_leaf_false_raises(L):
    x = L.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf"):
        (x * 2.0).requires_grad_(False)


@LIBS
def test_requires_grad_on_integer_tensor_raises(L):
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        L.tensor([1, 2]).requires_grad_()


def test_retain_grad():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3.0
        y.retain_grad()
        z = y * y
        z.retain_grad()
        z.sum().backward(retain_graph=True)
        first = y.grad.clone()
        (y * 2.0).sum().backward()  # graph of y kept: y.grad accumulates
        return first, y.grad, z.grad, y.retains_grad, x.retains_grad, x.grad
    _same(run)


# ---------------------------------------------------------------- hooks
def test_tensor_hook_on_leaf_modifies_grad_and_is_removable():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        handle = x.register_hook(lambda g: g * 2.0)
        (x * x).sum().backward()
        first = x.grad.clone()
        handle.remove()
        x.grad = None
        (x * x).sum().backward()
        return first, x.grad
    _same(run)


def test_tensor_hook_on_non_leaf():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3.0
        seen = []

        def hook(g):
            seen.append(g.clone())
            return g + 1.0
        y.register_hook(hook)
        y.register_hook(lambda g: g * 2.0)   # hooks chain in registration order
        (y * y).sum().backward()
        return seen, x.grad, y.grad
    _same(run)


def test_tensor_hook_returning_none_observes_only():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()))
        (x.exp()).sum().backward()
        return seen, x.grad
    _same(run)


@LIBS
def test_hook_on_tensor_without_grad_raises(L):
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        L.ones(2).register_hook(lambda g: g)


def test_post_accumulate_grad_hook():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        handle = x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.clone()))
        (x * x).sum().backward()
        (x * x).sum().backward()
        handle.remove()
        (x * x).sum().backward()
        return seen
    assert len(_same(run)) == 2


@LIBS
def test_post_accumulate_grad_hook_on_non_leaf_raises(L):
    x = L.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="post accumulate grad hooks cannot be registered"):
        (x * 2.0).register_post_accumulate_grad_hook(lambda p: None)


def test_node_hook_and_prehook():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        z = (x * 3.0).exp()
        seen = []
        z.grad_fn.register_prehook(lambda go: seen.append(("pre", [g.clone() for g in go])))
        z.grad_fn.register_hook(
            lambda gi, go: seen.append(("post", [g.clone() for g in gi], [g.clone() for g in go])))
        z.sum().backward()
        return seen, x.grad
    _same(run)


def test_node_prehook_replaces_grad_outputs():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        z = (x * 3.0).exp()
        handle = z.grad_fn.register_prehook(lambda go: (go[0] * 0.5,))
        z.sum().backward(retain_graph=True)
        first = x.grad.clone()
        handle.remove()
        x.grad = None
        z.sum().backward()
        return first, x.grad
    _same(run)


# ---------------------------------------------------------------- memory
def test_graph_is_freed_by_reference_counting():
    gc.collect()
    gc.disable()
    try:
        x = ember.ones(3, requires_grad=True)
        a = x * 2.0
        b = a.exp()
        loss = b.sum()
        refs = [weakref.ref(a), weakref.ref(a.grad_fn), weakref.ref(b),
                weakref.ref(b.grad_fn), weakref.ref(a._data), weakref.ref(loss.grad_fn)]
        del a, b
        loss.backward()
        del loss
        assert [r() for r in refs] == [None] * len(refs)
        assert x.grad is not None
    finally:
        gc.enable()


def test_backward_frees_saved_arrays_while_graph_alive():
    x = ember.ones(3, requires_grad=True)
    b = (x * 2.0).exp()          # exp saves its output
    saved = weakref.ref(b._data)
    loss = b.sum()
    del b
    loss.backward()
    assert saved() is None       # freed by backward even though ``loss`` still holds the graph


def test_forward_backward_makes_no_reference_cycles():
    def step():
        x = ember.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
        w = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        h = ember.matmul(x, w).relu()
        h.retain_grad()
        h.register_hook(lambda g: g * 1.0)
        loss = (h.exp() * x).mean() + h.sum()
        loss.backward()
        g, = ember.autograd.grad((x * w).sum(), x, create_graph=True)
        g.sum().backward()
        return float(loss)

    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        step()
        gc.collect()
        ours = [o for o in gc.garbage
                if isinstance(o, (ember.Tensor, ember.autograd.Function, np.ndarray))]
        assert ours == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_long_chain_backpropagates_without_recursion_error():
    x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0001
    y.sum().backward()
    del y  # freeing a long chain must not recurse either
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 100_000] * 2, rtol=1e-9)


# ---------------------------------------------------------------- in-place
def test_version_counter_increments():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        a = x * 2.0
        v = [a._version]
        a.mul_(2.0)
        v.append(a._version)
        a.add_(1.0)
        v.append(a._version)
        b = a.detach()
        b.sub_(1.0)
        v.append((a._version, b._version))
        return v
    _same(run)


@LIBS
def test_modifying_saved_tensor_raises(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2.0
    b = a * a           # mul saves both inputs
    a.add_(1.0)
    with pytest.raises(RuntimeError, match="one of the variables needed for gradient "
                       "computation has been modified by an inplace operation"):
        b.sum().backward()


def test_multiplying_by_a_scalar_saves_only_the_scalar():
    """``a * 2.0`` keeps 2.0, not ``a`` (torch's MulBackward1): changing ``a`` afterwards in
    place is allowed and the gradient still flows."""
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1.0
        b = a * 2.0
        a.add_(1.0)
        (b * 3.0).sum().backward()
        return x.grad
    _same(run)


@LIBS
def test_modifying_saved_output_raises(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    b = (x * 1.0).exp()  # exp saves its output
    b.mul_(2.0)
    with pytest.raises(RuntimeError, match="one of the variables needed for gradient "
                       "computation has been modified by an inplace operation"):
        b.sum().backward()


def test_inplace_on_unsaved_tensor_backpropagates():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1.0
        a.mul_(3.0)
        a.add_(x)
        a.sum().backward()
        return x.grad, a.grad_fn.name()
    _same(run)


@LIBS
def test_inplace_on_leaf_requiring_grad_raises(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                       "in an in-place operation"):
        x.add_(1.0)


def test_inplace_on_leaf_under_no_grad_works():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        with L.no_grad():
            x.mul_(2.0)
            x.add_(1.0)
        (x * x).sum().backward()
        return x, x.requires_grad, x.is_leaf, x._version, x.grad
    _same(run)
