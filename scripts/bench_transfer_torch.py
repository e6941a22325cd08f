#!/usr/bin/env python3
"""The transfer benchmark's feature extraction written directly in PyTorch 1.13 (Debian's python3-torch), for the
time comparison with deepserve's: the same images (transfer.zip, 80/20 split per class), the same preprocessing
(grey to RGB, ImageNet mean and std), a torchvision resnet18 base (random weights: the time does not depend on them;
deepserve's resnet18 has torchvision's layout), frozen and in eval mode, a new linear head, Adam, the same epochs
and batch size, validation after each epoch. Two ways:
  per-epoch   the base runs on every batch of every epoch (under no_grad), as deepserve does without its cache
  cached      every image through the base once, then epochs on the stored features

  /usr/bin/python3 scripts/bench_transfer_torch.py TRANSFER_ZIP EPOCHS BATCH [LR] [SEED]
"""
import io
import os
import random
import sys
import time
import zipfile

import numpy as np
import torch
import torchvision
from PIL import Image

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def load(path, seed):
    with zipfile.ZipFile(path) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".png"))
        classes = sorted({n.split("/")[0] for n in names})
        images = {n: np.asarray(Image.open(io.BytesIO(z.read(n))).convert("RGB"), dtype=np.float32) / 255 for n in names}
    rng = random.Random(seed)
    train, val = [], []
    for c in classes:
        mine = [n for n in names if n.split("/")[0] == c]
        rng.shuffle(mine)
        held = max(1, round(len(mine) * 0.2))
        val += mine[:held]
        train += mine[held:]

    def tensors(subset):
        x = torch.from_numpy(np.stack([images[n] for n in subset])).permute(0, 3, 1, 2)
        y = torch.tensor([classes.index(n.split("/")[0]) for n in subset])
        return (x - MEAN) / STD, y

    return tensors(train), tensors(val), len(classes)


def base():
    net = torchvision.models.resnet18(weights=None)
    net.fc = torch.nn.Identity()
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def run(path, epochs, batch, lr, seed, cached):
    started = time.perf_counter()
    torch.manual_seed(seed)
    (x, y), (vx, vy), classes = load(path, seed)
    net = base()
    head = torch.nn.Linear(512, classes)
    opt = torch.optim.Adam(head.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    forwards = 0

    def features(images):
        nonlocal forwards
        with torch.no_grad():
            out = []
            for i in range(0, len(images), batch):
                out.append(net(images[i:i + batch]))
                forwards += len(images[i:i + batch])
            return torch.cat(out)

    if cached:
        fx, fvx = features(x), features(vx)
    accuracy = 0.0
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            if len(idx) < 2:
                continue
            f = fx[idx] if cached else features(x[idx])
            loss = loss_fn(head(f), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            accuracy = (head(fvx if cached else features(vx)).argmax(1) == vy).float().mean().item()
    return time.perf_counter() - started, forwards, accuracy, len(x), len(vx)


def main():
    path, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    lr = float(sys.argv[4]) if len(sys.argv) > 4 else 0.001
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 42
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", os.cpu_count())))
    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads")
    for cached in (False, True):
        seconds, forwards, accuracy, n, m = run(path, epochs, batch, lr, seed, cached)
        print(f"pytorch feature extraction ({'cached' if cached else 'per-epoch'}): {seconds:.1f} s for {epochs} "
              f"epochs on {n} training + {m} validation images, {forwards} base forward passes, "
              f"last validation accuracy {accuracy:.4f}", flush=True)


if __name__ == "__main__":
    main()
