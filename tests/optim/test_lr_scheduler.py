"""ember.optim.lr_scheduler against torch.optim.lr_scheduler: the exact lr (and momentum)
sequences over 200 steps, state_dict round trips, ReduceLROnPlateau, warnings and errors."""
import copy
import re
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.optim as eoptim
from ember.optim import lr_scheduler as elrs
from torch.optim import lr_scheduler as tlrs

STEPS = 200


def _opts(kind="SGD"):
    """The same two-group optimizer in both frameworks."""
    ep = [ember.nn.Parameter(ember.zeros(2)), ember.nn.Parameter(ember.zeros(3))]
    tp = [torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(3))]
    if kind == "SGD":
        return (eoptim.SGD([{"params": ep[:1]}, {"params": ep[1:], "lr": 0.05}], lr=0.1,
                           momentum=0.9),
                torch.optim.SGD([{"params": tp[:1]}, {"params": tp[1:], "lr": 0.05}], lr=0.1,
                                momentum=0.9))
    return (eoptim.Adam([{"params": ep[:1]}, {"params": ep[1:], "lr": 0.05}], lr=0.1),
            torch.optim.Adam([{"params": tp[:1]}, {"params": tp[1:], "lr": 0.05}], lr=0.1))


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


def _scale(x):
    return 1 / (1.0 + 0.05 * x)


SCHEDULERS = {
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-list": lambda m, o: m.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1 / (1 + e)]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.97),
    "StepLR": lambda m, o: m.StepLR(o, step_size=30, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[30, 80, 80, 150], gamma=0.3),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=40),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=60),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.98),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=120, power=2.0),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=37, eta_min=1e-3),
    "CosineAnnealingWarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=10, T_mult=2, eta_min=1e-4),
    "CosineAnnealingWarmRestarts-1": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=7),
    "CyclicLR-triangular": lambda m, o: m.CyclicLR(o, 0.01, [0.1, 0.2], step_size_up=15,
                                                   step_size_down=10),
    "CyclicLR-triangular2": lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=12,
                                                    mode="triangular2", base_momentum=0.7),
    "CyclicLR-exp_range": lambda m, o: m.CyclicLR(o, [0.01, 0.02], 0.1, step_size_up=9,
                                                  mode="exp_range", gamma=0.99),
    "CyclicLR-scale_fn": lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=11,
                                                 scale_fn=_scale, scale_mode="iterations",
                                                 cycle_momentum=False),
    "OneCycleLR-cos": lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=STEPS),
    "OneCycleLR-linear": lambda m, o: m.OneCycleLR(o, max_lr=0.5, epochs=20,
                                                   steps_per_epoch=10,
                                                   anneal_strategy="linear", pct_start=0.25),
    "OneCycleLR-three_phase": lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=STEPS,
                                                        three_phase=True, div_factor=10.0),
    "OneCycleLR-no_momentum": lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=STEPS,
                                                        cycle_momentum=False),
    "SequentialLR": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=20),
            m.CosineAnnealingLR(o, T_max=50)], milestones=[20]),
    "SequentialLR-3": lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.5, total_iters=10), m.ExponentialLR(o, gamma=0.9),
            m.StepLR(o, step_size=7, gamma=0.5)], milestones=[15, 60]),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.5, total_iters=25), m.ExponentialLR(o, gamma=0.99),
         m.CosineAnnealingWarmRestarts(o, T_0=30)]),
}
NAMES = list(SCHEDULERS)


def _run(make, opt_kind="SGD", steps=STEPS, roundtrip_at=None):
    eo, to = _opts(opt_kind)
    es, ts = make(elrs, eo), make(tlrs, to)
    seq_e, seq_t = [], []
    for i in range(steps):
        if i == roundtrip_at:
            # checkpoint both, then resume each from a fresh optimizer and scheduler
            e_opt_sd, e_sd = copy.deepcopy(eo.state_dict()), copy.deepcopy(es.state_dict())
            t_opt_sd, t_sd = copy.deepcopy(to.state_dict()), copy.deepcopy(ts.state_dict())
            assert set(e_sd) == set(t_sd)
            eo, to = _opts(opt_kind)
            es, ts = make(elrs, eo), make(tlrs, to)
            eo.load_state_dict(e_opt_sd)
            es.load_state_dict(e_sd)
            to.load_state_dict(t_opt_sd)
            ts.load_state_dict(t_sd)
        eo.step()
        to.step()
        es.step()
        ts.step()
        seq_e.append((es.get_last_lr(), [g["lr"] for g in eo.param_groups], _momenta(eo)))
        seq_t.append((ts.get_last_lr(), [g["lr"] for g in to.param_groups], _momenta(to)))
    return seq_e, seq_t


