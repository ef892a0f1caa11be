"""What runs inside a DataLoader worker process, and how batches travel back.

Large arrays travel through shared memory (a file in /dev/shm the worker writes and the main
process maps, then unlinks) instead of being pickled through the result pipe.
"""
from __future__ import annotations

import itertools
import os
import queue
import random
import sys
import traceback

import numpy as _np

__all__ = ["WorkerInfo", "get_worker_info"]

_SHM_DIR = "/dev/shm"
_SHM_MIN_BYTES = 1 << 16
_shm_counter = itertools.count()
_worker_info = None


class WorkerInfo:
    """Information about the current DataLoader worker process: ``id``, ``num_workers``,
    ``seed`` and ``dataset`` (this worker's copy)."""

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__dict__.get("_WorkerInfo__initialized", False):
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = [f"{k}={getattr(self, k)}" for k in self.__keys]
        return f"{self.__class__.__name__}({', '.join(items)})"


def get_worker_info():
    """Return the :class:`WorkerInfo` of the current worker, or None in the main process."""
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback."""

    def __init__(self, exc_info, where):
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except TypeError:
            raise RuntimeError(msg) from None
        raise exception


class KeyErrorMessage(str):
    def __repr__(self):
        return self


class _IterableDatasetStopIteration:
    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ShmArray:
    """A marker for an array placed in shared memory by a worker."""

    def __init__(self, path, shape, dtype):
        self.path, self.shape, self.dtype = path, shape, dtype

    def attach(self):
        import mmap
        nbytes = int(_np.prod(self.shape)) * _np.dtype(self.dtype).itemsize
        fd = os.open(self.path, os.O_RDWR)
        try:
            buf = mmap.mmap(fd, nbytes)
        finally:
            os.close(fd)
            os.unlink(self.path)
        return _np.frombuffer(buf, dtype=self.dtype).reshape(self.shape)


class _ShmTensor:
    def __init__(self, arr, requires_grad):
        self.arr, self.requires_grad = arr, requires_grad


def _to_shm(arr):
    import mmap
    path = f"{_SHM_DIR}/ember_{os.getpid()}_{next(_shm_counter)}"
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    try:
        os.ftruncate(fd, arr.nbytes)
        with mmap.mmap(fd, arr.nbytes) as buf:
            _np.frombuffer(buf, dtype=arr.dtype).reshape(arr.shape)[...] = arr
    finally:
        os.close(fd)
    return _ShmArray(path, arr.shape, arr.dtype.str)


def pack(obj):
    """Replace large tensors in a batch by shared-memory markers (in the worker)."""
    from ..._tensor import Tensor
    if isinstance(obj, Tensor):
        arr = obj._host()
        if arr.nbytes >= _SHM_MIN_BYTES and os.path.isdir(_SHM_DIR) and arr.dtype.kind != "O":
            return _ShmTensor(_to_shm(_np.ascontiguousarray(arr)), obj.requires_grad)
        return obj
    if isinstance(obj, dict):
        try:
            return type(obj)((k, pack(v)) for k, v in obj.items())
        except TypeError:
            return {k: pack(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(pack(v) for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(pack(v) for v in obj)
    return obj


def unpack(obj):
    """Turn shared-memory markers back into tensors (in the main process, zero-copy)."""
    from ..._tensor import _make
    if isinstance(obj, _ShmTensor):
        t = _make(obj.arr.attach(), False, None, 0)
        if obj.requires_grad:
            t.requires_grad = True
        return t
    if isinstance(obj, dict):
        try:
            return type(obj)((k, unpack(v)) for k, v in obj.items())
        except TypeError:
            return {k: unpack(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(unpack(v) for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(unpack(v) for v in obj)
    return obj


def discard_files_of(pid):
    """Unlink the shared-memory files a (finished) worker left behind."""
    import glob
    for path in glob.glob(f"{_SHM_DIR}/ember_{pid}_*"):
        try:
            os.unlink(path)
        except OSError:
            pass


def _seed_everything(seed):
    from ...ops.random import manual_seed
    random.seed(seed)
    manual_seed(seed)
    # numpy's global RNG too, with a seed derived per worker (as torch >= 1.9 does)
    _np.random.seed(seed % (2 ** 32))


def worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                batch_size):
    global _worker_info
    try:
        seed = base_seed + worker_id
        _seed_everything(seed)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _make_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                    drop_last, batch_size)
        except Exception:  # noqa: BLE001 - reported to the main process
            init_exception = ExceptionWrapper(sys.exc_info(),
                                              f"in DataLoader worker process {worker_id}")
        iteration_end = False
        while not done_event.is_set():
            try:
                r = index_queue.get(timeout=1.0)
            except queue.Empty:
                continue
            if r is None:
                break
            idx, index = r
            if init_exception is not None:
                data = init_exception
                init_exception = None
            elif iteration_end:
                data = _IterableDatasetStopIteration(worker_id)
            else:
                try:
                    data = pack(fetcher(index))
                except StopIteration:
                    data = _IterableDatasetStopIteration(worker_id)
                    iteration_end = True
                except Exception:  # noqa: BLE001 - reported to the main process
                    data = ExceptionWrapper(sys.exc_info(),
                                            f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
    except KeyboardInterrupt:
        pass
    finally:
        data_queue.cancel_join_thread()


def _make_fetcher(kind, dataset, auto_collation, collate_fn, drop_last, batch_size):
    if kind == "map":
        getitems = getattr(dataset, "__getitems__", None)

        def fetch(index):
            if auto_collation:
                data = getitems(index) if getitems is not None else [dataset[i] for i in index]
            else:
                data = dataset[index]
            return collate_fn(data)
        return fetch
    it = iter(dataset)

    def fetch_iter(_index):
        if auto_collation:
            data = []
            for _ in range(batch_size):
                try:
                    data.append(next(it))
                except StopIteration:
                    break
            if len(data) == 0 or (drop_last and len(data) < batch_size):
                raise StopIteration
        else:
            data = next(it)
        return collate_fn(data)
    return fetch_iter
