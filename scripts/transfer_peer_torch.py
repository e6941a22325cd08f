#!/usr/bin/env python3
"""The Fashion-MNIST transfer experiment of scripts/bench-transfer-fashion.sh written directly in PyTorch 1.13
(Debian's python3-torch), to tell whether a missing transfer gain comes from the data split or from deepserve.

Pretrains a torchvision resnet18 on the SOURCE classes (PRETRAIN_PER_CLASS training images each), then, for each
seed, samples PER_CLASS training images of each TARGET class (80/20 train/validation, as deepserve splits), trains
every method at every learning rate, keeps the learning rate with the best validation accuracy, and reports
accuracy on TEST_PER_CLASS held-out test images per target class. Mean and spread over the seeds.

Methods: scratch (random resnet18), feature-extraction (base frozen in eval mode, new linear head on the pooled
features), fine-tune-layer4 (layer4 and the new head trained, base learning rate x0.1 as deepserve's
baseLearningRateFactor default), cut-layer3 (frozen base up to layer3, global-pooled, new head), full (everything
trained, base at x0.1). Preprocessing as deepserve's: 28 px upscaled bilinearly to SIZE, grey to RGB, ImageNet
mean and std; Adam, batch 32, no augmentation.

  /usr/bin/python3 scripts/transfer_peer_torch.py [--source 0-4] [--target 5-9] [--per-class 30] [--seeds 5]
      [--pretrain-per-class 6000] [--pretrain-epochs 2] [--epochs 15] [--lrs 0.001,0.01] [--size 32]
      [--methods scratch,feature-extraction,fine-tune-layer4,cut-layer3,full] [--threads CORES] [--save-base FILE | --load-base FILE]
"""
import argparse
import copy
import gzip
import os
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

SOURCE = "/usr/share/datasets/fashion-mnist"
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2049:
        return np.frombuffer(data, dtype=np.uint8, offset=8)
    rows, cols = struct.unpack(">II", data[8:16])
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows, cols)


def tensors(images, size):
    x = torch.from_numpy(images.astype(np.float32) / 255).unsqueeze(1)
    if size != x.shape[-1]:
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return (x.expand(-1, 3, -1, -1) - MEAN) / STD


def classes(text):
    """'0-4' or '0,1,2,7,8'."""
    if "-" in text:
        low, high = (int(v) for v in text.split("-"))
        return list(range(low, high + 1))
    return [int(v) for v in text.split(",")]


def batches(n, batch, generator):
    order = torch.randperm(n, generator=generator)
    return [order[i:i + batch] for i in range(0, n, batch)]


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        right = sum((model(x[i:i + 500]).argmax(1) == y[i:i + 500]).sum().item() for i in range(0, len(y), 500))
    return right / len(y)


def fit(model, groups, train, val, epochs, seed):
    """Adam over the parameter groups; returns the state with the best validation accuracy."""
    optimizer = torch.optim.Adam(groups)
    generator = torch.Generator().manual_seed(seed)
    best, best_state = -1.0, None
    for _ in range(epochs):
        model.train()
        for frozen in getattr(model, "frozen", []):
            frozen.eval()
        for index in batches(len(train[1]), 32, generator):
            optimizer.zero_grad()
            F.cross_entropy(model(train[0][index]), train[1][index]).backward()
            optimizer.step()
        score = accuracy(model, *val)
        if score > best:
            best, best_state = score, copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    return best


class Cut(torch.nn.Module):
    """A resnet up to and including `last` (a layer name), global-pooled, then a new linear head."""

    def __init__(self, base, last, classes):
        super().__init__()
        names = ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"]
        self.body = torch.nn.Sequential(*[getattr(base, n) for n in names[:names.index(last) + 1]])
        width = {"layer1": 64, "layer2": 128, "layer3": 256, "layer4": 512}[last]
        self.head = torch.nn.Linear(width, classes)
        self.frozen = [self.body]

    def forward(self, x):
        return self.head(torch.flatten(F.adaptive_avg_pool2d(self.body(x), 1), 1))


