"""A variational autoencoder on Fashion-MNIST (or scikit-learn's 8x8 digits), offline.

MLP encoder to a diagonal Gaussian posterior q(z|x) = Normal(mu, sigma), a reparameterised
sample z = q.rsample(), MLP decoder to Bernoulli logits; the loss is the negative ELBO,
binary cross-entropy plus KL(q(z|x) || N(0, I)) from ``ember.distributions.kl_divergence``.
Prints the ELBO per epoch and draws a few images decoded from the prior as ASCII art.

    python examples/vae.py [--epochs N] [--latent N] [--data digits] [--smoke]
"""
from __future__ import annotations

import argparse
import os
import time

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.distributions import Normal, kl_divergence
from ember.utils.data import DataLoader, Subset, TensorDataset
from ember.vision import datasets


def load_images(kind):
    """Train and test sets of flattened images in [0, 1], and the image side."""
    if kind == "auto":
        kind = "fashion" if os.path.isdir(datasets.DEBIAN_FASHION_MNIST) else "digits"
    cls, side = (datasets.FashionMNIST, 28) if kind == "fashion" else (datasets.Digits, 8)
    train, test = cls(train=True), cls(train=False)
    print(f"data: {cls.__name__}, {len(train)} train / {len(test)} test images of {side}x{side}")
    return [TensorDataset(ds.data.float().div(255.0).flatten(1)) for ds in (train, test)], side


class VAE(nn.Module):
    def __init__(self, in_features, hidden=400, latent=20):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.log_var = nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(),
                                     nn.Linear(hidden, in_features))

    def encode(self, x):
        h = self.encoder(x)
        return Normal(self.mu(h), ember.exp(0.5 * self.log_var(h)))

    def forward(self, x):
        q = self.encode(x)
        z = q.rsample()  # reparameterised: mu + sigma * eps, differentiable in mu and sigma
        return self.decoder(z), q


def negative_elbo(model, x):
    """Per-image negative ELBO: reconstruction (BCE) + KL to the standard normal prior."""
    logits, q = model(x)
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    prior = Normal(ember.zeros_like(q.loc), ember.ones_like(q.scale))
    kl = kl_divergence(q, prior).sum()
    return (recon + kl) / len(x), recon / len(x), kl / len(x)


def ascii_images(images, side, width=28):
    """Render a few (side*side,) images side by side with characters."""
    ramp = " .:-=+*#%@"
    step = max(1, side // width)
    rows = []
    for r in range(0, side, step):
        pixels = [img[r * side:(r + 1) * side:step] for img in images]
        rows.append("  ".join("".join(ramp[min(9, int(v * 10))] for v in p) for p in pixels))
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--latent", type=int, default=20)
    ap.add_argument("--hidden", type=int, default=400)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N training images")
    ap.add_argument("--data", choices=["auto", "fashion", "digits"], default="auto")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="a few tiny steps (for tests)")
    args = ap.parse_args(argv)
    if args.smoke:
        args.epochs, args.limit, args.batch_size, args.hidden = 1, 256, 64, 64

    ember.manual_seed(args.seed)
    (train, test), side = load_images(args.data)
    if args.limit:
        train = Subset(train, range(min(args.limit, len(train))))
        test = Subset(test, range(min(args.limit, len(test))))
    train_loader = DataLoader(train, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test, batch_size=1000)

    model = VAE(side * side, args.hidden, args.latent)
    optimizer = ember.optim.Adam(model.parameters(), lr=args.lr)
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        total = recon_total = kl_total = 0.0
        for (x,) in train_loader:
            loss, recon, kl = negative_elbo(model, x)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
            recon_total += recon.item() * len(x)
            kl_total += kl.item() * len(x)
        n = len(train)
        model.eval()
        with ember.no_grad():
            test_loss = sum(negative_elbo(model, x)[0].item() * len(x) for (x,) in test_loader)
        print(f"epoch {epoch}  loss {total / n:.2f}  (recon {recon_total / n:.2f}, "
              f"kl {kl_total / n:.2f})  ELBO train {-total / n:.2f}  "
              f"test {-test_loss / len(test):.2f} nats/image  "
              f"({time.perf_counter() - start:.0f} s)", flush=True)

    with ember.no_grad():
        z = ember.randn(4, args.latent)
        samples = ember.sigmoid(model.decoder(z))
    print("--- samples decoded from the prior ---")
    print(ascii_images(samples.tolist(), side))


if __name__ == "__main__":
    main()
