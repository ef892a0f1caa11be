"""Checkpoints in PyTorch's own zip format, a restricted unpickler, and safetensors.

``ember.save(obj, f)`` writes what ``torch.save`` writes (``archive/data.pkl`` pickling tensors
through ``torch._utils._rebuild_tensor_v2`` and storages as persistent ids, one
``archive/data/<key>`` record per storage, 64-byte aligned), so real ``torch.load`` reads it;
``ember.load`` reads torch's files back. Tensors that share a storage (views) still share it
after loading.

``weights_only=True`` (the default) admits only tensors, storages, containers and plain values:
any other global in the pickle raises :class:`pickle.UnpicklingError` and nothing is executed.
``weights_only=False`` loads arbitrary objects and must only be used on trusted files.
"""
from __future__ import annotations

import collections
import io
import os
import pickle
import struct
import tempfile
import zipfile

import numpy as _np

from . import dtypes as _dt
from ._tensor import Tensor, _make

__all__ = ["save", "load", "save_safetensors", "load_safetensors"]

# torch storage class name <-> numpy dtype
_STORAGE_DTYPES = {
    "FloatStorage": _np.float32, "DoubleStorage": _np.float64, "HalfStorage": _np.float16,
    "LongStorage": _np.int64, "IntStorage": _np.int32, "ShortStorage": _np.int16,
    "CharStorage": _np.int8, "ByteStorage": _np.uint8, "BoolStorage": _np.bool_,
    "ComplexFloatStorage": _np.complex64, "ComplexDoubleStorage": _np.complex128,
    "BFloat16Storage": "bfloat16",
}
_STORAGE_OF = {_np.dtype(v): k for k, v in _STORAGE_DTYPES.items() if v != "bfloat16"}


class _StorageType:
    """Stands for ``torch.<Name>Storage`` inside a pickle."""

    def __init__(self, name):
        self.name = name
        self.dtype = _STORAGE_DTYPES[name]

    def __repr__(self):
        return f"torch.{self.name}"


_STORAGE_TYPES = {name: _StorageType(name) for name in _STORAGE_DTYPES}


class _Storage:
    """A loaded storage: a flat array (shared by every tensor built on it)."""

    def __init__(self, array):
        self.array = array


def _from_bfloat16(raw: bytes):
    bits = _np.frombuffer(raw, dtype=_np.uint16).astype(_np.uint32) << 16
    return bits.view(_np.float32)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    arr = storage.array if isinstance(storage, _Storage) else storage
    item = arr.itemsize
    if len(size) == 0:
        view = arr[storage_offset:storage_offset + 1].reshape(())
    elif any(s == 0 for s in size):
        view = _np.empty(tuple(size), arr.dtype)
    else:
        extent = 1 + sum((n - 1) * s for n, s in zip(size, stride))
        if storage_offset + extent > arr.size or any(s < 0 for s in stride):
            raise RuntimeError(f"tensor of size {list(size)} and stride {list(stride)} at offset "
                               f"{storage_offset} does not fit its storage of {arr.size} elements")
        view = _np.lib.stride_tricks.as_strided(
            arr[storage_offset:], shape=tuple(size), strides=tuple(s * item for s in stride))
    t = _make(view, False, None, 0)
    if requires_grad and view.dtype.kind in "fc":
        t.requires_grad = True
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks=None, *args):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad, backward_hooks)
    if state:
        p.__dict__.update(state if isinstance(state, dict) else {})
    return p


def _rebuild_tensor_from_numpy(array, requires_grad=False):
    """How ember.Tensor pickles itself outside checkpoints (e.g. to DataLoader workers)."""
    t = _make(array, False, None, 0)
    if requires_grad:
        t.requires_grad = True
    return t


def _device_from_str(s):
    from .backend import device
    return device(s)


def _size(*args):
    from ._tensor import Size
    return Size(*args)


# ----------------------------------------------------------------------------------- loading
_SAFE_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "defaultdict"): collections.defaultdict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
    ("builtins", "slice"): slice,
    ("builtins", "range"): range,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
    ("torch", "Size"): _size,
    ("torch", "device"): _device_from_str,
    ("ember.serialization", "_rebuild_tensor_from_numpy"): _rebuild_tensor_from_numpy,
    ("numpy.core.multiarray", "_reconstruct"): None,  # refused below (arbitrary ndarray)
}
for _name in _STORAGE_DTYPES:
    _SAFE_GLOBALS[("torch", _name)] = _STORAGE_TYPES[_name]
