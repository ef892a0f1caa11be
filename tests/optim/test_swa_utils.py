"""ember.optim.swa_utils against torch.optim.swa_utils."""
import copy
import re

import numpy as np
import pytest
import torch

import ember
import ember.optim as eoptim
from ember.optim import lr_scheduler as elrs
from ember.optim import swa_utils as eswa
from torch.optim import lr_scheduler as tlrs
from torch.optim import swa_utils as tswa


def _opts():
    ep = [ember.nn.Parameter(ember.zeros(2)), ember.nn.Parameter(ember.zeros(3))]
    tp = [torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(3))]
    return (eoptim.SGD([{"params": ep[:1]}, {"params": ep[1:], "lr": 0.05}], lr=0.1),
            torch.optim.SGD([{"params": tp[:1]}, {"params": tp[1:], "lr": 0.05}], lr=0.1))


SWALR_CASES = [dict(swa_lr=0.05), dict(swa_lr=[0.01, 0.2], anneal_epochs=5),
               dict(swa_lr=0.05, anneal_epochs=0), dict(swa_lr=0.3, anneal_strategy="linear"),
               dict(swa_lr=0.02, anneal_epochs=17, anneal_strategy="linear")]


@pytest.mark.parametrize("kwargs", SWALR_CASES, ids=[str(k) for k in SWALR_CASES])
def test_swalr_matches_torch(kwargs):
    eo, to = _opts()
    es, ts = eswa.SWALR(eo, **kwargs), tswa.SWALR(to, **kwargs)
    seq_e, seq_t = [], []
    for i in range(60):
        if i == 23:
            sd = copy.deepcopy(es.state_dict())
            assert set(sd) == set(ts.state_dict())
            es = eswa.SWALR(eo, **kwargs)
            es.load_state_dict(sd)
        eo.step()
        to.step()
        es.step()
        ts.step()
        seq_e.append(es.get_last_lr())
        seq_t.append(ts.get_last_lr())
    assert seq_e == seq_t


def test_swalr_after_another_scheduler():
    """The documented pattern: a decay schedule, then SWALR from step 40 on."""
    eo, to = _opts()
    e1, t1 = elrs.CosineAnnealingLR(eo, T_max=100), tlrs.CosineAnnealingLR(to, T_max=100)
    e2, t2 = eswa.SWALR(eo, swa_lr=0.01, anneal_epochs=7), \
        tswa.SWALR(to, swa_lr=0.01, anneal_epochs=7)
    seq_e, seq_t = [], []
    for i in range(100):
        eo.step()
        to.step()
        (e2 if i >= 40 else e1).step()
        (t2 if i >= 40 else t1).step()
        seq_e.append([g["lr"] for g in eo.param_groups])
        seq_t.append([g["lr"] for g in to.param_groups])
    assert seq_e == seq_t


def test_swalr_errors_and_get_lr_warning():
    eo, to = _opts()
    with pytest.raises(ValueError, match="anneal_strategy must be one of"):
        eswa.SWALR(eo, swa_lr=0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
        eswa.SWALR(eo, swa_lr=0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="swa_lr must have the same length"):
        eswa.SWALR(eo, swa_lr=[0.1])
    s = eswa.SWALR(eo, swa_lr=0.1)
    with pytest.warns(UserWarning, match="get_last_lr"):
        s.get_lr()


def _pairs(rng, shapes=((3, 2), (4,))):
    arrays = [rng.standard_normal(s) for s in shapes]
    return [ember.tensor(a) for a in arrays], [torch.tensor(a) for a in arrays]


@pytest.mark.parametrize("decay", [0.9, 0.3])
def test_ema_and_swa_single_param_fns(decay):
    rng = np.random.default_rng(0)
    (ea, eb), (ta, tb) = _pairs(rng, ((5,), (5,)))
    for e_fn, t_fn in [(eswa.get_ema_avg_fn(decay), tswa.get_ema_avg_fn(decay)),
                       (eswa.get_swa_avg_fn(), tswa.get_swa_avg_fn())]:
        e_out = e_fn(ea, eb, ember.tensor(3))
        t_out = t_fn(ta, tb, torch.tensor(3))
        np.testing.assert_allclose(e_out.numpy(), t_out.numpy(), rtol=1e-12)


@pytest.mark.parametrize("which", ["ema", "swa"])
@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_multi_avg_fns_in_place(which, dtype):
    rng = np.random.default_rng(1)
    e_avg, t_avg = _pairs(rng)
    e_cur, t_cur = _pairs(rng)
    if dtype == "int64":
        e_avg = [ember.tensor((t.numpy() * 10).astype(np.int64)) for t in e_avg]
        t_avg = [torch.tensor(e.numpy().copy()) for e in e_avg]
        e_cur = [ember.tensor((t.numpy() * 10).astype(np.int64)) for t in e_cur]
        t_cur = [torch.tensor(e.numpy().copy()) for e in e_cur]
    e_fn = eswa.get_ema_multi_avg_fn(0.8) if which == "ema" else eswa.get_swa_multi_avg_fn()
    t_fn = tswa.get_ema_multi_avg_fn(0.8) if which == "ema" else tswa.get_swa_multi_avg_fn()
    for n in [1, 2, 3, ember.tensor(4), ember.tensor(6)]:
        tn = torch.tensor(n.item()) if isinstance(n, ember.Tensor) else n
        try:
            t_fn(t_avg, t_cur, tn)
        except RuntimeError as err:  # torch's integer SWA path raises
            with pytest.raises(RuntimeError, match=re.escape(str(err))):
                e_fn(e_avg, e_cur, n)
            continue
        e_fn(e_avg, e_cur, n)
        for e, t in zip(e_avg, t_avg):
            np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)


