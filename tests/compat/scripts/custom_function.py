"""A custom autograd.Function (clipped exp with a straight-through gradient)."""
import numpy as np
import torch


class ClippedExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, limit):
        y = torch.exp(x).clamp(max=limit)
        ctx.save_for_backward(y)
        ctx.limit = limit
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * y, None


x = torch.tensor(np.linspace(-2, 3, 7), requires_grad=True)
y = ClippedExp.apply(x, 5.0)
y.sum().backward()
print("y", [round(v, 6) for v in y.tolist()])
print("grad", [round(v, 6) for v in x.grad.tolist()])
ok = torch.autograd.gradcheck(lambda t: ClippedExp.apply(t, 1e9), (x.detach().requires_grad_(),))
print("ok", ok)
