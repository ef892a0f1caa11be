"""The buffer pool hands a large array out again only once nothing else refers to it."""
import numpy as np

from ember.backend.pool import BufferPool

SHAPE = (64, 1024)        # 256 KiB of float32: above the pool's minimum


def _addr(a):
    return a.__array_interface__["data"][0]   # not a reference: holding one would keep it busy


def test_reuses_a_buffer_only_once_it_is_free():
    pool = BufferPool()
    a = pool.empty(np, SHAPE, np.float32)
    base = _addr(a)
    a[...] = 1
    b = pool.empty(np, SHAPE, np.float32)
    assert not np.shares_memory(a, b)          # a is still in use
    del a
    c = pool.empty(np, SHAPE, np.float32)
    assert _addr(c) == base and c.shape == SHAPE
    d = pool.empty(np, (1024, 64), np.float32)  # same size, other shape: another free buffer?
    assert not np.shares_memory(c, d)
    assert pool.empty(np, SHAPE, np.float64).dtype == np.float64


def test_views_and_user_arrays_keep_a_buffer_busy():
    pool = BufferPool()
    a = pool.empty(np, SHAPE, np.float32)
    view = a[1:, ::2]
    kept = [a.reshape(-1)]
    base = _addr(a)
    del a
    assert _addr(pool.empty(np, SHAPE, np.float32)) != base
    del view
    assert _addr(pool.empty(np, SHAPE, np.float32)) != base   # kept[0] still refers to it
    kept.clear()
    assert _addr(pool.empty(np, SHAPE, np.float32)) == base


def test_small_arrays_and_other_backends_are_not_pooled():
    pool = BufferPool()
    small = pool.empty(np, (4, 4), np.float32)
    assert small.base is None and pool.bufs == []

    class OtherBackend:
        @staticmethod
        def empty(shape, dtype):
            return ("other", shape, dtype)
    assert pool.empty(OtherBackend, SHAPE, np.float32)[0] == "other"


def test_limits_drop_free_buffers_first_then_serve_unpooled():
    pool = BufferPool()
    pool.limit = 2
    held = [pool.empty(np, SHAPE, np.float32) for _ in range(2)]
    extra = pool.empty(np, SHAPE, np.float32)      # both pooled ones busy: not pooled
    assert extra.base is None and len(pool.bufs) == 2
    held.pop()
    other = pool.empty(np, (32, 1024), np.float32)  # evicts the free one
    assert len(pool.bufs) == 2 and other.base is not None
    pool.max_bytes = pool.nbytes                    # no room for more bytes
    big = pool.empty(np, (128, 1024), np.float32)
    assert big.base is None and big.shape == (128, 1024)
    pool.clear()
    assert pool.bufs == [] and pool.nbytes == 0


def test_pooled_kernel_outputs_stay_intact_while_held():
    import ember
    import ember.nn.functional as F
    rng = np.random.default_rng(0)
    xs = [ember.tensor(rng.standard_normal((8, 16, 30, 30), dtype=np.float32)) for _ in range(3)]
    w = ember.tensor(rng.standard_normal((16, 16, 3, 3), dtype=np.float32))
    outs = [F.relu(F.conv2d(x, w)) for x in xs]
    expect = [np.maximum(F.conv2d(x, w).numpy(), 0) for x in xs]
    for o, e in zip(outs, expect):
        np.testing.assert_array_equal(o.numpy(), e)
