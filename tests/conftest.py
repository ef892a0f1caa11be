import numpy as np
import pytest

import ember


@pytest.fixture(autouse=True)
def _reset_state():
    """Every test starts from float32 defaults and grad mode on."""
    yield
    ember.set_default_dtype(ember.float32)
    ember.autograd.grad_mode._state.enabled = True


@pytest.fixture
def rng():
    return np.random.default_rng(0)
