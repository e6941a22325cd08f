#!/usr/bin/python3
"""Quantizes a float32 TorchScript version of an image classifier to int8 and, with --import, registers the result
as a new version served at serving.precision int8, measured against the float32 version where it loads.

The service does not quantize (PyTorch's quantization passes are Python); this is the user's side of it. It reads
the version's metadata and stored artifact over HTTP, calibrates on images of an image dataset zip in the layout the
service stores (label/x.png, or train/label/x.png and val/label/x.png), preprocessed as the version preprocesses
requests, and quantizes the TorchScript graph with PyTorch's graph-mode post-training static quantization
(torch.ao.quantization.quantize_jit: conv + batch norm folded, per-channel int8 weights, int8 activations). It
prints how the int8 network agreed with the float32 one on held-out images of the zip, as the service will measure
again on its own engine before serving it.

  python3 scripts/quantize_int8.py --server http://localhost:8080 --model fashion:1 --images fashion.zip \\
      --out fashion-int8.pt [--calibration 200] [--held-out 200] [--api-key KEY] \\
      [--import fashion --agreement-dataset fashion --min-agreement 0.98]

Calibration images come from the zip's train/ images (all of them in an unsplit zip) and never from val/; the
held-out images are val/ images, or in an unsplit zip the images not used for calibration. Needs PyTorch (1.13 and
2.x were tried; Debian's python3-torch works), Pillow and NumPy.
"""
import argparse
import io
import json
import random
import sys
import urllib.error
import urllib.request
import uuid
import zipfile

import numpy as np
import torch
from PIL import Image

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
RESIZE = {"bilinear": Image.BILINEAR, "antialias": Image.BILINEAR, "bicubic": Image.BICUBIC}


def request(args, path, data=None, content_type=None):
    req = urllib.request.Request(args.server.rstrip("/") + path, data=data, method="POST" if data else "GET")
    if args.api_key:
        req.add_header("Authorization", "Bearer " + args.api_key)
    if content_type:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req) as res:
            return res.read()
    except urllib.error.HTTPError as err:
        sys.exit(f"{req.method} {path}: HTTP {err.code}: {err.read().decode(errors='replace')}")


class Preprocess:
    """The version's preprocessing, as the service applies it: short side to `resize`, centre crop to `imageSize`,
    [0, 1], per-channel mean and std. `bilinear` is plain bilinear interpolation in the service; PIL's BILINEAR
    widens its filter when downscaling, so calibration images may differ from the service's slightly: calibration
    only observes value ranges, and the service's own agreement check uses its own preprocessing."""

    def __init__(self, p):
        self.size = p["imageSize"]
        self.resize = p.get("resize") or self.size
        self.method = RESIZE[p.get("resizeMethod") or "bilinear"]
        self.mean = np.array(p.get("mean") or IMAGENET_MEAN, dtype=np.float32)
        self.std = np.array(p.get("std") or IMAGENET_STD, dtype=np.float32)

    def __call__(self, data):
        img = Image.open(io.BytesIO(data)).convert("RGB")
        w, h = img.size
        scale = self.resize / min(w, h)
        img = img.resize((max(self.size, round(w * scale)), max(self.size, round(h * scale))), self.method)
        left, top = (img.width - self.size) // 2, (img.height - self.size) // 2
        img = img.crop((left, top, left + self.size, top + self.size))
        a = (np.asarray(img, dtype=np.float32) / 255.0 - self.mean) / self.std
        return torch.from_numpy(a.transpose(2, 0, 1).copy())


