"""Smoke tests of examples/: each script runs with ``--smoke`` (a few tiny steps) in a fresh
interpreter, exits cleanly and prints its progress lines and its final result."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# script -> regular expressions its smoke output must contain
EXPECTED = {
    "char_lstm.py": [r"step +3 +loss \d+\.\d+", r"final loss \d+\.\d+",
                     r"--- sample \(temperature 0\.8\) ---\nThe .{20,}"],
    "gpt.py": [r"step +3 +loss \d+\.\d+ +val loss \d+\.\d+", r"--- sample .*---\nThe .{20,}"],
    "vae.py": [r"epoch 1 +loss \d+\.\d+ .*ELBO train -\d+\.\d+ +test -\d+\.\d+",
               r"--- samples decoded from the prior ---\n(.+\n){8}"],
    "gan.py": [r"step +3 +loss_D \d+\.\d+ +loss_G \d+\.\d+ +D\(x\) \d\.\d+",
               r"--- generated samples ---\n(.+\n){8}"],
    "reinforce.py": [r"episode +3 +reward +\d+ +running reward +\d+\.\d",
                     r"final running reward \d+\.\d"],
    "time_series.py": [r"step +2 +loss \d+\.\d+ +test loss \d+\.\d+",
                       r"forecast of 20 steps .*\n.*true +predicted\n"
                       r"( *\d+ +-?\d\.\d+ +-?\d+\.\d+\n){5}"],
    "custom_function.py": [r"gradcheck\(LogSumExp\): True", r"gradgradcheck\(LogSumExp\): True",
                           r"SignSTE gradient equals hardtanh's: True",
                           r"step +5 +loss \d+\.\d+ +accuracy \d\.\d+ +"
                           r"\(equals F\.cross_entropy: True\)",
                           r"final training accuracy \d\.\d+"],
    "tree_net.py": [r"step +3 +loss \d+\.\d+ +test MSE +\d+\.\d+",
                    r"final test MSE \d+\.\d+",
                    r"\n  .+ = -?\d+ +predicted -?\d+\.\d+"],
}


def test_every_example_is_smoke_tested():
    scripts = {p.name for p in EXAMPLES.glob("*.py")} - {"demo.py"}
    assert scripts == set(EXPECTED)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_smoke(script):
    # one BLAS thread: the suite may run in parallel on few cores, and oversubscribed BLAS
    # threads slow these small matmuls down by an order of magnitude
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), "--smoke"],
                          capture_output=True, text=True, timeout=120, env=env,
                          cwd=EXAMPLES.parent)
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout}\n{proc.stderr}"
    for pattern in EXPECTED[script]:
        assert re.search(pattern, proc.stdout), (
            f"{script}: output lacks {pattern!r}:\n{proc.stdout}")
