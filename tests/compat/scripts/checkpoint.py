"""Save a model and optimizer, reload them into fresh objects, continue training."""
import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(2)
X = torch.tensor(rng.standard_normal((64, 5)).astype(np.float32))
Y = torch.tensor(rng.standard_normal((64, 1)).astype(np.float32))


def make():
    m = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1))
    with torch.no_grad():
        r = np.random.default_rng(3)
        for p in m.parameters():
            p.copy_(torch.tensor(r.standard_normal(tuple(p.shape)).astype(np.float32) * 0.5))
    return m, None


model, _ = make()
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
for step in range(5):
    opt.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    opt.step()
path = os.path.join(tempfile.mkdtemp(), "ck.pt")
torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": 5}, path)
ck = torch.load(path)
model2, _ = make()
model2.load_state_dict(ck["model"])
opt2 = torch.optim.Adam(model2.parameters(), lr=0.01)
opt2.load_state_dict(ck["opt"])
for step in range(ck["step"], 10):
    for m, o in ((model, opt), (model2, opt2)):
        o.zero_grad()
        loss = loss_fn(m(X), Y)
        loss.backward()
        o.step()
    print(f"step {step} loss {loss.item():.6f}")
same = all(torch.equal(a, b)
           for a, b in zip(model.state_dict().values(), model2.state_dict().values()))
print("resumed identically:", same)
sys.exit(0 if same else 1)
