"""Attention layers: MultiheadAttention (torch keeps it in activation.py)."""
from __future__ import annotations

from ...ops import attention as _A
from .. import init
from ..parameter import Parameter
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """A :class:`Linear` (torch's marker subclass for MultiheadAttention's output projection,
    so that its name and repr match)."""


class MultiheadAttention(Module):
    r"""Allows the model to jointly attend to information from different representation
    subspaces.

    Multi-Head Attention is defined as:

    .. math::
        \text{MultiHead}(Q, K, V) = \text{Concat}(\text{head}_1,\dots,\text{head}_h)W^O

    where :math:`\text{head}_i = \text{Attention}(QW_i^Q, KW_i^K, VW_i^V)`.

    The attention itself runs as one fused ``scaled_dot_product_attention`` node on views of
    the projections (no transposes are copied, batch-first input is not transposed).

    Args:
        embed_dim: Total dimension of the model.
        num_heads: Number of parallel attention heads. Note that ``embed_dim`` will be split
            across ``num_heads`` (i.e. each head will have dimension
            ``embed_dim // num_heads``).
        dropout: Dropout probability on ``attn_output_weights``. Default: ``0.0`` (no dropout).
        bias: If specified, adds bias to input / output projection layers. Default: ``True``.
        add_bias_kv: If specified, adds bias to the key and value sequences at dim=0.
            Default: ``False``.
        add_zero_attn: If specified, adds a new batch of zeros to the key and value sequences
            at dim=1. Default: ``False``.
        kdim: Total number of features for keys. Default: ``None`` (uses ``kdim=embed_dim``).
        vdim: Total number of features for values. Default: ``None`` (uses
            ``vdim=embed_dim``).
        batch_first: If ``True``, then the input and output tensors are provided as
            (batch, seq, feature). Default: ``False`` (seq, batch, feature).

    Examples::

        >>> multihead_attn = nn.MultiheadAttention(16, 4)
        >>> query = key = value = ember.randn(5, 2, 16)
        >>> attn_output, attn_output_weights = multihead_attn(query, key, value)
        >>> attn_output.shape, attn_output_weights.shape
        (ember.Size([5, 2, 16]), ember.Size([2, 5, 5]))
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        from ...ops.creation import empty
        fk = {"device": device, "dtype": dtype}
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), **fk))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), **fk))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), **fk))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), **fk))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **fk))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **fk)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), **fk))
            self.bias_v = Parameter(empty((1, 1, embed_dim), **fk))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def __setstate__(self, state):
        # old checkpoints predate _qkv_same_embed_dim
        if "_qkv_same_embed_dim" not in state:
            state["_qkv_same_embed_dim"] = True
        super().__setstate__(state)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        r"""Compute attention outputs using query, key, and value embeddings.

        Args:
            query: :math:`(L, E_q)` unbatched, :math:`(L, N, E_q)` when ``batch_first=False``
                or :math:`(N, L, E_q)` when ``batch_first=True``.
            key: :math:`(S, E_k)`, :math:`(S, N, E_k)` or :math:`(N, S, E_k)`.
            value: :math:`(S, E_v)`, :math:`(S, N, E_v)` or :math:`(N, S, E_v)`.
            key_padding_mask: If specified, a mask of shape :math:`(N, S)` (:math:`(S)`
                unbatched) indicating which elements within ``key`` to ignore for the purpose
                of attention (i.e. treat as "padding"). Binary and float masks are supported:
                ``True`` means ignore; a float mask is added to the attention scores.
            need_weights: If specified, returns ``attn_output_weights`` in addition to
                ``attn_outputs``. Default: ``True``.
            attn_mask: If specified, a 2D or 3D mask preventing attention to certain
                positions, of shape :math:`(L, S)` or :math:`(N\cdot\text{num\_heads}, L, S)`.
                For a binary mask, ``True`` means the position is not allowed to attend; a
                float mask is added to the attention weight.
            average_attn_weights: If true, the returned ``attn_weights`` are averaged across
                heads. Otherwise they are provided separately per head. Default: ``True``
            is_causal: If specified, applies a causal mask as attention mask (a hint that
                ``attn_mask`` is the causal mask). Default: ``False``.

        Outputs:
            - **attn_output** - :math:`(L, E)`, :math:`(L, N, E)` or :math:`(N, L, E)`.
            - **attn_output_weights** - Only returned when ``need_weights=True``: averaged
              :math:`(L, S)` / :math:`(N, L, S)`, or per head :math:`(\text{num\_heads}, L, S)`
              / :math:`(N, \text{num\_heads}, L, S)`.
        """
        is_batched = query.dim() == 3
        key_padding_mask = _A._canonical_mask(key_padding_mask, "key_padding_mask",
                                              _A._none_or_dtype(attn_mask), "attn_mask",
                                              query.dtype)
        attn_mask = _A._canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                       check_other=False)
        separate = not self._qkv_same_embed_dim
        return _A._mha_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, self.training, key_padding_mask,
            need_weights, attn_mask, separate, self.q_proj_weight if separate else None,
            self.k_proj_weight if separate else None, self.v_proj_weight if separate else None,
            None, None, average_attn_weights, is_causal,
            batch_first=self.batch_first and is_batched)

    def merge_masks(self, attn_mask, key_padding_mask, query):
        r"""Determine mask type and combine masks if necessary: returns ``(merged_mask,
        mask_type)`` with type 0 (attn_mask), 1 (key_padding_mask) or 2 (both, expanded to
        ``(batch_size, num_heads, seq_len, seq_len)``)."""
        mask_type = None
        merged_mask = None
        if key_padding_mask is not None:
            mask_type = 1
            merged_mask = key_padding_mask
        if attn_mask is not None:
            batch_size, seq_len, _ = query.shape
            mask_type = 2
            if attn_mask.dim() == 3:
                expanded = attn_mask.view(batch_size, -1, seq_len, seq_len)
            else:
                expanded = attn_mask.view(1, 1, seq_len, seq_len).expand(
                    batch_size, self.num_heads, -1, -1)
            merged_mask = expanded
            if key_padding_mask is not None:
                merged_mask = expanded + key_padding_mask.view(batch_size, 1, 1, seq_len).expand(
                    -1, self.num_heads, -1, -1)
        return merged_mask, mask_type