@pytest.mark.parametrize("name", NAMES)
def test_lr_sequence_matches_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the right call order raises no warning
        seq_e, seq_t = _run(SCHEDULERS[name])
    assert seq_e == seq_t


@pytest.mark.parametrize("name", [n for n in NAMES if "Cyclic" in n or "OneCycle" in n])
def test_momentum_cycling_with_adam_betas(name):
    seq_e, seq_t = _run(SCHEDULERS[name], opt_kind="Adam")
    assert seq_e == seq_t


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip_midway(name):
    seq_e, seq_t = _run(SCHEDULERS[name], roundtrip_at=97)
    assert seq_e == seq_t


def test_state_dict_contents():
    eo, to = _opts()
    es = elrs.StepLR(eo, step_size=3)
    ts = tlrs.StepLR(to, step_size=3)
    assert es.state_dict() == ts.state_dict()
    es = elrs.LambdaLR(eo, lambda e: 1.0)
    ts = tlrs.LambdaLR(to, lambda e: 1.0)
    assert es.state_dict().keys() == ts.state_dict().keys()
    assert es.state_dict()["lr_lambdas"] == [None, None]


class _Callable:
    def __init__(self):
        self.factor = 0.9

    def __call__(self, epoch):
        return self.factor ** epoch


def test_lambda_callable_object_state_is_saved():
    eo, _ = _opts()
    f = _Callable()
    s = elrs.LambdaLR(eo, f)
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [{"factor": 0.9}, {"factor": 0.9}]
    sd["lr_lambdas"] = [{"factor": 0.5}, {"factor": 0.5}]
    s.load_state_dict(sd)
    assert f.factor == 0.5


METRICS = np.concatenate([np.linspace(1.0, 0.5, 40), np.full(30, 0.5),
                          0.5 + 0.01 * np.sin(np.arange(60)), np.linspace(0.5, 0.45, 70)])

PLATEAU = [
    dict(),
    dict(mode="max", factor=0.5, patience=3),
    dict(threshold_mode="abs", threshold=1e-3, patience=2, cooldown=3),
    dict(mode="max", threshold_mode="abs", patience=0, factor=0.3, min_lr=[1e-3, 1e-2]),
    dict(patience=1, factor=0.5, min_lr=1e-3, eps=1e-3, cooldown=1),
]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_lr_on_plateau(kwargs):
    eo, to = _opts()
    es = elrs.ReduceLROnPlateau(eo, **kwargs)
    ts = tlrs.ReduceLROnPlateau(to, **kwargs)
    rng = np.random.default_rng(0)
    metrics = METRICS + 0.002 * rng.standard_normal(len(METRICS))
    seq_e, seq_t = [], []
    for i, m in enumerate(metrics):
        if i == 100:
            sd = copy.deepcopy(es.state_dict())
            assert set(sd) == set(ts.state_dict())
            es = elrs.ReduceLROnPlateau(eo, **kwargs)
            es.load_state_dict(sd)
        eo.step()
        to.step()
        es.step(ember.tensor(m) if i % 2 else float(m))
        ts.step(torch.tensor(m) if i % 2 else float(m))
        seq_e.append((es.get_last_lr(), es.best, es.num_bad_epochs, es.cooldown_counter))
        seq_t.append((ts.get_last_lr(), ts.best, ts.num_bad_epochs, ts.cooldown_counter))
    assert seq_e == seq_t
    assert seq_e[-1][0] != seq_e[0][0]  # the lr was actually reduced


def _warning_texts(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(x.category, str(x.message)) for x in w]


