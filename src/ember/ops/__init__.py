"""The primitives and their gradients, one file per family (the only place they live)."""
from . import (activation, comparison, copying, creation, cumulative, decomposition, dropout,
               einsum, elementwise, floatmath, indexing, join, linalg, masked, movement, nn,
               random, reduce, scatter, selection, slicing, softmax, sorting, special, spectral)

# in data-flow order (see docs/dev/layout.md); _tensor.py binds their TENSOR_METHODS in turn
FAMILIES = (creation, copying, elementwise, floatmath, selection, comparison, special, reduce,
            cumulative, sorting, movement, slicing, join, indexing, scatter, masked, einsum,
            linalg, decomposition, spectral, random, nn, activation, softmax, dropout)
