#!/usr/bin/env python3
"""Writes the small TorchScript models the tests import (random weights; nothing is downloaded).

Run with Debian's python3-torch: python3 scripts/make-test-fixtures.py
The outputs are committed under src/test/resources/fixtures/ so the tests need no Python.
"""
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures")


class TinyClassifier(nn.Module):
    """3-class image classifier for 32x32 RGB input: conv, ReLU, global average pool, linear."""

    def __init__(self, classes=3):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(8, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


def main():
    torch.manual_seed(7)
    os.makedirs(OUT, exist_ok=True)
    model = TinyClassifier().eval()
    scripted = torch.jit.trace(model, torch.zeros(1, 3, 32, 32))
    path = os.path.join(OUT, "tiny-classifier.pt")
    scripted.save(path)
    print(path, sum(p.numel() for p in model.parameters()), "parameters")


if __name__ == "__main__":
    main()
