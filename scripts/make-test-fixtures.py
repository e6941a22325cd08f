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


class LayoutProbe(nn.Module):
    """Tells which memory order its (N, 3, H, W) input came in: logits (N, 2) for labels plain and channels-last.
    Fails, in either order, on an input holding a NaN."""

    def forward(self, x):
        if bool(torch.isnan(x).any()):
            raise RuntimeError("the input holds a NaN")
        plain = 1.0 if x.is_contiguous() else 0.0
        channels_last = 1.0 if x.is_contiguous(memory_format=torch.channels_last) else 0.0
        return torch.tensor([[plain, channels_last]]).repeat(x.size(0), 1) * 10.0


class TieClassifier(nn.Module):
    """3-class classifier for 32x32 RGB input whose first two classes are 1e-4 apart: the second wins in float32,
    and bfloat16 (8 bits of mantissa) rounds both weights to 1, a tie the first class takes."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(1, 3, bias=False)
        with torch.no_grad():
            self.fc.weight.copy_(torch.tensor([[1.0], [1.0001], [0.5]]))

    def forward(self, x):
        return self.fc(x.abs().mean((1, 2, 3)).unsqueeze(1))


class FirstClassClassifier(nn.Module):
    """3-class classifier for 32x32 RGB input that prefers its first class on every image, with the others behind it by
    at least 1 in logits: a float32 network that no int8 copy of the tiny classifier (which never picks it on the
    shapes sample) agrees with."""

    def forward(self, x):
        return torch.tensor([[2.0, 1.0, 0.0]]).repeat(x.size(0), 1) + x.mean((1, 2, 3)).unsqueeze(1) * 0.01


class ViewClassifier(nn.Module):
    """3-class classifier for 8x8 RGB input that flattens with view, which a channels-last input cannot take."""

    def __init__(self, classes=3):
        super().__init__()
        self.fc = nn.Linear(3 * 8 * 8, classes)

    def forward(self, x):
        return self.fc(x.view(x.size(0), -1))


class QuantizedTiny(nn.Module):
    """The tiny classifier quantized to int8 by PyTorch's eager static quantization (conv + ReLU fused, per-channel
    weights, activations observed on random inputs in the range preprocessing gives): what a user who quantized a
    model in PyTorch imports. Float32 in, float32 logits out."""

    def __init__(self, fp32):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = fp32.features[0]
        self.relu = fp32.features[1]
        self.pool = fp32.features[2]
        self.fc = fp32.fc
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.pool(self.relu(self.conv(self.quant(x))))
        return self.dequant(self.fc(torch.flatten(x, 1)))


def quantized(model):
    """An int8 copy of the tiny classifier, through the onednn engine (Debian's torch has no fbgemm)."""
    import copy
    torch.backends.quantized.engine = "onednn"
    q = QuantizedTiny(copy.deepcopy(model)).eval()
    q = torch.ao.quantization.fuse_modules(q, [["conv", "relu"]])
    q.qconfig = torch.ao.quantization.get_default_qconfig("onednn")
    torch.ao.quantization.prepare(q, inplace=True)
    with torch.no_grad():
        q(torch.rand(64, 3, 32, 32) * 4 - 2)
    return torch.ao.quantization.convert(q)


def main():
    torch.manual_seed(7)
    os.makedirs(OUT, exist_ok=True)
    model = TinyClassifier().eval()
    scripted = torch.jit.trace(model, torch.zeros(1, 3, 32, 32))
    path = os.path.join(OUT, "tiny-classifier.pt")
    scripted.save(path)
    print(path, sum(p.numel() for p in model.parameters()), "parameters")
    path = os.path.join(OUT, "int8-tiny-classifier.pt")
    torch.jit.script(quantized(model)).save(path)
    print(path, "the tiny classifier in int8")
    path = os.path.join(OUT, "layout-probe.pt")
    torch.jit.script(LayoutProbe()).save(path)
    print(path)
    path = os.path.join(OUT, "tie-classifier.pt")
    torch.jit.trace(TieClassifier().eval(), torch.zeros(1, 3, 32, 32)).save(path)
    print(path)
    path = os.path.join(OUT, "first-class-classifier.pt")
    torch.jit.trace(FirstClassClassifier().eval(), torch.zeros(1, 3, 32, 32)).save(path)
    print(path)
    model = ViewClassifier().eval()
    path = os.path.join(OUT, "view-classifier.pt")
    torch.jit.trace(model, torch.zeros(1, 3, 8, 8)).save(path)
    print(path, sum(p.numel() for p in model.parameters()), "parameters")


if __name__ == "__main__":
    main()
