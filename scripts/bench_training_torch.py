#!/usr/bin/python3
"""PyTorch peer for the training benchmark: a torchvision network trained with Adam, batch after batch.

Without --images it trains on one random batch held in memory: the upper bound, with no input pipeline at all.
With --images ZIP it reads the very dataset the service trains on (the stored zip of PNGs in class folders), decodes
each image once and keeps it, and augments every batch as a deepserve job does by default: a random crop of 60-100%
of the area at the image's own aspect, resized back to --size (bilinear), a random horizontal flip, colour jitter of
brightness, contrast and saturation by factors in [0.8, 1.2], ImageNet normalisation. --workers N makes the batches
in N DataLoader worker processes ahead of the training loop (0: on the training thread, between steps).

Prints one JSON line: images/s over the timed batches (input included) and the process's peak resident memory.
--bf16: under CPU bf16 autocast, PyTorch's mixed precision.
Run with Debian's python3-torch (1.13): /usr/bin/python3 scripts/bench_training_torch.py --size 64
"""
import argparse
import io
import itertools
import json
import resource
import time
import zipfile

import torch
import torchvision
from PIL import Image
from torchvision import transforms


class Decoded(torch.utils.data.Dataset):
    """The zip's images, each decoded the first time it is read (as the service does) and kept; augmented on every read.
    With worker processes each keeps its own decoded images, for as long as it lives (persistent workers)."""

    def __init__(self, path, size):
        with zipfile.ZipFile(path) as archive:
            names = sorted(n for n in archive.namelist() if n.lower().endswith((".png", ".jpg", ".jpeg")))
            classes = sorted({n.split("/")[-2] for n in names})
            self.samples = [(archive.read(name), classes.index(name.split("/")[-2])) for name in names]
        self.classes = classes
        self.decoded = {}
        width, height = Image.open(io.BytesIO(self.samples[0][0])).size
        self.augment = transforms.Compose([
            transforms.RandomResizedCrop(size, scale=(0.6, 1.0), ratio=(width / height, width / height)),
            transforms.RandomHorizontalFlip(),
            transforms.ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2),
            transforms.ToTensor(),
            transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ])

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        encoded, label = self.samples[index]
        if index not in self.decoded:
            self.decoded[index] = Image.open(io.BytesIO(encoded)).convert("RGB")
        return self.augment(self.decoded[index]), label


def network(arch, classes):
    if arch == "googlenet":
        return torchvision.models.googlenet(num_classes=classes, aux_logits=True, init_weights=True)
    return getattr(torchvision.models, arch)(num_classes=classes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="resnet18", help="a torchvision classifier: resnet18, mobilenet_v2, ...")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--classes", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--images", help="the dataset zip the service trains on; random tensors without")
    parser.add_argument("--workers", type=int, default=0, help="DataLoader worker processes (with --images)")
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast (mixed precision), as a bf16 job trains")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    if args.images:
        data = Decoded(args.images, args.size)
        args.classes = len(data.classes)
        loader = torch.utils.data.DataLoader(data, batch_size=args.batch, shuffle=True, drop_last=True,
                                             num_workers=args.workers, persistent_workers=args.workers > 0)
        batches = itertools.chain.from_iterable(itertools.repeat(loader))
    else:
        fixed = (torch.randn(args.batch, 3, args.size, args.size), torch.randint(0, args.classes, (args.batch,)))
        batches = itertools.repeat(fixed)
    model = network(args.arch, args.classes)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        images, labels = next(batches)
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            outputs = model(images)
            if isinstance(outputs, tuple):  # GoogLeNet's auxiliary classifiers, weighted 0.3 as in the paper
                loss = loss_fn(outputs[0], labels) + 0.3 * (loss_fn(outputs[1], labels) + loss_fn(outputs[2], labels))
            else:
                loss = loss_fn(outputs, labels)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    started = time.perf_counter()
    for _ in range(args.batches):
        step()
    elapsed = time.perf_counter() - started
    print(json.dumps({
        "peer": "pytorch " + torch.__version__ + (" bf16 autocast" if args.bf16 else "")
                + (f" images, {args.workers} workers" if args.images else " random tensors"),
        "arch": args.arch,
        "size": args.size,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "imagesPerSecond": round(args.batch * args.batches / elapsed, 2),
        "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
