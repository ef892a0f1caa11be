"""nn.utils.rnn: packed sequences (variable-length batches for the RNN layers) and padding.

The data moves through differentiable ember ops (one gather each way: ``index_select`` with a
precomputed row map); the index bookkeeping is integer arithmetic on the CPU.
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable

from ...backend.cpu import xp as _cpu

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]


def _long(arr, device=None):
    from ... import tensor, int64
    t = tensor(_cpu.asarray(arr, dtype=_cpu.int64), dtype=int64)
    return t if device is None or str(device) == "cpu" else t.to(device)


def _bind(optional, fn):
    return None if optional is None else fn(optional)


class PackedSequence(namedtuple("PackedSequence_",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Holds the data and list of :attr:`batch_sizes` of a packed sequence.

    All RNN modules accept packed sequences as inputs.

    Note:
        Instances of this class should never be created manually. They are meant
        to be instantiated by functions like :func:`pack_padded_sequence`.

        Batch sizes represent the number elements at each sequence step in
        the batch, not the varying sequence lengths passed to
        :func:`pack_padded_sequence`.  For instance, given data ``abc`` and ``x``
        the :class:`PackedSequence` would contain data ``axbc`` with
        ``batch_sizes=[2,1,1]``.

    Attributes:
        data (Tensor): Tensor containing packed sequence
        batch_sizes (Tensor): Tensor of integers holding
            information about the batch size at each sequence step
        sorted_indices (Tensor, optional): Tensor of integers holding how this
            :class:`PackedSequence` is constructed from sequences.
        unsorted_indices (Tensor, optional): Tensor of integers holding how this
            to recover the original sequences with correct order.
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        elif getattr(batch_sizes, "device", None) is not None and \
                batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never "
                "be created manually. They should be instantiated by functions like "
                "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def __repr__(self):
        return (f"PackedSequence(data={self.data!r}, batch_sizes={self.batch_sizes!r}, "
                f"sorted_indices={self.sorted_indices!r}, "
                f"unsorted_indices={self.unsorted_indices!r})")

    def to(self, *args, **kwargs):
        """Performs dtype and/or device conversion on `self.data`, as :meth:`Tensor.to`;
        the indices follow the data's device, ``batch_sizes`` stays on the CPU."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def call_to(t):
            return t.to(data.device)
        return type(self)(data, self.batch_sizes, _bind(self.sorted_indices, call_to),
                          _bind(self.unsorted_indices, call_to))

    def cuda(self, *args, **kwargs):
        return self.to(*args, device=kwargs.pop("device", "cuda"), **kwargs)

    def cpu(self, *args, **kwargs):
        return self.to(*args, device="cpu", **kwargs)

    def pin_memory(self):
        return self

    def double(self):
        from ... import float64
        return self.to(dtype=float64)

    def float(self):
        from ... import float32
        return self.to(dtype=float32)

    def half(self):
        from ... import float16
        return self.to(dtype=float16)

    def long(self):
        from ... import int64
        return self.to(dtype=int64)

    def int(self):
        from ... import int32
        return self.to(dtype=int32)

    def short(self):
        from ... import int16
        return self.to(dtype=int16)

    def char(self):
        from ... import int8
        return self.to(dtype=int8)

    def byte(self):
        from ... import uint8
        return self.to(dtype=uint8)

    @property
    def is_cuda(self):
        """Returns true if `self.data` stored on a gpu."""
        return self.data.is_cuda

    def is_pinned(self):
        """Returns true if `self.data` stored on in pinned memory."""
        return False


def invert_permutation(permutation):
    """Returns the inverse of ``permutation``: ``output[permutation[i]] = i``."""
    if permutation is None:
        return None
    p = _cpu.asarray(permutation.cpu().numpy() if hasattr(permutation, "numpy") else permutation)
    inv = _cpu.empty_like(p)
    inv[p] = _cpu.arange(p.size)
    return _long(inv, getattr(permutation, "device", None))