for _d in _dt.ALL:
    _SAFE_GLOBALS[("torch", _d.name)] = _d
    _SAFE_GLOBALS[("ember.dtypes", "_dtype_by_name")] = _dt._dtype_by_name


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, read_record, weights_only, map_location):
        super().__init__(file)
        self._read_record = read_record
        self._weights_only = weights_only
        self._storages = {}
        self._map_location = map_location

    def find_class(self, module, name):
        key = (module, name)
        found = _SAFE_GLOBALS.get(key)
        if found is not None:
            return found
        if self._weights_only:
            raise pickle.UnpicklingError(
                f"Weights only load failed: unsupported global {module}.{name} in the "
                "checkpoint. weights_only=True admits only tensors, containers and plain values; "
                "re-run with weights_only=False only if you trust the source of this file "
                "(it can execute arbitrary code).")
        if module.startswith("torch"):
            return _torch_global_to_ember(module, name)
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        _, storage_type, key, location, numel = pid
        key = str(key)
        if key in self._storages:
            return self._storages[key]
        raw = self._read_record(key)
        if isinstance(storage_type, _StorageType):
            dtype = storage_type.dtype
        elif isinstance(storage_type, _dt.dtype):
            dtype = storage_type.np
        else:
            raise pickle.UnpicklingError(f"unsupported storage type {storage_type!r}")
        if dtype == "bfloat16":
            arr = _from_bfloat16(raw)
        else:
            arr = _np.frombuffer(raw, dtype=dtype).copy()
        if arr.size != numel:
            raise RuntimeError(f"storage {key} holds {arr.size} elements, expected {numel}")
        storage = _Storage(arr)
        self._storages[key] = storage
        return storage


def _torch_global_to_ember(module, name):
    import importlib
    target = "ember" + module[len("torch"):]
    try:
        mod = importlib.import_module(target)
        return getattr(mod, name)
    except (ImportError, AttributeError):
        raise pickle.UnpicklingError(f"ember has no equivalent of {module}.{name}") from None


