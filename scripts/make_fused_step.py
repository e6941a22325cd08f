#!/usr/bin/python3
"""Writes src/main/resources/io/deepserve/training/fused-step.pt: a TorchScript module (code only, no weights) whose
methods update every parameter of one learning-rate group in one native call (issue 17). TrainingLoop runs them
through DJL's PtSymbolBlock.

libtorch compiles an archive's code/ text when it loads it, so the archive can call ops newer than the PyTorch that
writes it: Debian's torch 1.13 scripts a module with the same class and method signatures (placeholder bodies), and
this script swaps its code text for CODE below, which libtorch 2.5.1 compiles (torch._fused_adamw_, _fused_sgd_ and
_foreach_clamp_max_ are not in 1.13). Run: /usr/bin/python3 scripts/make_fused_step.py
"""
import io
import os
import zipfile
from typing import List

import torch
from torch import Tensor

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'main', 'resources', 'io', 'deepserve', 'training',
                   'fused-step.pt')

# DJL's present semantics, kept: clipGrad clamps each gradient element from above only (clamp_max_, as DJL's native
# adamUpdate and sgdUpdate do), the gradients are zeroed after the update, not freed. Adam and AdamW are PyTorch's
# (epsilon added to sqrt(v / (1 - beta2^t)), not to sqrt(v) as in DJL). SGD keeps DJL's momentum convention
# (buf = momentum * buf + lr * (g + wd * w); w -= buf): _fused_sgd_ runs with lr 1 and a gradient scale of 1 / lr,
# which it divides the gradients by inside the kernel (the gradients are not touched before a kernel that may refuse,
# so DJL's step can still take over).
CODE = '''class FusedStep(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.FusedStep,
    x: Tensor) -> Tensor:
    return x
  def adam(self: __torch__.FusedStep,
    params: List[Tensor],
    grads: List[Tensor],
    exp_avgs: List[Tensor],
    exp_avg_sqs: List[Tensor],
    steps: List[Tensor],
    lr: float,
    beta1: float,
    beta2: float,
    weight_decay: float,
    eps: float,
    decoupled: bool,
    clip: float) -> int:
    _0 = __torch__.torch.autograd.grad_mode.no_grad.__new__(__torch__.torch.autograd.grad_mode.no_grad)
    _1 = (_0).__init__()
    with _0:
      if torch.ge(clip, 0.):
        torch._foreach_clamp_max_(grads, clip)
      else:
        pass
      torch._foreach_add_(steps, 1.)
      if decoupled:
        torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, annotate(List[Tensor], []), steps, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False)
      else:
        torch._fused_adam_(params, grads, exp_avgs, exp_avg_sqs, annotate(List[Tensor], []), steps, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False)
      torch._foreach_zero_(grads)
    return torch.len(params)
  def sgd(self: __torch__.FusedStep,
    params: List[Tensor],
    grads: List[Tensor],
    momentum_buffers: List[Tensor],
    lr: float,
    momentum: float,
    weight_decay: float,
    clip: float) -> int:
    _0 = __torch__.torch.autograd.grad_mode.no_grad.__new__(__torch__.torch.autograd.grad_mode.no_grad)
    _1 = (_0).__init__()
    with _0:
      if torch.ge(clip, 0.):
        torch._foreach_clamp_max_(grads, clip)
      else:
        pass
      inverse_lr = torch.full(annotate(List[int], []), torch.div(1., lr), dtype=6, layout=None, device=ops.prim.device(params[0]), pin_memory=None)
      torch._fused_sgd_(params, grads, momentum_buffers, weight_decay=torch.mul(weight_decay, lr), momentum=momentum, lr=1., dampening=0., nesterov=False, maximize=False, is_first_step=False, grad_scale=inverse_lr, found_inf=None)
      torch._foreach_zero_(grads)
    return torch.len(params)
'''


class FusedStep(torch.nn.Module):

    def forward(self, x: Tensor) -> Tensor:
        return x

    @torch.jit.export
    def adam(self, params: List[Tensor], grads: List[Tensor], exp_avgs: List[Tensor], exp_avg_sqs: List[Tensor],
             steps: List[Tensor], lr: float, beta1: float, beta2: float, weight_decay: float, eps: float,
             decoupled: bool, clip: float) -> int:
        with torch.no_grad():
            return len(params)

    @torch.jit.export
    def sgd(self, params: List[Tensor], grads: List[Tensor], momentum_buffers: List[Tensor], lr: float,
            momentum: float, weight_decay: float, clip: float) -> int:
        with torch.no_grad():
            return len(params)


def main():
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(FusedStep()), buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    written = 0
    with zipfile.ZipFile(OUT, 'w', zipfile.ZIP_STORED) as out:
        for info in source.infolist():
            name = info.filename
            if name.endswith('code/__torch__.py.debug_pkl'):
                continue  # its source ranges describe the placeholder text
            data = CODE.encode() if name.endswith('code/__torch__.py') else source.read(name)
            # a fixed date keeps the archive byte-identical between runs
            entry = zipfile.ZipInfo('fused-step/' + name.split('/', 1)[1], date_time=(2026, 1, 1, 0, 0, 0))
            out.writestr(entry, data)
            written += 1
    print(f'wrote {os.path.normpath(OUT)} ({written} entries)')


if __name__ == '__main__':
    main()
