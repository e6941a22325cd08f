#!/usr/bin/env python3
"""Debian's Fashion-MNIST (IDX, gzipped) as image-folder zips for the transfer benchmark (issue 21).

Writes into OUT:
  pretrain.zip   classes 0-4 (t-shirt .. coat) from the training set, PRETRAIN_PER_CLASS images each
  transfer.zip   classes 5-9 (sandal .. ankle-boot) from the training set, TRANSFER_PER_CLASS images each
  test/<class>/<n>.png   classes 5-9 from the t10k set, TEST_PER_CLASS each: the held-out images
  transfer-S.zip one per --seeds S instead of transfer.zip: TRANSFER_PER_CLASS images of each class drawn at random
                 with numpy's default_rng(1000 + S), the draw scripts/transfer_peer_torch.py makes for its seed S
Images are upscaled from 28 to SIZE pixels (PIL bilinear) and stored as 8-bit grey PNGs. Otherwise the choice of
images is the first N of each class in file order, so every run and every tool sees the same ones. --pretrain and
--target choose the classes (a range or a list: --pretrain 5-9 --target 0-4, --pretrain 0,1,2,7,8 --target 3,4,5,6,9).

  python3 scripts/fashion_to_zips.py OUT [--size 32] [--pretrain-per-class 6000] [--transfer-per-class 30]
                                         [--test-per-class 1000] [--source /usr/share/datasets/fashion-mnist]
                                         [--pretrain 0-4] [--target 5-9] [--seeds 0,1,2]
"""
import argparse
import gzip
import io
import os
import struct
import zipfile

import numpy as np
from PIL import Image

CLASSES = ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2049:
        return list(data[8:8 + count])
    if magic != 2051:
        raise ValueError(f"{path}: not an IDX image or label file")
    rows, cols = struct.unpack(">II", data[8:16])
    size = rows * cols
    return [data[16 + i * size:16 + (i + 1) * size] for i in range(count)], rows, cols


def png(pixels, rows, cols, size):
    image = Image.frombytes("L", (cols, rows), bytes(pixels))
    if size != rows:
        image = image.resize((size, size), Image.BILINEAR)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def pick(labels, wanted, per_class):
    chosen = {c: [] for c in wanted}
    for i, label in enumerate(labels):
        if label in chosen and len(chosen[label]) < per_class:
            chosen[label].append(i)
    return chosen


def draw(labels, wanted, per_class, seed):
    rng = np.random.default_rng(1000 + seed)
    labels = np.asarray(labels)
    return {c: [int(i) for i in rng.choice(np.flatnonzero(labels == c), per_class, replace=False)] for c in wanted}


def classes(text):
    """'0-4' or '0,1,2,7,8'."""
    if "-" in text:
        low, high = (int(v) for v in text.split("-"))
        return list(range(low, high + 1))
    return [int(v) for v in text.split(",")]


def write_zip(path, images, rows, cols, chosen, size):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for label, indices in chosen.items():
            for n, i in enumerate(indices):
                z.writestr(f"{CLASSES[label]}/{n:05d}.png", png(images[i], rows, cols, size))
    return sum(len(v) for v in chosen.values())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--source", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--pretrain-per-class", type=int, default=6000)
    parser.add_argument("--transfer-per-class", type=int, default=30)
    parser.add_argument("--test-per-class", type=int, default=1000)
    parser.add_argument("--pretrain", type=classes, default=classes("0-4"))
    parser.add_argument("--target", type=classes, default=classes("5-9"))
    parser.add_argument("--seeds", default="")
    a = parser.parse_args()
    os.makedirs(os.path.join(a.out, "test"), exist_ok=True)
    train, rows, cols = read_idx(os.path.join(a.source, "train-images-idx3-ubyte.gz"))
    train_labels = read_idx(os.path.join(a.source, "train-labels-idx1-ubyte.gz"))
    test, _, _ = read_idx(os.path.join(a.source, "t10k-images-idx3-ubyte.gz"))
    test_labels = read_idx(os.path.join(a.source, "t10k-labels-idx1-ubyte.gz"))

    n = write_zip(os.path.join(a.out, "pretrain.zip"), train, rows, cols,
                  pick(train_labels, a.pretrain, a.pretrain_per_class), a.size)
    if a.seeds:
        m = sum(write_zip(os.path.join(a.out, f"transfer-{seed}.zip"), train, rows, cols,
                          draw(train_labels, a.target, a.transfer_per_class, int(seed)), a.size)
                for seed in a.seeds.split(","))
    else:
        m = write_zip(os.path.join(a.out, "transfer.zip"), train, rows, cols,
                      pick(train_labels, a.target, a.transfer_per_class), a.size)
    held = 0
    for label, indices in pick(test_labels, a.target, a.test_per_class).items():
        folder = os.path.join(a.out, "test", CLASSES[label])
        os.makedirs(folder, exist_ok=True)
        for k, i in enumerate(indices):
            with open(os.path.join(folder, f"{k:05d}.png"), "wb") as f:
                f.write(png(test[i], rows, cols, a.size))
            held += 1
    print(f"pretrain.zip: {n} images (classes {list(a.pretrain)}); transfer: {m} images (classes {list(a.target)},"
          f" seeds {a.seeds or 'none: the first of each class'}); test/: {held} held-out images, {a.size} px")


if __name__ == "__main__":
    main()
