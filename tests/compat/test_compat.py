"""PyTorch scripts run unmodified under `python -m ember.compat` print what real torch prints."""
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(__file__)
SCRIPTS = sorted(f for f in os.listdir(os.path.join(HERE, "scripts")) if f.endswith(".py"))
NUM = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?|-?\d+")


def _run(args):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300,
                         env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def _split(text):
    return [NUM.sub("#", line) for line in text.splitlines()], \
        [float(x) for x in NUM.findall(text)]


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_matches_torch(script):
    path = os.path.join(HERE, "scripts", script)
    torch_out = _run([path])
    ember_out = _run(["-m", "ember.compat", path])
    t_words, t_nums = _split(torch_out)
    e_words, e_nums = _split(ember_out)
    assert e_words == t_words, (ember_out, torch_out)
    assert len(e_nums) == len(t_nums)
    for e, t in zip(e_nums, t_nums):
        assert abs(e - t) <= 2e-4 + 1e-3 * abs(t), (ember_out, torch_out)


def test_missing_name_error_and_uninstall():
    code = ("import ember.compat as c; c.install(); import torch; "
            "import sys\n"
            "try:\n    torch.fft_nonexistent\nexcept AttributeError as e:\n    print(e)\n"
            "c.uninstall(); import torch as t2; print(t2.__name__, hasattr(t2, 'Tensor'))")
    out = _run(["-c", code])
    assert "ember does not implement torch.fft_nonexistent yet" in out
    assert "torch True" in out