def test_invalid_decay():
    for fn in (eswa.get_ema_multi_avg_fn, eswa.get_ema_avg_fn):
        with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided"):
            fn(1.5)


def test_exports_match_torch():
    assert set(eswa.__all__) == set(tswa.__all__)


def _models(batchnorm=False):
    """The same small model in both frameworks (float64), with a buffer."""
    torch.manual_seed(0)
    mid_t = torch.nn.BatchNorm1d(4) if batchnorm else torch.nn.Identity()
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), mid_t, torch.nn.Linear(4, 2)).double()
    mid_e = ember.nn.BatchNorm1d(4) if batchnorm else ember.nn.Identity()
    em = ember.nn.Sequential(ember.nn.Linear(3, 4), mid_e, ember.nn.Linear(4, 2)).double()
    if not batchnorm:
        tm.register_buffer("counter", torch.zeros(2, dtype=torch.float64))
        em.register_buffer("counter", ember.zeros(2, dtype=ember.float64))
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    return em, tm


def _perturb(rng, em, tm):
    for (_, e), (_, t) in zip(em.state_dict().items(), tm.state_dict().items()):
        if t.dtype.is_floating_point:
            new = rng.standard_normal(tuple(t.shape))
            e._data[...] = new
            t.copy_(torch.tensor(new))
        else:
            t += 1
            e._data[...] = t.numpy()


MODES = {
    "swa": ({}, {}),
    "swa_buffers": (dict(use_buffers=True), dict(use_buffers=True)),
    "ema_multi": (dict(multi_avg_fn=eswa.get_ema_multi_avg_fn(0.9), use_buffers=True),
                  dict(multi_avg_fn=tswa.get_ema_multi_avg_fn(0.9), use_buffers=True)),
    "swa_multi": (dict(multi_avg_fn=eswa.get_swa_multi_avg_fn()),
                  dict(multi_avg_fn=tswa.get_swa_multi_avg_fn())),
    "ema_avg_fn": (dict(avg_fn=eswa.get_ema_avg_fn(0.7)), dict(avg_fn=tswa.get_ema_avg_fn(0.7))),
}


@pytest.mark.parametrize("mode", list(MODES))
def test_averaged_model_matches_torch(mode):
    em, tm = _models()
    ekw, tkw = MODES[mode]
    ea, ta = eswa.AveragedModel(em, **ekw), tswa.AveragedModel(tm, **tkw)
    assert ea.module is not em and ea.n_averaged.item() == 0
    rng = np.random.default_rng(0)
    for _ in range(5):
        _perturb(rng, em, tm)
        ea.update_parameters(em)
        ta.update_parameters(tm)
    esd, tsd = ea.state_dict(), ta.state_dict()
    assert list(esd) == list(tsd)
    for k in tsd:
        np.testing.assert_allclose(esd[k].numpy(), tsd[k].numpy(), rtol=1e-12, err_msg=k)
    x = rng.standard_normal((2, 3))
    np.testing.assert_allclose(ea(ember.tensor(x)).detach().numpy(),
                               ta(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_averaged_model_rejects_two_fns():
    em, _ = _models()
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        eswa.AveragedModel(em, avg_fn=eswa.get_ema_avg_fn(),
                           multi_avg_fn=eswa.get_ema_multi_avg_fn())


def test_update_bn_without_batchnorm_is_a_no_op():
    em, _ = _models()
    eswa.update_bn([ember.zeros(2, 3, dtype=ember.float64)], em)


def test_update_bn_matches_torch():
    em, tm = _models(batchnorm=True)
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((8, 3)) for _ in range(4)]
    eswa.update_bn([ember.tensor(b) for b in batches], em)
    tswa.update_bn([(torch.tensor(b),) for b in batches], tm)
    for (k, e), (_, t) in zip(em.state_dict().items(), tm.state_dict().items()):
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-10, err_msg=k)
    assert em.training == tm.training