def split_images(path, labels, calibration, held_out, seed):
    """(calibration entries, held-out entries, label index of each), drawn class by class so that every class is in
    both."""
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.lower().endswith(IMAGE_SUFFIXES) and "/" in n]
    by_label = {}
    for n in names:
        parts = n.split("/")
        split = parts[0] if len(parts) >= 3 and parts[0] in ("train", "val") else None
        by_label.setdefault(parts[-2], []).append((split, n))
    unknown = sorted(set(by_label) - set(labels))
    if unknown:
        sys.exit(f"the zip has classes the version does not: {unknown}")
    rng = random.Random(seed)
    cal, held = [], []
    for label, entries in by_label.items():
        rng.shuffle(entries)
        split = any(s for s, _ in entries)
        train = [n for s, n in entries if s != "val"]
        val = [n for s, n in entries if s == "val"] if split else train[calibration // len(by_label) + 1:]
        cal += [(n, labels.index(label)) for n in train[:calibration // len(by_label) + 1]]
        held += [(n, labels.index(label)) for n in val[:held_out // len(by_label) + 1]]
    return cal[:calibration], held[:held_out]


def tensors(path, entries, preprocess):
    with zipfile.ZipFile(path) as z:
        return torch.stack([preprocess(z.read(n)) for n, _ in entries])


def run(model, x, batch=16):
    with torch.no_grad():
        return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])


def multipart(fields, file_field, file_name, data):
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n"
                  f"Content-Type: application/json\r\n\r\n{value}\r\n".encode())
    out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\n"
              f"Content-Type: application/octet-stream\r\n\r\n".encode())
    out.write(data)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", default="http://localhost:8080")
    ap.add_argument("--api-key")
    ap.add_argument("--model", required=True, help="the float32 version, name:version")
    ap.add_argument("--images", required=True, help="an image dataset zip in the service's layout")
    ap.add_argument("--out", required=True, help="where to write the int8 TorchScript file")
    ap.add_argument("--calibration", type=int, default=200, help="calibration images (default 200)")
    ap.add_argument("--held-out", type=int, default=200, help="images the agreement is printed for (default 200)")
    ap.add_argument("--engine", help="PyTorch's quantized engine (default: x86, else fbgemm, else onednn)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--import", dest="import_as", metavar="NAME", help="register the result as a version of NAME")
    ap.add_argument("--agreement-dataset", help="with --import: the service's dataset (id or name) it is measured on")
    ap.add_argument("--min-agreement", type=float, help="with --import: serving.minAgreement (service default 0.99)")
    args = ap.parse_args()
    if args.import_as and not args.agreement_dataset:
        ap.error("--import needs --agreement-dataset: the service measures int8 against fp32 on that dataset's images")

    name, _, number = args.model.rpartition(":")
    if not name or not number.isdigit():
        ap.error("--model must be name:version")
    version = json.loads(request(args, f"/api/v1/models/{name}/versions/{number}"))
    if version.get("task") != "image-classification" or version.get("format") != "torchscript":
        sys.exit(f"{args.model} is a {version.get('task')} {version.get('format')} version; only image classifiers "
                 "stored as TorchScript are quantized here")
    fp32 = torch.jit.load(io.BytesIO(request(args, f"/api/v1/models/{name}/versions/{number}/artifact"))).eval()

    supported = torch.backends.quantized.supported_engines
    engine = args.engine or next(e for e in ("x86", "fbgemm", "onednn", "qnnpack") if e in supported)
    torch.backends.quantized.engine = engine
    preprocess = Preprocess(version["preprocessing"])
    cal, held = split_images(args.images, version["labels"], args.calibration, args.held_out, args.seed)
    if not cal or not held:
        sys.exit(f"the zip gave {len(cal)} calibration and {len(held)} held-out images; both are needed")
    calibration = tensors(args.images, cal, preprocess)
    from torch.ao.quantization import get_default_qconfig, quantize_jit
    int8 = quantize_jit(fp32, {"": get_default_qconfig(engine)}, lambda m, x: run(m, x), [calibration])

    x = tensors(args.images, held, preprocess)
    truth = torch.tensor([label for _, label in held])
    p = run(fp32, x).softmax(1)
    q = run(int8, x).softmax(1)
    agree = (p.argmax(1) == q.argmax(1)).float().mean().item()
    print(f"{args.model} quantized with the {engine} engine on {len(cal)} calibration images; on {len(held)} "
          f"held-out images int8 picks fp32's class on {100 * agree:.1f}% (max |dp| {(p - q).abs().max().item():.4f}); "
          f"accuracy fp32 {(p.argmax(1) == truth).float().mean().item():.4f}, "
          f"int8 {(q.argmax(1) == truth).float().mean().item():.4f}")
    torch.jit.save(int8, args.out)
    print("wrote", args.out)

    if args.import_as:
        serving = {"precision": "int8", "agreementReference": args.model, "agreementDataset": args.agreement_dataset}
        if args.min_agreement is not None:
            serving["minAgreement"] = args.min_agreement
        metadata = {"task": version["task"], "architecture": version["architecture"], "labels": version["labels"],
                    "preprocessing": version["preprocessing"], "serving": serving}
        with open(args.out, "rb") as f:
            body, content_type = multipart({"metadata": json.dumps(metadata)}, "artifact", "int8.pt", f.read())
        created = json.loads(request(args, f"/api/v1/models/{args.import_as}/versions", body, content_type))
        print(f"registered {created['name']}:{created['version']} at int8, measured against {args.model} on "
              f"{args.agreement_dataset} where it loads")


if __name__ == "__main__":
    main()
