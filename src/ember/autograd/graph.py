"""Graph introspection: the ``Node`` type of ``grad_fn`` objects, gradient edges, versions.

``saved_tensors_hooks`` is not implemented (the engine saves raw arrays, not tensors).
"""
from __future__ import annotations

import abc
from typing import NamedTuple

from .function import AccumulateGrad, NodeBase

__all__ = ["Node", "GradientEdge", "get_gradient_edge", "increment_version"]


class Node(abc.ABC):
    """The type of every ``grad_fn`` (and of the ``AccumulateGrad`` nodes of leaves).

    Example:
        >>> import ember
        >>> x = ember.ones(2, requires_grad=True)
        >>> isinstance((x * 2).grad_fn, ember.autograd.graph.Node)
        True
    """

    @abc.abstractmethod
    def name(self) -> str:
        """Return the name, e.g. ``MulBackward0``."""

    @property
    @abc.abstractmethod
    def next_functions(self):
        """``(node, output_nr)`` for each input of this node (``(None, 0)`` when none)."""


Node.register(NodeBase)
Node.register(AccumulateGrad)


class GradientEdge(NamedTuple):
    """Object representing a given gradient edge within the autograd graph."""

    node: object
    output_nr: int


def get_gradient_edge(tensor):
    """Get the gradient edge for computing the gradient of the given Tensor.

    For a leaf the node is its ``AccumulateGrad``.
    """
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does "
                           "not require gradients")
    if tensor.grad_fn is None:
        return GradientEdge(AccumulateGrad(tensor), 0)
    return GradientEdge(tensor.grad_fn, tensor._output_nr)


def increment_version(tensor):
    """Update autograd metadata tracking whether the given Tensor was modified in place."""
    from .engine import Tensor
    tensors = (tensor,) if isinstance(tensor, Tensor) else tensor
    for t in tensors:
        t._bump_version()
