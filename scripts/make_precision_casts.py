#!/usr/bin/python3
"""Writes src/main/resources/io/deepserve/nn/precision-casts.pt: a TorchScript module (code only, no weights) that
changes tensors' floating-point type for reduced-precision serving (issue 22). ReducedPrecision runs it through DJL's
PtSymbolBlock, because DJL 0.32's own casts know no bfloat16 (NDArray.toType(BFLOAT16) ends the JVM).

cast_ changes each tensor's type in place (aten::set_data, what Python's `p.data = p.data.to(dtype)` does), so a
network's parameters, held by DJL or by a TorchScript module, become bfloat16 without the module being rebuilt.
dtype is PyTorch's ScalarType number (6 float32, 15 bfloat16). to_bf16 and to_float32 return converted copies; they
take one tensor, so that DJL can run them as a module's forward in training mode (IValueUtils.forward, a
"module_method:" input naming the method), where autograd records them and the copies are ordinary tensors (DJL's
runMethod runs in inference mode): mixed-precision training casts float32 weights to bf16 and bf16 logits to float32
through them, and the gradients flow back to the float32 weights; serving casts each batch with to_bf16.
Run: /usr/bin/python3 scripts/make_precision_casts.py
"""
import os
from typing import List

import torch
from torch import Tensor

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'main', 'resources', 'io', 'deepserve', 'nn',
                   'precision-casts.pt')


class PrecisionCasts(torch.nn.Module):

    def forward(self, x: Tensor) -> Tensor:
        return x

    @torch.jit.export
    def cast_(self, tensors: List[Tensor], dtype: int) -> int:
        with torch.no_grad():
            for t in tensors:
                torch.ops.aten.set_data(t, t.to(dtype))
        return len(tensors)

    @torch.jit.export
    def to_bf16(self, x: Tensor) -> Tensor:
        return x.to(torch.bfloat16)

    @torch.jit.export
    def to_float32(self, x: Tensor) -> Tensor:
        return x.to(torch.float32)


def main():
    module = torch.jit.script(PrecisionCasts())
    weight = torch.nn.Parameter(torch.randn(2, 3))
    module.cast_([weight], 15)
    assert weight.dtype == torch.bfloat16, weight.dtype
    assert module.to_bf16(torch.ones(2)).dtype == torch.bfloat16
    master = torch.ones(2, requires_grad=True)
    module.to_float32(module.to_bf16(master) * 3).sum().backward()
    assert master.grad.dtype == torch.float32 and master.grad.tolist() == [3.0, 3.0]
    module.save(OUT)
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