def _lengths_array(lengths):
    if hasattr(lengths, "dim"):
        if lengths.dim() != 1:
            raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{lengths.dim()}D {lengths.device} Long tensor")
        return _cpu.asarray(lengths.cpu().numpy()).astype(_cpu.int64)
    return _cpu.asarray(list(lengths), dtype=_cpu.int64).reshape(-1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a Tensor containing padded sequences of variable length.

    :attr:`input` can be of size ``T x B x *`` (if :attr:`batch_first` is ``False``)
    or ``B x T x *`` (if :attr:`batch_first` is ``True``) where ``T`` is the length
    of the longest sequence, ``B`` is the batch size, and ``*`` is any number of dimensions
    (including 0).

    For unsorted sequences, use `enforce_sorted = False`. If :attr:`enforce_sorted` is
    ``True``, the sequences should be sorted by length in a decreasing order.

    Args:
        input (Tensor): padded batch of variable length sequences.
        lengths (Tensor or list(int)): list of sequence lengths of each batch
            element (must be on the CPU if provided as a tensor).
        batch_first (bool, optional): if ``True``, the input is expected in ``B x T x *``
            format, ``T x B x *`` otherwise. Default: ``False``.
        enforce_sorted (bool, optional): if ``True``, the input is expected to
            contain sequences sorted by length in a decreasing order. If
            ``False``, the input will get sorted unconditionally. Default: ``True``.

    Returns:
        a :class:`PackedSequence` object
    """
    lens = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    if input.dim() < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(input.dim(), 1)}, {max(input.dim(), 1) - 1}], but got 1)")
    sorted_indices = None
    if not enforce_sorted:
        order = _cpu.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = _long(order, input.device)
        input = input.index_select(batch_dim, sorted_indices)
    B = input.shape[batch_dim]
    if lens.shape[0] != B:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lens.shape[0]} (batch_size={B})")
    if (lens[1:] > lens[:-1]).any():
        raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                           "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                           "pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    if (lens <= 0).any():
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    T = input.shape[1 - batch_dim]
    steps = _cpu.arange(int(lens[0]))
    batch_sizes = (lens[None, :] > steps[:, None]).sum(1)
    t_idx, b_idx = _cpu.nonzero(lens[None, :] > steps[:, None])   # time-major order
    rows = b_idx * T + t_idx if batch_first else t_idx * B + b_idx
    flat = input.reshape(-1, *input.shape[2:])
    data = flat.index_select(0, _long(rows, input.device))
    return PackedSequence(data, _long(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Pads a packed batch of variable length sequences.

    It is an inverse operation to :func:`pack_padded_sequence`.

    The returned Tensor's data will be of size ``T x B x *`` (if :attr:`batch_first` is
    ``False``) or ``B x T x *`` (if :attr:`batch_first` is ``True``), where ``T`` is the
    length of the longest sequence and ``B`` is the batch size.

    Args:
        sequence (PackedSequence): batch to pad
        batch_first (bool, optional): if ``True``, the output will be in ``B x T x *``
            format, ``T x B x *`` otherwise.
        padding_value (float, optional): values for padded elements.
        total_length (int, optional): if not ``None``, the output will be padded to
            have length :attr:`total_length`.

    Returns:
        Tuple of Tensor containing the padded sequence, and a Tensor
        containing the list of lengths of each sequence in the batch.
    """
    import ember
    bs = _cpu.asarray(sequence.batch_sizes.numpy()).astype(_cpu.int64)
    max_seq_length = bs.shape[0]
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {max_seq_length}")
        max_seq_length = total_length
    data = sequence.data
    B = int(bs[0])
    N = data.shape[0]
    offsets = _cpu.concatenate(([0], _cpu.cumsum(bs)[:-1]))
    t = _cpu.arange(max_seq_length)[:, None]
    b = _cpu.arange(B)[None, :]
    valid = t < bs.shape[0]
    tt = _cpu.minimum(t, bs.shape[0] - 1)
    rows = _cpu.where(valid & (b < bs[tt]), offsets[tt] + b, N)     # (T, B); N = padding
    if batch_first:
        rows = rows.T
    pad = ember.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype,
                     device=data.device)
    ext = ember.cat([data, pad])
    out = ext.index_select(0, _long(rows.reshape(-1), data.device))
    out = out.reshape(*(rows.shape + tuple(data.shape[1:])))
    lengths = (bs[None, :] > _cpu.arange(B)[:, None]).sum(1)
    unsorted_indices = sequence.unsorted_indices
    if unsorted_indices is not None:
        batch_dim = 0 if batch_first else 1
        u = _cpu.asarray(unsorted_indices.cpu().numpy())
        return out.index_select(batch_dim, unsorted_indices), _long(lengths[u])
    return out, _long(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Pad a list of variable length Tensors with :attr:`padding_value`.

    ``pad_sequence`` stacks a list of Tensors along a new dimension, and pads them to equal
    length. :attr:`sequences` can be list of sequences with size ``L x *``, where `L` is
    length of the sequence and ``*`` is any number of dimensions (including ``0``). If
    :attr:`batch_first` is ``False``, the output is of size ``T x B x *``, and ``B x T x *``
    otherwise.

    Args:
        sequences (list[Tensor]): list of variable length sequences.
        batch_first (bool, optional): if ``True``, the output will be in ``B x T x *``
            format, ``T x B x *`` otherwise.
        padding_value (float, optional): value for padded elements. Default: ``0``.
        padding_side (str, optional): the side to pad the sequences on.
            Default: ``'right'``.

    Returns:
        Tensor of size ``T x B x *`` if :attr:`batch_first` is ``False``.
        Tensor of size ``B x T x *`` otherwise
    """
    import ember
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}.")
    first = sequences[0]
    rest = tuple(first.shape[1:])
    lens = _cpu.asarray([s.shape[0] for s in sequences], dtype=_cpu.int64)
    T = int(lens.max())
    N = int(lens.sum())
    offsets = _cpu.concatenate(([0], _cpu.cumsum(lens)[:-1]))
    t = _cpu.arange(T)[:, None]
    shift = (T - lens)[None, :] if padding_side == "left" else 0
    pos = t - shift
    rows = _cpu.where((pos >= 0) & (pos < lens[None, :]), offsets[None, :] + pos, N)  # (T, B)
    if batch_first:
        rows = rows.T
    pad = ember.full((1,) + rest, padding_value, dtype=first.dtype, device=first.device)
    ext = ember.cat(list(sequences) + [pad])
    out = ext.index_select(0, _long(rows.reshape(-1), first.device))
    return out.reshape(*(rows.shape + rest))


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Unpad padded Tensor into a list of variable length Tensors.

    ``unpad_sequence`` unstacks padded Tensor into a list of variable length Tensors.

    Args:
        padded_sequences (Tensor): padded sequences.
        lengths (Tensor): length of original (unpadded) sequences.
        batch_first (bool, optional): whether batch dimension first or not. Default: False.

    Returns:
        a list of :class:`Tensor` objects
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = _lengths_array(lengths) if not isinstance(lengths, (list, tuple)) else lengths
    if len(lens) != padded_sequences.shape[0]:
        raise ValueError("zip() argument 2 is shorter than argument 1"
                         if len(lens) < padded_sequences.shape[0] else
                         "zip() argument 2 is longer than argument 1")
    return [seq[:int(n)] for seq, n in zip(padded_sequences, lens)]


def pack_sequence(sequences, enforce_sorted=True):
    """Packs a list of variable length Tensors.

    Consecutive call of the next functions: ``pad_sequence``, ``pack_padded_sequence``.

    ``sequences`` should be a list of Tensors of size ``L x *``, where `L` is
    the length of a sequence and `*` is any number of trailing dimensions,
    including ``0``.

    Args:
        sequences (list[Tensor]): A list of sequences of decreasing length.
        enforce_sorted (bool, optional): if ``True``, checks that the input
            contains sequences sorted by length in a decreasing order. If
            ``False``, this condition is not checked. Default: ``True``.

    Returns:
        a :class:`PackedSequence` object
    """
    lengths = [v.size(0) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Unpack PackedSequence into a list of variable length Tensors.

    ``packed_sequences`` should be a PackedSequence object.

    Args:
        packed_sequences (PackedSequence): A PackedSequence object.

    Returns:
        a list of :class:`Tensor` objects
    """
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)
