"""Ember: PyTorch's programming model and API on NumPy.

    >>> import ember
    >>> x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
"""
from __future__ import annotations

import warnings as _warnings

__version__ = "0.1.0"

# torch computes log(0) = -inf or 0/0 = nan silently; NumPy warns. Silence only the warnings
# raised from ember's own code, leaving the user's NumPy settings alone.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ember(\.|$)")

from . import dtypes
from .dtypes import *  # noqa: F403
from .dtypes import (bool, dtype, finfo, float, iinfo, int, get_default_dtype,  # noqa: F401
                     set_default_dtype)
from ._tensor import Size, Tensor, _bind_methods
from .backend import device
from .backend.threads import (get_num_interop_threads, get_num_threads,  # noqa: F401
                              set_num_interop_threads, set_num_threads)
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                                 is_inference_mode_enabled, no_grad, set_grad_enabled)
from .ops.creation import *  # noqa: F403
from .ops.copying import *  # noqa: F403
from .ops.elementwise import *  # noqa: F403
from .ops.floatmath import *  # noqa: F403
from .ops.selection import *  # noqa: F403
from .ops.comparison import *  # noqa: F403
from .ops.special import *  # noqa: F403
from .ops.reduce import *  # noqa: F403
from .ops.cumulative import *  # noqa: F403
from .ops.sorting import *  # noqa: F403
from .ops.movement import *  # noqa: F403
from .ops.slicing import *  # noqa: F403
from .ops.join import *  # noqa: F403
from .ops.einsum import *  # noqa: F403
from .ops.linalg import *  # noqa: F403
from .ops.decomposition import *  # noqa: F403
from .ops.spectral import *  # noqa: F403
from .ops.indexing import *  # noqa: F403
from .ops.scatter import *  # noqa: F403
from .ops.masked import *  # noqa: F403
from .ops.random import *  # noqa: F403
from .ops.nn import bilinear, cdist, cosine_similarity, pairwise_distance, pdist  # noqa: E402
from .ops.activation import TOP_LEVEL as _activation_names  # noqa: E402
from .serialization import load, save  # noqa: E402
from ._tensor_str import get_printoptions, printoptions, set_printoptions  # noqa: E402
from . import autograd, backend, cuda, linalg, special  # noqa: E402

_bind_methods()
globals().update(_activation_names)  # torch.softmax, torch.selu_, torch.dropout, ...
del _bind_methods, _activation_names

# Subpackages a script may never touch load on first use, keeping `import ember` fast.
_LAZY_SUBMODULES = ("nn", "optim", "utils", "distributions", "vision", "compat")


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_SUBMODULES))
