#!/usr/bin/python3
"""PyTorch peer for the training benchmark: torchvision's ResNet-18 trained with Adam on random images.

Prints one JSON line: images/s over the timed batches and the process's peak resident memory. --bf16: under CPU
bf16 autocast, PyTorch's mixed precision.
Run with Debian's python3-torch (1.13): /usr/bin/python3 scripts/bench_training_torch.py --size 64
"""
import argparse
import json
import resource
import time

import torch
import torchvision


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--classes", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast (mixed precision), as a bf16 job trains")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    model = torchvision.models.resnet18(num_classes=args.classes)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()
    images = torch.randn(args.batch, 3, args.size, args.size)
    labels = torch.randint(0, args.classes, (args.batch,))

    def step():
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    started = time.perf_counter()
    for _ in range(args.batches):
        step()
    elapsed = time.perf_counter() - started
    print(json.dumps({
        "peer": "pytorch " + torch.__version__ + (" bf16 autocast" if args.bf16 else ""),
        "size": args.size,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "imagesPerSecond": round(args.batch * args.batches / elapsed, 2),
        "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
