"""Embedding layers: Embedding, EmbeddingBag."""
from __future__ import annotations

from ..parameter import Parameter
from .. import functional as F
from .. import init
from .module import Module

__all__ = ["Embedding", "EmbeddingBag"]


def _check_padding_idx(padding_idx, num_embeddings, what):
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num_embeddings:
                raise AssertionError(f"{what} must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num_embeddings:
                raise AssertionError(f"{what} must be within num_embeddings")
            padding_idx = num_embeddings + padding_idx
    return padding_idx


def _zero_row(weight, padding_idx):
    if padding_idx is not None:
        weight._data[padding_idx] = 0
        weight._bump_version()


class Embedding(Module):
    r"""A simple lookup table that stores embeddings of a fixed dictionary and size.

    This module is often used to store word embeddings and retrieve them using indices. The
    input to the module is a list of indices, and the output is the corresponding word
    embeddings.

    Args:
        num_embeddings (int): size of the dictionary of embeddings
        embedding_dim (int): the size of each embedding vector
        padding_idx (int, optional): If specified, the entries at :attr:`padding_idx` do not
            contribute to the gradient; therefore, the embedding vector at
            :attr:`padding_idx` is not updated during training, i.e. it remains as a fixed
            "pad". For a newly constructed Embedding, the embedding vector at
            :attr:`padding_idx` will default to all zeros, but can be updated to another value
            to be used as the padding vector.
        max_norm (float, optional): If given, each embedding vector with norm larger than
            :attr:`max_norm` is renormalized to have norm :attr:`max_norm`.
        norm_type (float, optional): The p of the p-norm to compute for the :attr:`max_norm`
            option. Default ``2``.
        scale_grad_by_freq (bool, optional): If given, this will scale gradients by the
            inverse of frequency of the words in the mini-batch. Default ``False``.
        sparse (bool, optional): If ``True``, gradient w.r.t. :attr:`weight` matrix will be a
            sparse tensor (not supported by ember).

    Attributes:
        weight (Tensor): the learnable weights of the module of shape (num_embeddings,
            embedding_dim) initialized from :math:`\mathcal{N}(0, 1)`

    Shape:
        - Input: :math:`(*)`, IntTensor or LongTensor of arbitrary shape containing the
          indices to extract
        - Output: :math:`(*, H)`, where `*` is the input shape and
          :math:`H=\text{embedding\_dim}`
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx=None,
                 max_norm=None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight=None, _freeze: bool = False, device=None,
                 dtype=None) -> None:
        from ...ops.creation import empty
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _check_padding_idx(padding_idx, num_embeddings, "Padding_idx")
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if _weight is None:
            self.weight = Parameter(empty((num_embeddings, embedding_dim), device=device,
                                          dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)
        self.sparse = sparse

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        _zero_row(self.weight, self.padding_idx)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = "{num_embeddings}, {embedding_dim}"
        if self.padding_idx is not None:
            s += ", padding_idx={padding_idx}"
        if self.max_norm is not None:
            s += ", max_norm={max_norm}"
        if self.norm_type != 2:
            s += ", norm_type={norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq={scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s.format(**self.__dict__)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        r"""Create Embedding instance from given 2-dimensional FloatTensor.

        Args:
            embeddings (Tensor): FloatTensor containing weights for the Embedding. First
                dimension is being passed to Embedding as ``num_embeddings``, second as
                ``embedding_dim``.
            freeze (bool, optional): If ``True``, the tensor does not get updated in the
                learning process. Equivalent to ``embedding.weight.requires_grad = False``.
                Default: ``True``
            padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse: see
                :class:`Embedding`.
        """
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


class EmbeddingBag(Module):
    r"""Compute sums or means of 'bags' of embeddings, without instantiating the intermediate
    embeddings.

    For bags of constant length, no :attr:`per_sample_weights`, no indices equal to
    :attr:`padding_idx`, and with 2D inputs, this class

        * with ``mode="sum"`` is equivalent to :class:`~ember.nn.Embedding` followed by
          ``torch.sum(dim=1)``,
        * with ``mode="mean"`` is equivalent to :class:`~ember.nn.Embedding` followed by
          ``torch.mean(dim=1)``,
        * with ``mode="max"`` is equivalent to :class:`~ember.nn.Embedding` followed by
          ``torch.max(dim=1)``.

    Args:
        num_embeddings (int): size of the dictionary of embeddings
        embedding_dim (int): the size of each embedding vector
        max_norm (float, optional): If given, each embedding vector with norm larger than
            :attr:`max_norm` is renormalized to have norm :attr:`max_norm`.
        norm_type (float, optional): The p of the p-norm to compute for the :attr:`max_norm`
            option. Default ``2``.
        scale_grad_by_freq (bool, optional): if given, this will scale gradients by the
            inverse of frequency of the words in the mini-batch. Default ``False``.
        mode (str, optional): ``"sum"``, ``"mean"`` or ``"max"``. Default: ``"mean"``
        sparse (bool, optional): not supported by ember.
        include_last_offset (bool, optional): if ``True``, :attr:`offsets` has one additional
            element, where the last element is equivalent to the size of `indices`.
        padding_idx (int, optional): If specified, the entries at :attr:`padding_idx` do not
            contribute to the gradient and are excluded from the reduction.

    Attributes:
        weight (Tensor): the learnable weights of the module of shape
            `(num_embeddings, embedding_dim)` initialized from :math:`\mathcal{N}(0, 1)`.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm=None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, _weight=None, include_last_offset: bool = False,
                 padding_idx=None, device=None, dtype=None) -> None:
        from ...ops.creation import empty
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.padding_idx = _check_padding_idx(padding_idx, num_embeddings, "padding_idx")
        if _weight is None:
            self.weight = Parameter(empty((num_embeddings, embedding_dim), device=device,
                                          dtype=dtype))
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight)
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        _zero_row(self.weight, self.padding_idx)

    def forward(self, input, offsets=None, per_sample_weights=None):
        """Forward pass of EmbeddingBag: ``input`` (1D with ``offsets``, or 2D bags of equal
        length), optional ``per_sample_weights`` (mode ``"sum"`` only)."""
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                               self.scale_grad_by_freq, self.mode, self.sparse,
                               per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self) -> str:
        s = "{num_embeddings}, {embedding_dim}"
        if self.max_norm is not None:
            s += ", max_norm={max_norm}"
        if self.norm_type != 2:
            s += ", norm_type={norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq={scale_grad_by_freq}"
        s += ", mode={mode}"
        if self.padding_idx is not None:
            s += ", padding_idx={padding_idx}"
        return s.format(**{k: repr(v) for k, v in self.__dict__.items()})

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, mode="mean", sparse=False,
                        include_last_offset=False, padding_idx=None):
        r"""Create EmbeddingBag instance from given 2-dimensional FloatTensor (``freeze``:
        the weight does not get updated in the learning process)."""
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        bag = cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings,
                  max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq,
                  mode=mode, sparse=sparse, include_last_offset=include_last_offset,
                  padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
