#!/usr/bin/env python3
"""Writes the benchmark's ResNet-18 (torchvision architecture, random weights: nothing is downloaded) as TorchScript,
and a few 256x256 JPEGs to send it.

Usage: /usr/bin/python3 scripts/make_bench_model.py OUT_DIR
"""
import os
import sys

import torch
import torchvision


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None, num_classes=1000).eval()
    torch.jit.trace(model, torch.zeros(1, 3, 224, 224)).save(os.path.join(out, "resnet18.pt"))
    for i in range(16):
        image = (torch.rand(3, 256, 256) * 255).to(torch.uint8)
        torchvision.io.write_jpeg(image, os.path.join(out, "images", f"{i:02d}.jpg"), quality=90)
    print("wrote", out)


if __name__ == "__main__":
    main()
