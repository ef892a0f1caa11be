"""REINFORCE (Monte-Carlo policy gradient) on a cart-pole written in NumPy.

The environment is the classic cart-pole (Barto, Sutton & Anderson 1983, as in Gym's
CartPole-v1): push the cart left or right to keep the pole upright; +1 reward a step, the
episode ends when the pole passes 12 degrees, the cart leaves +-2.4, or after 500 steps. The
policy is an MLP giving a ``Categorical`` over the two actions; each episode's discounted
returns are normalised and ``-sum(log_prob * return)`` is minimised with Adam.

    python examples/reinforce.py [--episodes N] [--gamma G] [--smoke]
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.distributions import Categorical


class CartPole:
    """Cart-pole physics (Euler integration), observations (x, x_dot, theta, theta_dot)."""

    gravity, masscart, masspole, length = 9.8, 1.0, 0.1, 0.5  # length: half the pole
    force_mag, tau = 10.0, 0.02
    theta_threshold = 12 * 2 * math.pi / 360
    x_threshold = 2.4
    max_steps = 500

    def __init__(self, seed=None):
        self.rng = np.random.default_rng(seed)
        self.total_mass = self.masspole + self.masscart
        self.polemass_length = self.masspole * self.length

    def reset(self):
        self.state = self.rng.uniform(-0.05, 0.05, size=4)
        self.steps = 0
        return self.state.astype(np.float32)

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + self.polemass_length * theta_dot ** 2 * sin) / self.total_mass
        theta_acc = (self.gravity * sin - cos * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * cos ** 2 / self.total_mass))
        x_acc = temp - self.polemass_length * theta_acc * cos / self.total_mass
        x, x_dot = x + self.tau * x_dot, x_dot + self.tau * x_acc
        theta, theta_dot = theta + self.tau * theta_dot, theta_dot + self.tau * theta_acc
        self.state = np.array([x, x_dot, theta, theta_dot])
        self.steps += 1
        failed = abs(x) > self.x_threshold or abs(theta) > self.theta_threshold
        done = failed or self.steps >= self.max_steps
        return self.state.astype(np.float32), 1.0, done


class Policy(nn.Module):
    def __init__(self, obs_dim=4, hidden=128, n_actions=2):
        super().__init__()
        self.fc1 = nn.Linear(obs_dim, hidden)
        self.fc2 = nn.Linear(hidden, n_actions)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))  # action logits


def discounted_returns(rewards, gamma):
    """G_t = r_t + gamma * G_{t+1}, normalised to zero mean and unit variance."""
    returns, g = [], 0.0
    for r in reversed(rewards):
        g = r + gamma * g
        returns.append(g)
    returns = ember.tensor(returns[::-1])
    return (returns - returns.mean()) / (returns.std() + 1e-8)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=600)
    ap.add_argument("--gamma", type=float, default=0.99)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--log-interval", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="a few episodes (for tests)")
    args = ap.parse_args(argv)
    if args.smoke:
        args.episodes, args.log_interval = 3, 1

    ember.manual_seed(args.seed)
    env = CartPole(seed=args.seed)
    policy = Policy(hidden=args.hidden)
    optimizer = ember.optim.Adam(policy.parameters(), lr=args.lr)
    running_reward = 10.0
    start = time.perf_counter()
    for episode in range(1, args.episodes + 1):
        obs, done = env.reset(), False
        log_probs, rewards = [], []
        while not done:
            dist = Categorical(logits=policy(ember.from_numpy(obs)))
            action = dist.sample()
            obs, reward, done = env.step(action.item())
            log_probs.append(dist.log_prob(action))
            rewards.append(reward)

        loss = -(ember.stack(log_probs) * discounted_returns(rewards, args.gamma)).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        ep_reward = sum(rewards)
        running_reward = 0.05 * ep_reward + 0.95 * running_reward
        if episode % args.log_interval == 0 or episode == args.episodes:
            print(f"episode {episode:4d}  reward {ep_reward:5.0f}  running reward "
                  f"{running_reward:6.1f}  loss {loss.item():8.3f}  "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)
        if running_reward > 0.95 * env.max_steps:
            print(f"solved: running reward {running_reward:.1f} after {episode} episodes")
            break
    print(f"final running reward {running_reward:.1f} (a random policy gets about 22)")


if __name__ == "__main__":
    main()
