#!/usr/bin/env python3
"""A torchvision resnet18 trained in PyTorch against the same network imported into deepserve, on real images:
the first PER_CLASS Fashion-MNIST test images of each class the state dict was trained on, upscaled to SIZE px as
scripts/fashion_to_zips.py writes them, classified by PyTorch in process and by deepserve over HTTP.

  /usr/bin/python3 scripts/bench_import_parity.py STATE_DICT API_BASE MODEL_REF [--classes 0-4] [--per-class 40]
      e.g. ... /work/peer/base-0to4.pth http://localhost:18083 fashion-base:1
"""
import argparse
import io
import json
import urllib.request

import numpy as np
import torch
import torchvision
from PIL import Image

from fashion_to_zips import CLASSES, classes, png, read_idx

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("state_dict")
    parser.add_argument("api")
    parser.add_argument("ref")
    parser.add_argument("--classes", type=classes, default=classes("0-4"))
    parser.add_argument("--per-class", type=int, default=40)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--source", default="/usr/share/datasets/fashion-mnist")
    a = parser.parse_args()
    test, rows, cols = read_idx(f"{a.source}/t10k-images-idx3-ubyte.gz")
    labels = read_idx(f"{a.source}/t10k-labels-idx1-ubyte.gz")
    model = torchvision.models.resnet18(num_classes=len(a.classes))
    model.load_state_dict(torch.load(a.state_dict))
    model.eval()
    names = [CLASSES[c] for c in a.classes]
    n = right_torch = right_served = same = 0
    max_dp = 0.0
    for c in a.classes:
        for i in [i for i, label in enumerate(labels) if label == c][:a.per_class]:
            data = png(test[i], rows, cols, a.size)
            x = torch.from_numpy(np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float32) / 255)
            with torch.no_grad():
                p = torch.softmax(model(((x.permute(2, 0, 1) - MEAN) / STD).unsqueeze(0)), 1)[0]
            request = urllib.request.Request(f"{a.api}/api/v1/models/{a.ref}/classify?topK={len(names)}", data=data,
                                             headers={"Content-Type": "image/png"})
            served = json.load(urllib.request.urlopen(request))["predictions"]
            probability = {q["label"]: q["probability"] for q in served}
            max_dp = max(max_dp, max(abs(probability[name] - float(p[k])) for k, name in enumerate(names)))
            right_torch += names[int(p.argmax())] == CLASSES[c]
            right_served += served[0]["label"] == CLASSES[c]
            same += names[int(p.argmax())] == served[0]["label"]
            n += 1
    print(f"{n} test images of classes {names}: PyTorch top-1 {right_torch / n:.3f}, deepserve over HTTP "
          f"{right_served / n:.3f}, same top-1 {same}/{n}, max |dp| {max_dp:.2e}")


if __name__ == "__main__":
    main()
