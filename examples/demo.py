"""Train a small MLP on generated data and print its loss curve (the placeholder main job)."""
import numpy as np

import ember


def main():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((512, 8)).astype(np.float32)
    true_w = rng.standard_normal((8, 1)).astype(np.float32)
    y = np.tanh(x @ true_w) + 0.05 * rng.standard_normal((512, 1)).astype(np.float32)
    X, Y = ember.tensor(x), ember.tensor(y)
    w1 = ember.tensor(rng.standard_normal((8, 32)).astype(np.float32) * 0.3, requires_grad=True)
    w2 = ember.tensor(rng.standard_normal((32, 1)).astype(np.float32) * 0.3, requires_grad=True)
    lr = 0.1
    for step in range(201):
        pred = (X @ w1).relu() @ w2
        loss = ((pred - Y) * (pred - Y)).mean()
        loss.backward()
        with ember.no_grad():
            for p in (w1, w2):
                p -= lr * p.grad
                p.grad = None
        if step % 20 == 0:
            print(f"step {step:4d}  loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