def test_warning_scheduler_step_before_optimizer_step():
    def run(mod, opt):
        return lambda: mod.StepLR(opt, step_size=2).step()

    eo, to = _opts()
    we, wt = _warning_texts(run(elrs, eo)), _warning_texts(run(tlrs, to))
    assert we == wt and len(we) == 1 and we[0][0] is UserWarning
    assert "Detected call of `lr_scheduler.step()` before `optimizer.step()`" in we[0][1]

    def overridden(mod, opt):
        def f():
            s = mod.StepLR(opt, step_size=2)
            opt.step = lambda closure=None: None
            s.step()
        return f

    eo, to = _opts()
    we, wt = _warning_texts(overridden(elrs, eo)), _warning_texts(overridden(tlrs, to))
    assert we == wt and "has been overridden" in we[0][1]


def test_get_lr_outside_step_and_epoch_argument_warn():
    eo, to = _opts()
    es, ts = elrs.StepLR(eo, step_size=3, gamma=0.5), tlrs.StepLR(to, step_size=3, gamma=0.5)
    assert _warning_texts(es.get_lr) == _warning_texts(ts.get_lr)
    eo.step()
    to.step()
    we = _warning_texts(lambda: es.step(7))
    assert we == _warning_texts(lambda: ts.step(7)) and "epoch parameter" in we[0][1]
    assert es.get_last_lr() == ts.get_last_lr()  # closed form


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
                                  "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
                                  "CosineAnnealingWarmRestarts"])
def test_step_with_epoch_uses_closed_form(name):
    eo, to = _opts()
    es, ts = SCHEDULERS[name](elrs, eo), SCHEDULERS[name](tlrs, to)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [3, 10, 45, 11, 130]:
            eo.step()
            to.step()
            es.step(epoch)
            ts.step(epoch)
            assert es.get_last_lr() == ts.get_last_lr()


def test_last_epoch_resume_requires_initial_lr():
    eo, to = _opts()
    with pytest.raises(KeyError) as te:
        tlrs.StepLR(to, step_size=3, last_epoch=5)
    with pytest.raises(KeyError, match=re.escape(te.value.args[0][:40])):
        elrs.StepLR(eo, step_size=3, last_epoch=5)


BAD = [
    ("ConstantLR", dict(factor=1.5)),
    ("LinearLR", dict(start_factor=0.0)),
    ("LinearLR", dict(end_factor=1.5)),
    ("CosineAnnealingWarmRestarts", dict(T_0=0)),
    ("CosineAnnealingWarmRestarts", dict(T_0=5, T_mult=0)),
    ("CyclicLR", dict(base_lr=0.1, max_lr=1.0, mode="bad")),
    ("OneCycleLR", dict(max_lr=0.1)),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=0)),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=10, pct_start=1.5)),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=10, anneal_strategy="exp")),
    ("OneCycleLR", dict(max_lr=[0.1], total_steps=10)),
    ("ReduceLROnPlateau", dict(factor=1.0)),
    ("ReduceLROnPlateau", dict(mode="avg")),
    ("ReduceLROnPlateau", dict(threshold_mode="x")),
    ("ReduceLROnPlateau", dict(min_lr=[0.1])),
    ("MultiplicativeLR", dict(lr_lambda=0.9)),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1.0])),
]


@pytest.mark.parametrize("name,kwargs", BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_invalid_arguments_match_torch(name, kwargs):
    eo, to = _opts()
    with pytest.raises(Exception) as te:
        getattr(tlrs, name)(to, **kwargs)
    with pytest.raises(type(te.value), match="^" + re.escape(str(te.value)) + "$"):
        getattr(elrs, name)(eo, **kwargs)


def test_not_an_optimizer_and_bad_composites():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        elrs.StepLR([], step_size=1)
    eo, _ = _opts()
    plateau = elrs.ReduceLROnPlateau(eo)
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        elrs.ChainedScheduler([plateau])
    with pytest.raises(ValueError, match="one more than the number of milestone"):
        elrs.SequentialLR(eo, [elrs.StepLR(eo, 2)], milestones=[3])
    eo2, _ = _opts()
    with pytest.raises(ValueError, match="expects all schedulers to belong"):
        elrs.SequentialLR(eo, [elrs.StepLR(eo, 2), elrs.StepLR(eo2, 2)], milestones=[3])


def test_onecycle_overrun_raises():
    eo, to = _opts()
    es = elrs.OneCycleLR(eo, max_lr=0.1, total_steps=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):
            es.step()
        with pytest.raises(ValueError, match="Tried to step 4 times"):
            es.step()


def test_exports_match_torch():
    assert set(elrs.__all__) == set(tlrs.__all__)
