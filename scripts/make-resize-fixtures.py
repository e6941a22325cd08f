#!/usr/bin/env python3
"""Writes the images the resize parity tests compare against: a generated 97x61 source and what Pillow, torch and
torchvision make of it.

Run with Debian's python3-pil and python3-torchvision: /usr/bin/python3 scripts/make-resize-fixtures.py
The outputs are committed under src/test/resources/fixtures/resize/ so the tests need no Python.
"""
import os
import random

import torch
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures", "resize")


def source():
    """Gradients, hard-edged blocks and noise: detail finer than the output pixels, which is where the methods
    differ."""
    rnd = random.Random(21)
    img = Image.new("RGB", (97, 61))
    for y in range(61):
        for x in range(97):
            noise = rnd.randint(-50, 50)
            r = x * 255 // 96 + noise
            g = y * 255 // 60 - noise
            b = (255 if (x // 3 + y // 3) % 2 else 0) + noise // 2
            img.putpixel((x, y), tuple(max(0, min(255, v)) for v in (r, g, b)))
    return img


def save(img, name):
    img.save(os.path.join(OUT, name))


def main():
    os.makedirs(OUT, exist_ok=True)
    src = source()
    save(src, "source.png")
    # Pillow antialiases BILINEAR and BICUBIC when it downscales
    save(src.resize((32, 24), Image.BILINEAR), "pil-bilinear-32x24.png")
    save(src.resize((32, 24), Image.BICUBIC), "pil-bicubic-32x24.png")
    # crops resized in one step, as training's random crops are; upscaled, bicubic overshoots and is clipped
    save(src.resize((20, 20), Image.BILINEAR, box=(10, 5, 60, 50)), "pil-bilinear-box-20x20.png")
    save(src.resize((60, 40), Image.BICUBIC, box=(3, 2, 33, 22)), "pil-bicubic-box-60x40.png")
    # plain bilinear: no antialiasing, as the resize every version had before the option existed
    t = torch.tensor(list(src.getdata()), dtype=torch.float32).reshape(61, 97, 3).permute(2, 0, 1)[None]
    plain = F.interpolate(t, size=(24, 32), mode="bilinear", align_corners=False, antialias=False)
    plain = plain[0].permute(1, 2, 0).round().clamp(0, 255).to(torch.uint8)
    save(Image.frombytes("RGB", (32, 24), bytes(plain.flatten().tolist())), "torch-bilinear-32x24.png")
    # torchvision's own pipeline: short side to 41 (97x61 -> 65x41), then the centred 32x32, whose offsets
    # (16.5, 4.5) round half to even
    for name, mode in (("bilinear", transforms.InterpolationMode.BILINEAR),
                       ("bicubic", transforms.InterpolationMode.BICUBIC)):
        pipeline = transforms.Compose([transforms.Resize(41, interpolation=mode), transforms.CenterCrop(32)])
        save(pipeline(src), "torchvision-" + name + "-41-32.png")


if __name__ == "__main__":
    main()
