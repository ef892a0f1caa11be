"""A small DCGAN on Fashion-MNIST (or scikit-learn's 8x8 digits), offline.

Generator: ConvTranspose2d + BatchNorm + ReLU up to a Tanh image; discriminator: strided
Conv2d + BatchNorm + LeakyReLU down to one logit. Alternating updates with
``BCEWithLogitsLoss`` (the generator maximises log D(G(z))), Adam with beta1 = 0.5 as in the
DCGAN paper. Prints the D and G losses and D's outputs, then draws generated images.

    python examples/gan.py [--steps N] [--data digits] [--smoke]
"""
from __future__ import annotations

import argparse
import os
import time

import ember
import ember.nn as nn
from ember.utils.data import DataLoader, Subset, TensorDataset
from ember.vision import datasets


def load_images(kind):
    """Training images scaled to [-1, 1] as (N, 1, side, side), and the side."""
    if kind == "auto":
        kind = "fashion" if os.path.isdir(datasets.DEBIAN_FASHION_MNIST) else "digits"
    cls, side = (datasets.FashionMNIST, 28) if kind == "fashion" else (datasets.Digits, 8)
    ds = cls(train=True)
    print(f"data: {cls.__name__}, {len(ds)} images of {side}x{side}")
    return TensorDataset(ds.data.float().div(127.5).sub(1.0).unsqueeze(1)), side


class Generator(nn.Module):
    """z (nz, 1, 1) -> (ngf*2, s, s) -> (ngf, 2s, 2s) -> (1, 4s, 4s) with s = side // 4."""

    def __init__(self, nz, ngf, side):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 2, side // 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, 1, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    """(1, 4s, 4s) -> (ndf, 2s, 2s) -> (ndf*2, s, s) -> one logit."""

    def __init__(self, ndf, side):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, side // 4, 1, 0, bias=False),
        )

    def forward(self, x):
        return self.net(x).flatten()


def weights_init(m):
    """DCGAN initialisation: N(0, 0.02) convolutions, N(1, 0.02) BatchNorm scales."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def ascii_images(images):
    """Render a few (1, side, side) images in [-1, 1] side by side with characters."""
    ramp = " .:-=+*#%@"
    rows = zip(*[[("".join(ramp[min(9, max(0, int((v + 1) * 5)))] for v in row))
                  for row in img[0]] for img in images])
    return "\n".join("  ".join(r) for r in rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--nz", type=int, default=32, help="size of the latent vector")
    ap.add_argument("--ngf", type=int, default=32)
    ap.add_argument("--ndf", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--data", choices=["auto", "fashion", "digits"], default="auto")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="a few tiny steps (for tests)")
    args = ap.parse_args(argv)
    if args.smoke:
        args.steps, args.batch_size, args.ngf, args.ndf = 3, 16, 8, 8

    ember.manual_seed(args.seed)
    data, side = load_images(args.data)
    if args.smoke:
        data = Subset(data, range(256))
    loader = DataLoader(data, batch_size=args.batch_size, shuffle=True, drop_last=True)

    netG = Generator(args.nz, args.ngf, side)
    netD = Discriminator(args.ndf, side)
    netG.apply(weights_init)
    netD.apply(weights_init)
    criterion = nn.BCEWithLogitsLoss()
    optD = ember.optim.Adam(netD.parameters(), lr=args.lr, betas=(0.5, 0.999))
    optG = ember.optim.Adam(netG.parameters(), lr=args.lr, betas=(0.5, 0.999))
    fixed_noise = ember.randn(4, args.nz, 1, 1)

    def batches():  # an endless stream of shuffled mini-batches
        while True:
            for (x,) in loader:
                yield x

    start = time.perf_counter()
    log_every = max(1, args.steps // 20)
    for step, real in zip(range(1, args.steps + 1), batches()):
        b = real.size(0)
        ones, zeros = ember.ones(b), ember.zeros(b)

        # (1) discriminator: maximise log D(x) + log(1 - D(G(z)))
        fake = netG(ember.randn(b, args.nz, 1, 1))
        out_real = netD(real)
        out_fake = netD(fake.detach())
        lossD = criterion(out_real, ones) + criterion(out_fake, zeros)
        optD.zero_grad()
        lossD.backward()
        optD.step()

        # (2) generator: maximise log D(G(z)) (the non-saturating loss)
        out = netD(fake)
        lossG = criterion(out, ones)
        optG.zero_grad()
        lossG.backward()
        optG.step()

        if step % log_every == 0 or step == args.steps:
            print(f"step {step:5d}  loss_D {lossD.item():.3f}  loss_G {lossG.item():.3f}  "
                  f"D(x) {out_real.sigmoid().mean().item():.2f}  "
                  f"D(G(z)) {out_fake.sigmoid().mean().item():.2f} -> "
                  f"{out.sigmoid().mean().item():.2f}  ({time.perf_counter() - start:.0f} s)",
                  flush=True)

    netG.eval()
    with ember.no_grad():
        samples = netG(fixed_noise)
    print("--- generated samples ---")
    print(ascii_images(samples.tolist()))


if __name__ == "__main__":
    main()