def _open_zip(f, name):
    try:
        return zipfile.ZipFile(f)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError) as e:
        # NotImplementedError: a corrupt header claiming a zip version zipfile lacks
        raise RuntimeError(f"{name} is not a valid checkpoint (not a PyTorch zip archive: "
                           f"{e}). Truncated or corrupt file?") from None


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Load an object saved with :func:`ember.save` or ``torch.save`` from a file.

    ``weights_only=True`` (the default) refuses anything but tensors, containers and plain
    values; use ``weights_only=False`` only for files you trust (it can run arbitrary code).
    """
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", repr(f))
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            data = fh.read()
        f = io.BytesIO(data)
    with _open_zip(f, name) as zf:
        names = zf.namelist()
        pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
        if not pkl:
            raise RuntimeError(f"{name} is not a valid checkpoint: no data.pkl record")
        prefix = pkl[0][: -len("data.pkl")]

        def read_record(key):
            try:
                return zf.read(prefix + "data/" + key)
            except (KeyError, zipfile.BadZipFile, EOFError, OSError) as e:
                raise RuntimeError(f"{name}: storage record {key} is missing or corrupt "
                                   f"({e})") from None
        try:
            raw = zf.read(pkl[0])
            obj = _Unpickler(io.BytesIO(raw), read_record, weights_only, map_location).load()
        except pickle.UnpicklingError:
            raise
        except RuntimeError as e:
            if name in str(e):
                raise
            raise RuntimeError(f"{name}: {e}") from None
        except Exception as e:  # noqa: BLE001 - any decoding failure is a corrupt file
            raise RuntimeError(f"{name} is not a valid checkpoint: {type(e).__name__}: "
                               f"{e}") from None
    return _map_location(obj, map_location)


def _map_location(obj, map_location):
    if map_location is None or map_location in ("cpu",):
        return obj
    from .backend import device
    if callable(map_location):
        return obj  # storages are already on the CPU: the identity map_location
    if isinstance(map_location, dict):
        target = map_location.get("cpu", "cpu")
    else:
        target = map_location
    dev = device(target)
    if dev.type == "cpu":
        return obj
    return _apply_tensors(obj, lambda t: t.to(dev))


def _apply_tensors(obj, fn):
    if isinstance(obj, Tensor):
        return fn(obj)
    if isinstance(obj, dict):
        out = type(obj)() if not isinstance(obj, collections.defaultdict) else obj.copy()
        for k, v in obj.items():
            out[k] = _apply_tensors(v, fn)
        return out
    if isinstance(obj, list):
        return [_apply_tensors(v, fn) for v in obj]
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(_apply_tensors(v, fn) for v in obj)
    return obj


# ----------------------------------------------------------------------------------- saving
def _root(arr):
    base = arr
    while isinstance(base.base, _np.ndarray):
        base = base.base
    return base


class _Pickler(pickle._Pickler):
    """Pure-Python pickler that writes torch's globals for ember's tensors, dtypes and
    storages, so the file reads as torch's own checkpoint."""

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages = {}   # id(root array) -> (key, root array)
        self.records = []    # (key, bytes)

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return ("storage", _STORAGE_TYPES[obj.type_name], obj.key, "cpu", obj.numel)
        return None

    def _write_global(self, module, name, obj):
        self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode())
        self.memoize(obj)

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        return NotImplemented

    def save(self, obj, save_persistent_id=True):
        # pickle's dispatch table calls the base class's save_global, so torch's names for
        # ember's rebuild functions, dtypes and storage types are written here
        if isinstance(obj, (_dt.dtype, _StorageType)):
            name = ("torch", obj.name)
        elif obj is _rebuild_tensor_v2 or obj is _rebuild_parameter:
            name = ("torch._utils", obj.__name__)
        else:
            super().save(obj, save_persistent_id)
            return
        memo = self.memo.get(id(obj))
        if memo is not None:
            self.write(self.get(memo[0]))
        else:
            self._write_global(*name, obj)

    def _storage_for(self, arr):
        """(storage ref, element offset, element strides) for a CPU array, sharing the root
        buffer between views when its layout allows it."""
        root = _root(arr)
        shareable = (root.dtype == arr.dtype and root.flags.c_contiguous
                     and all(s >= 0 for s in arr.strides))
        if shareable:
            offset_bytes = arr.__array_interface__["data"][0] - \
                root.__array_interface__["data"][0]
            if offset_bytes % arr.itemsize or any(s % arr.itemsize for s in arr.strides):
                shareable = False
        if not shareable:
            root = _np.ascontiguousarray(arr)
            offset_bytes = 0
        entry = self.storages.get(id(root))
        if entry is None:
            key = str(len(self.storages))
            flat = root.reshape(-1)
            ref = _StorageRef(key, _STORAGE_OF[root.dtype], flat.size)
            entry = (ref, root)
            self.storages[id(root)] = entry
            self.records.append((key, flat.tobytes()))
        ref = entry[0]
        if arr is not root and not shareable:
            strides = tuple(s // arr.itemsize for s in root.strides)
        else:
            strides = tuple(s // arr.itemsize for s in arr.strides)
        return ref, offset_bytes // arr.itemsize, strides

    def _reduce_tensor(self, t):
        arr = t._host()
        if arr.dtype not in _STORAGE_OF:
            raise TypeError(f"cannot save a tensor of dtype {arr.dtype}")
        ref, offset, strides = self._storage_for(arr)
        from .nn.parameter import Parameter
        args = (ref, offset, tuple(arr.shape), strides,
                bool(t._requires_grad) and not isinstance(t, Parameter),
                collections.OrderedDict())
        if isinstance(t, Parameter):
            inner = _RebuildCall(args)
            return (_rebuild_parameter, (inner, bool(t._requires_grad),
                                         collections.OrderedDict()))
        return (_rebuild_tensor_v2, args)


class _RebuildCall:
    """A plain tensor inside a Parameter's pickle (saved as a nested rebuild call)."""

    def __init__(self, args):
        self.args = args

    def __reduce__(self):
        return (_rebuild_tensor_v2, self.args)


class _StorageRef:
    def __init__(self, key, type_name, numel):
        self.key, self.type_name, self.numel = key, type_name, numel


def _aligned_write(zf, name, data, alignment=64):
    """Write a stored (uncompressed) record whose data starts on an ``alignment`` boundary, as
    torch does, by padding the local header's extra field ('FB' id, like torch)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    header_start = zf.fp.tell() if hasattr(zf, "fp") and zf.fp is not None else 0
    base = header_start + 30 + len(name.encode())
    pad = (-(base + 4)) % alignment
    info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    zf.writestr(info, data)


def _write_archive(fileobj, obj, archive="archive"):
    buf = io.BytesIO()
    pickler = _Pickler(buf)
    pickler.dump(obj)
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED) as zf:
        _aligned_write(zf, f"{archive}/data.pkl", buf.getvalue())
        _aligned_write(zf, f"{archive}/.format_version", b"1")
        _aligned_write(zf, f"{archive}/.storage_alignment", b"64")
        _aligned_write(zf, f"{archive}/byteorder", b"little")
        for key, raw in pickler.records:
            _aligned_write(zf, f"{archive}/data/{key}", raw)
        _aligned_write(zf, f"{archive}/version", b"3\n")
        _aligned_write(zf, f"{archive}/.data/serialization_id",
                       str(int.from_bytes(os.urandom(16), "little")).encode())


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True):
    """Save an object to a disk file in PyTorch's checkpoint format.

    Writing a path is atomic: the file is written beside the destination and renamed over it,
    so a crash mid-save leaves any previous checkpoint intact.
    """
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        directory = os.path.dirname(os.path.abspath(path))
        archive = os.path.splitext(os.path.basename(path))[0] or "archive"
        fd, tmp = tempfile.mkstemp(prefix=".ember-save-", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                _write_archive(fh, obj, archive)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    else:
        _write_archive(f, obj)


# ----------------------------------------------------------------------------------- safetensors
def _safetensors_numpy():
    try:
        import safetensors.numpy as stn
    except ImportError:
        raise ImportError("safetensors support needs the optional extra: "
                          "pip install 'ember[safetensors]'") from None
    return stn


def save_safetensors(tensors: dict, path, metadata: dict | None = None):
    """Save a flat dict of name -> Tensor as a ``.safetensors`` file."""
    stn = _safetensors_numpy()
    arrays = {k: _np.ascontiguousarray(v._host() if isinstance(v, Tensor) else v)
              for k, v in tensors.items()}
    stn.save_file(arrays, os.fspath(path), metadata=metadata)


def load_safetensors(path, device="cpu") -> dict:
    """Load a ``.safetensors`` file as a dict of name -> Tensor."""
    stn = _safetensors_numpy()
    return {k: _make(_np.array(v), False, None, 0) for k, v in
            stn.load_file(os.fspath(path)).items()}
