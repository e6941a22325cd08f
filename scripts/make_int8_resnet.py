#!/usr/bin/python3
"""int8 for the precision benchmark (issue 22): the fashion ResNet-18 that scripts/make_fashion_resnet.py wrote into
DIR, quantized by PyTorch 1.13's eager static quantization (torchvision's quantizable ResNet-18 with the same
weights, conv+bn+relu fused, per-channel int8 weights, activations observed on CAL images of DIR/agreement.zip, the
onednn engine: Debian's build has no fbgemm), then compared with the float32 network on DIR/images (the 500 held-out
JPEGs, none of them a calibration image), in PyTorch. Writes the scripted int8 module to OUT: a TorchScript file the
service imports like any other.

  /usr/bin/python3 scripts/make_int8_resnet.py DIR OUT [CAL]     # CAL: calibration images, default 100
"""
import glob
import io
import json
import sys
import zipfile

import numpy as np
import torch
from PIL import Image
from torchvision.models.quantization import resnet18 as qresnet18
root = sys.argv[1]; out = sys.argv[2]; cal = int(sys.argv[3]) if len(sys.argv) > 3 else 100
torch.set_num_threads(2); torch.backends.quantized.engine = "onednn"
fp = torch.jit.load(f"{root}/fashion-resnet18.pt").eval()
sd = fp.state_dict()
q = qresnet18(quantize=False, num_classes=10).eval()
missing = q.load_state_dict(sd, strict=True); print("loaded", missing)
def tensor(img):  # preprocessing {"imageSize": 224, "resize": 224, "mean": .5, "std": .25}, bilinear
    img = img.convert("RGB").resize((224, 224), Image.BILINEAR)
    a = np.asarray(img, dtype=np.float32) / 255.0
    return torch.from_numpy(((a - 0.5) / 0.25).transpose(2, 0, 1).copy())
with zipfile.ZipFile(f"{root}/agreement.zip") as z:
    names = sorted(n for n in z.namelist() if n.endswith(".png"))[::max(1, 500 // cal)][:cal]
    calib = torch.stack([tensor(Image.open(io.BytesIO(z.read(n)))) for n in names])
files = sorted(glob.glob(f"{root}/images/*.jpg"))
x = torch.stack([tensor(Image.open(f)) for f in files])
with torch.no_grad():
    ref = torch.cat([fp(x[i:i+50]) for i in range(0, len(x), 50)]).softmax(1)
    qfp = torch.cat([q(x[i:i+50]) for i in range(0, len(x), 50)]).softmax(1)
print("eager fp32 copy vs traced: max dp", (ref - qfp).abs().max().item())
q.fuse_model(); q.qconfig = torch.ao.quantization.get_default_qconfig("onednn")
torch.ao.quantization.prepare(q, inplace=True)
with torch.no_grad():
    for i in range(0, len(calib), 25): q(calib[i:i+25])
torch.ao.quantization.convert(q, inplace=True)
with torch.no_grad():
    qi = torch.cat([q(x[i:i+50]) for i in range(0, len(x), 50)]).softmax(1)
labels = [f.split("/")[-1].split("-", 1)[1][:-4] for f in files]
classes = json.load(open(f"{root}/labels.json"))
truth = torch.tensor([classes.index(l) for l in labels])
print(f"calibration {len(calib)} images; int8 vs fp32 top-1 agreement {(ref.argmax(1) == qi.argmax(1)).float().mean().item():.4f} "
      f"({(ref.argmax(1) == qi.argmax(1)).sum().item()}/{len(x)}), max |dp| {(ref - qi).abs().max().item():.4f}; "
      f"accuracy fp32 {(ref.argmax(1) == truth).float().mean().item():.4f} int8 {(qi.argmax(1) == truth).float().mean().item():.4f}")
torch.jit.save(torch.jit.script(q), out); print("saved", out)
