#!/usr/bin/env python3
"""Debian python3-torch on the TorchScript file the service benchmark uses: [N, 3, 224, 224] tensors back to back.

Usage: /usr/bin/python3 scripts/bench_torch.py MODEL.pt SECONDS BATCH_SIZE...
       LAYOUT=channels-last for tensors NHWC in memory (torch.channels_last), as the service hands large batches
"""
import os
import sys
import time

import torch


def main():
    path, seconds, batches = sys.argv[1], float(sys.argv[2]), [int(b) for b in sys.argv[3:]]
    # Debian's build starts with one thread; give it every core, as DJL's engine takes
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", os.cpu_count())))
    model = torch.jit.load(path).eval()
    layout = os.environ.get("LAYOUT", "plain")
    memory_format = torch.channels_last if layout == "channels-last" else torch.contiguous_format
    with torch.inference_mode():
        for batch in batches:
            x = torch.randn(batch, 3, 224, 224).contiguous(memory_format=memory_format)
            for _ in range(3):
                model(x)
            start = time.perf_counter()
            count = 0
            while time.perf_counter() - start < seconds:
                model(x)
                count += 1
            took = time.perf_counter() - start
            print(f"python-torch {torch.__version__} threads={torch.get_num_threads()} layout={layout} batch={batch} "
                  f"throughput={count * batch / took:.1f} images/s latency={took * 1000 / count:.1f}ms/batch")


if __name__ == "__main__":
    main()
