#!/usr/bin/env python3
"""A ResNet-18 trained on Debian's real Fashion-MNIST at 224 px, and held-out images, for the precision benchmark
(issue 22: bf16 against fp32 on at least 500 real images). Pretrained weights cannot be downloaded here, so the
network is trained from scratch, briefly: what matters is that it is a real classifier of real images (confident
where it is right, unsure where it is not), not its accuracy.

Writes into OUT:
  fashion-resnet18.pt  the network traced in float32 (TorchScript), input (N, 3, 224, 224) normalised as
                       preprocessing {"imageSize": 224, "resize": 224, "mean": [0.5]*3, "std": [0.25]*3} does
  images/NNNN-LABEL.jpg  HTTP_PER_CLASS t10k images of each class, upscaled to 224 px (PIL bilinear), JPEG quality 90
  agreement.zip        the next AGREEMENT_PER_CLASS t10k images of each class as PNGs in class folders: the dataset a
                       bf16 version is measured against fp32 on when it loads
  labels.json          the class names in output order
Training: the first TRAIN_PER_CLASS training images of each class, EPOCHS passes in batches of 32, SGD with momentum and
a cosine learning rate (without the decay, batch norm's running statistics lagged the weights: 23% held out after
a pass at a constant rate), bf16 autocast (Debian's torch 1.13), seed 0. Prints the held-out accuracy of the
float32 network.

  /usr/bin/python3 scripts/make_fashion_resnet.py OUT [--train-per-class 600] [--epochs 1] [--http-per-class 50]
                                                      [--agreement-per-class 50]
"""
import argparse
import gzip
import io
import json
import os
import struct
import time
import zipfile

import numpy as np
import torch
import torchvision
from PIL import Image

CLASSES = ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
SOURCE = "/usr/share/datasets/fashion-mnist"
SIZE = 224


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2049:
        return np.frombuffer(data, np.uint8, count, 8)
    rows, cols = struct.unpack(">II", data[8:16])
    return np.frombuffer(data, np.uint8, count * rows * cols, 16).reshape(count, rows, cols)


def first_per_class(labels, per_class, skip=0):
    """Indices of the first `per_class` images of each class after skipping `skip` of each, class by class."""
    chosen = []
    for c in range(len(CLASSES)):
        chosen.extend(np.flatnonzero(labels == c)[skip:skip + per_class].tolist())
    return chosen


def upscale(image):
    return Image.fromarray(image, "L").resize((SIZE, SIZE), Image.BILINEAR)


def tensor(images):
    """uint8 (N, 224, 224) grey to the normalised (N, 3, 224, 224) input the service makes of them."""
    x = torch.from_numpy(np.stack(images)).float().div_(255).sub_(0.5).div_(0.25)
    return x.unsqueeze(1).expand(-1, 3, -1, -1).contiguous(memory_format=torch.channels_last)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--train-per-class", type=int, default=600)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--http-per-class", type=int, default=50)
    parser.add_argument("--agreement-per-class", type=int, default=50)
    args = parser.parse_args()
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count())

    train_x = read_idx(os.path.join(SOURCE, "train-images-idx3-ubyte.gz"))
    train_y = read_idx(os.path.join(SOURCE, "train-labels-idx1-ubyte.gz"))
    test_x = read_idx(os.path.join(SOURCE, "t10k-images-idx3-ubyte.gz"))
    test_y = read_idx(os.path.join(SOURCE, "t10k-labels-idx1-ubyte.gz"))

    train = first_per_class(train_y, args.train_per_class)
    rng = np.random.default_rng(0)
    order = np.concatenate([rng.permutation(train) for _ in range(args.epochs)])
    images = {i: np.asarray(upscale(train_x[i])) for i in train}
    model = torchvision.models.resnet18(num_classes=len(CLASSES)).to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, (len(order) + 31) // 32)
    start = time.time()
    model.train()
    for step, at in enumerate(range(0, len(order), 32)):
        batch = order[at:at + 32]
        x = tensor([images[i] for i in batch])
        y = torch.from_numpy(train_y[batch].astype(np.int64))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 25 == 0:
            print(f"step {step} loss {loss.item():.3f} ({time.time() - start:.0f} s)", flush=True)
    model.eval()

    http = first_per_class(test_y, args.http_per_class)
    agreement = first_per_class(test_y, args.agreement_per_class, skip=args.http_per_class)
    correct = 0
    with torch.no_grad():
        for at in range(0, len(http), 50):
            batch = http[at:at + 50]
            logits = model(tensor([np.asarray(upscale(test_x[i])) for i in batch]))
            correct += (logits.argmax(1).numpy() == test_y[batch]).sum()
        traced = torch.jit.trace(model, torch.zeros(1, 3, SIZE, SIZE))
    traced.save(os.path.join(args.out, "fashion-resnet18.pt"))
    print(f"float32 accuracy on the {len(http)} held-out HTTP images: {correct / len(http):.3f}")

    for n, i in enumerate(http):
        upscale(test_x[i]).save(os.path.join(args.out, "images", f"{n:04d}-{CLASSES[test_y[i]]}.jpg"), quality=90)
    with zipfile.ZipFile(os.path.join(args.out, "agreement.zip"), "w") as zf:
        for n, i in enumerate(agreement):
            png = io.BytesIO()
            upscale(test_x[i]).save(png, "PNG")
            zf.writestr(f"{CLASSES[test_y[i]]}/{n:04d}.png", png.getvalue())
    with open(os.path.join(args.out, "labels.json"), "w") as f:
        json.dump(CLASSES, f)


if __name__ == "__main__":
    main()
