"""A plain PyTorch training loop: Dataset, DataLoader, MLP, SGD with momentum, StepLR."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
X = rng.standard_normal((256, 10)).astype(np.float32)
W = rng.standard_normal((10, 3)).astype(np.float32)
Y = (X @ W).argmax(1)
ds = TensorDataset(torch.tensor(X), torch.tensor(Y))
loader = DataLoader(ds, batch_size=32, shuffle=False)

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 0.3))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
for epoch in range(4):
    total = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item()
    sched.step()
    with torch.no_grad():
        acc = (model(torch.tensor(X)).argmax(1) == torch.tensor(Y)).float().mean().item()
    lr = sched.get_last_lr()[0]
    print(f"epoch {epoch} loss {total / len(loader):.5f} acc {acc:.4f} lr {lr:.4f}")
