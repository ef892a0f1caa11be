"""Anomaly mode: nan checks in backward and the forward traceback, as in torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from ember.autograd.function import _anomaly

LIBS = pytest.mark.parametrize("L", [ember, torch], ids=["ember", "torch"])


def _is_enabled(L):
    return L.is_anomaly_enabled() if L is torch else L.autograd.is_anomaly_enabled()


def _check_nan_enabled(L):
    return (L.is_anomaly_check_nan_enabled() if L is torch
            else L.autograd.is_anomaly_check_nan_enabled())


@pytest.fixture(autouse=True)
def _anomaly_off():
    yield
    _anomaly.enabled, _anomaly.check_nan = False, True
    torch.autograd.set_detect_anomaly(False)


def _nan_backward(L):
    """log(0) * 0: the forward is finite where it matters, LogBackward0 makes 0 / 0 = nan."""
    x = L.tensor([0.0, 1.0], requires_grad=True)
    with np.errstate(all="ignore"):
        y = x.log() * 0.0
        y.sum().backward()
    return x


@LIBS
def test_detect_anomaly_raises_on_nan_and_names_the_op(L):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError) as info:
            with L.autograd.detect_anomaly():
                _nan_backward(L)
    assert str(info.value) == "Function 'LogBackward0' returned nan values in its 0th output."
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("Anomaly Detection has been enabled.") for m in messages)
    trace = [m for m in messages if m.startswith("Error detected in LogBackward0.")]
    assert trace, messages
    # the forward traceback points at the line of this file that built the failing node
    assert "Traceback of forward call that caused the error" in trace[0]
    assert __file__ in trace[0] and "y = x.log() * 0.0" in trace[0]


def test_nan_message_matches_torch():
    messages = []
    for L in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError) as info:
                with L.autograd.detect_anomaly():
                    _nan_backward(L)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_nan_in_second_output_of_binary_op():
    messages = []
    for L in (ember, torch):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = L.tensor([0.0, 1.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError) as info:
                with L.autograd.detect_anomaly(), np.errstate(all="ignore"):
                    ((a / b) * 0.0).sum().backward()
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@LIBS
def test_without_anomaly_mode_nan_propagates(L):
    x = _nan_backward(L)
    assert np.isnan(x.grad.numpy()[0])


@LIBS
def test_check_nan_false_does_not_raise(L):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with L.autograd.detect_anomaly(check_nan=False):
            assert _is_enabled(L) and not _check_nan_enabled(L)
            x = _nan_backward(L)
    assert np.isnan(x.grad.numpy()[0])


def test_set_detect_anomaly_as_function_and_context_manager():
    def run(L):
        seen = [_is_enabled(L)]
        L.autograd.set_detect_anomaly(True)
        seen.append((_is_enabled(L), _check_nan_enabled(L)))
        L.autograd.set_detect_anomaly(False)
        seen.append(_is_enabled(L))
        with L.autograd.set_detect_anomaly(True, check_nan=False):
            seen.append((_is_enabled(L), _check_nan_enabled(L)))
            with L.autograd.set_detect_anomaly(False):
                seen.append(_is_enabled(L))
            seen.append(_is_enabled(L))
        seen.append((_is_enabled(L), _check_nan_enabled(L)))
        return seen
    assert run(ember) == run(torch)


@LIBS
def test_detect_anomaly_restores_previous_state_on_error(L):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError):
            with L.autograd.detect_anomaly(check_nan=False):
                raise ValueError("boom")
    assert not _is_enabled(L) and _check_nan_enabled(L)


def test_anomaly_drives_function_state():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly(check_nan=False):
            assert _anomaly.enabled and not _anomaly.check_nan
    assert not _anomaly.enabled and _anomaly.check_nan


@LIBS
def test_anomaly_mode_does_not_change_results(L):
    x = L.tensor([0.5, 1.5, -2.0], requires_grad=True)
    (x.exp() * x).relu().sum().backward()
    expected = x.grad.clone()
    x.grad = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with L.autograd.detect_anomaly():
            (x.exp() * x).relu().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected.numpy())


def test_custom_function_nan_names_the_function():
    class NanGrad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")
    x = ember.tensor([1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="Function 'NanGrad.*' returned nan values in "
                           "its 0th output."):
            with ember.autograd.detect_anomaly():
                NanGrad.apply(x).sum().backward()
