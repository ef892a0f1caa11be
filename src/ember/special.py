"""ember.special: torch.special's functions, under its names.

The ops and their gradients live in ``ember/ops/`` (special.py for the special functions
proper; the others are re-exported from their families).

    >>> import ember
    >>> ember.special.ndtr(ember.tensor([0.0]))
    tensor([0.5000])
"""
from __future__ import annotations

from .ops.floatmath import exp2, expm1, log1p, logit, sigmoid as expit, xlogy
from .ops.elementwise import round
from .ops.reduce import logsumexp
from .ops.softmax import _log_softmax_top as log_softmax, _softmax_top as softmax
from .ops.special import (digamma, entr, erf, erfc, erfcx, erfinv, gammainc, gammaincc,
                          lgamma as gammaln, log_ndtr, mvlgamma as multigammaln, ndtr,
                          polygamma, sinc, xlog1py)

psi = digamma

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1",
           "gammainc", "gammaincc", "gammaln", "log1p", "log_ndtr", "log_softmax", "logit",
           "logsumexp", "multigammaln", "ndtr", "polygamma", "psi", "round", "sinc", "softmax",
           "xlog1py", "xlogy"]