def method(name, base, lr, n_classes):
    if name == "scratch":
        model = torchvision.models.resnet18(num_classes=n_classes)
        return model, [{"params": model.parameters(), "lr": lr}]
    model = copy.deepcopy(base)
    model.fc = torch.nn.Linear(512, n_classes)
    if name == "feature-extraction":
        model = Cut(model, "layer4", n_classes)
    elif name == "cut-layer3":
        model = Cut(model, "layer3", n_classes)
    if name in ("feature-extraction", "cut-layer3"):
        for p in model.body.parameters():
            p.requires_grad_(False)
        return model, [{"params": model.head.parameters(), "lr": lr}]
    head = list(model.fc.parameters())
    if name == "fine-tune-layer4":
        trained = list(model.layer4.parameters())
        for p in model.parameters():
            p.requires_grad_(False)
        for p in trained + head:
            p.requires_grad_(True)
        model.frozen = [m for n, m in model.named_children() if n not in ("layer4", "fc")]
    else:  # full
        trained = [p for n, p in model.named_parameters() if not n.startswith("fc.")]
    return model, [{"params": trained, "lr": lr * 0.1}, {"params": head, "lr": lr}]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default="0-4")
    parser.add_argument("--target", default="5-9")
    parser.add_argument("--per-class", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--pretrain-per-class", type=int, default=6000)
    parser.add_argument("--pretrain-epochs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--lrs", default="0.001,0.01")
    parser.add_argument("--test-per-class", type=int, default=1000)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--methods", default="scratch,feature-extraction,fine-tune-layer4,cut-layer3,full")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--load-base", help="start from this saved base instead of pretraining one")
    parser.add_argument("--save-base", help="write the pretrained base's state dict here (torch.save), for"
                        " scripts/export_pretrained.py --weights and deepserve's import")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train_x, train_y = read_idx(f"{SOURCE}/train-images-idx3-ubyte.gz"), read_idx(f"{SOURCE}/train-labels-idx1-ubyte.gz")
    test_x, test_y = read_idx(f"{SOURCE}/t10k-images-idx3-ubyte.gz"), read_idx(f"{SOURCE}/t10k-labels-idx1-ubyte.gz")
    source, target = classes(args.source), classes(args.target)

    def take(x, y, wanted, per_class, rng=None):
        picked = []
        for label in wanted:
            where = np.flatnonzero(y == label)
            picked.append(where[:per_class] if rng is None else rng.choice(where, per_class, replace=False))
        picked = np.concatenate(picked)
        labels = torch.tensor([wanted.index(v) for v in y[picked]])
        return tensors(x[picked], args.size), labels

    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads; source classes {source}, target {target},"
          f" {args.size} px, {args.per_class} images per target class (80/20), {args.epochs} epochs, lrs {args.lrs},"
          f" {args.seeds} seeds", flush=True)
    torch.manual_seed(0)
    start = time.time()
    base = torchvision.models.resnet18(num_classes=len(source))
    if args.load_base:
        base.load_state_dict(torch.load(args.load_base))
        print(f"base loaded from {args.load_base}", flush=True)
    else:
        pre_x, pre_y = take(train_x, train_y, source, args.pretrain_per_class)
        split = np.random.default_rng(0).permutation(len(pre_y))
        cut = int(len(split) * 0.8)
        val_acc = fit(base, [{"params": base.parameters(), "lr": 0.001}], (pre_x[split[:cut]], pre_y[split[:cut]]),
                      (pre_x[split[cut:]], pre_y[split[cut:]]), args.pretrain_epochs, 0)
        print(f"pretrained on {len(pre_y)} images, {args.pretrain_epochs} epochs: validation {val_acc:.4f}"
              f" ({time.time() - start:.0f} s)", flush=True)
        del pre_x, pre_y
    if args.save_base:
        torch.save(base.state_dict(), args.save_base)
    test = take(test_x, test_y, target, args.test_per_class)
    results = {m: [] for m in args.methods.split(",")}
    for seed in range(args.seeds):
        rng = np.random.default_rng(1000 + seed)
        x, y = take(train_x, train_y, target, args.per_class, rng)
        val_index = np.concatenate([np.flatnonzero(y.numpy() == c)[:max(1, round(args.per_class * 0.2))]
                                    for c in range(len(target))])
        train_index = np.setdiff1d(np.arange(len(y)), val_index)
        train, val = (x[train_index], y[train_index]), (x[val_index], y[val_index])
        line = []
        for name in results:
            best = None
            for lr in (float(v) for v in args.lrs.split(",")):
                torch.manual_seed(seed)
                model, groups = method(name, base, lr, len(target))
                score = fit(model, groups, train, val, args.epochs, seed)
                if best is None or score > best[0]:
                    best = (score, lr, accuracy(model, *test))
            results[name].append(best[2])
            line.append(f"{name} {best[2]:.4f} (lr {best[1]:g})")
        print(f"seed {seed}: " + ", ".join(line), flush=True)
    print("held-out accuracy, mean ± sd over seeds (min-max):")
    for name, scores in results.items():
        sd = statistics.stdev(scores) if len(scores) > 1 else 0.0
        print(f"  {name:<20} {statistics.mean(scores):.4f} ± {sd:.4f}  ({min(scores):.4f}-{max(scores):.4f})")


if __name__ == "__main__":
    main()
