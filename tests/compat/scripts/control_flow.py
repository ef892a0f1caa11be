"""A custom Module whose forward uses Python control flow on tensor values."""
import numpy as np
import torch
import torch.nn as nn


class Gated(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)

    def forward(self, x, depth):
        for i in range(depth):
            if x.sum() > 0:
                x = torch.tanh(self.a(x))
            else:
                x = torch.relu(self.b(x)) + x
        return x.pow(2).mean()


rng = np.random.default_rng(1)
m = Gated()
with torch.no_grad():
    for p in m.parameters():
        p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float64)).to(p.dtype))
m = m.double()
x = torch.tensor(rng.standard_normal((3, 4)), requires_grad=True)
for depth in (1, 3, 5):
    y = m(x, depth)
    y.backward()
    print(f"depth {depth} y {y.item():.8f} xgrad {x.grad.abs().sum().item():.8f}")
    x.grad = None
print("params", sum(p.numel() for p in m.parameters()))
