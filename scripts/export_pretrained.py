#!/usr/bin/env python3
"""Exports a torchvision network's weights for deepserve's import.

    python3 scripts/export_pretrained.py ARCH OUT [--weights STATE_DICT.pth]

ARCH is a deepserve architecture with a torchvision layout (resnet18 ... mobilenet_v2, googlenet_torchvision).
Without --weights it takes torchvision's pretrained ImageNet weights (downloaded or cached by torchvision);
with it, a state dict saved by torch.save(model.state_dict(), ...) from a torchvision model of that architecture.
OUT is a safetensors file (float32 parameters and batch-norm buffers by their state-dict names), imported with
POST /api/v1/models/{name}/versions as the artifact, with "architecture": ARCH in the metadata.

--random SEED writes randomly initialised weights instead, batch-norm parameters and biases included, and
--reference FILE also writes a fixed input and torchvision's logits for it, both float64: the tests compare
deepserve's network, run in float64 on the same weights, against these.
"""

import argparse
import json
import struct
import sys

import torch
import torchvision

ARCHITECTURES = {
    'resnet18': 'resnet18', 'resnet34': 'resnet34', 'resnet50': 'resnet50', 'resnet101': 'resnet101',
    'resnet152': 'resnet152', 'vgg11': 'vgg11', 'vgg11_bn': 'vgg11_bn', 'vgg13': 'vgg13', 'vgg13_bn': 'vgg13_bn',
    'vgg16': 'vgg16', 'vgg16_bn': 'vgg16_bn', 'vgg19': 'vgg19', 'vgg19_bn': 'vgg19_bn', 'alexnet': 'alexnet',
    'densenet121': 'densenet121', 'densenet169': 'densenet169', 'densenet201': 'densenet201',
    'mobilenet_v2': 'mobilenet_v2', 'googlenet_torchvision': 'googlenet',
}

# DenseNet's dense layers per block, for a growth rate other than torchvision's 32 (deepserve's growthRate option).
DENSE_BLOCKS = {'densenet121': (6, 12, 24, 16), 'densenet169': (6, 12, 32, 32), 'densenet201': (6, 12, 48, 32)}

# The final linear layer of each family; its rows are the classes.
HEADS = ['fc.weight', 'classifier.6.weight', 'classifier.1.weight', 'classifier.weight']


def build(arch, num_classes, weights=None, growth_rate=None):
    if growth_rate is not None:
        if arch not in DENSE_BLOCKS:
            sys.exit('--growth-rate applies to ' + ', '.join(DENSE_BLOCKS) + ' only')
        # deepserve's DenseNet of growth rate k has a stem of 2k filters, as the paper's DenseNet-BC
        return torchvision.models.DenseNet(growth_rate=growth_rate, block_config=DENSE_BLOCKS[arch],
                                           num_init_features=2 * growth_rate, num_classes=num_classes)
    factory = getattr(torchvision.models, ARCHITECTURES[arch])
    options = {}
    if arch == 'googlenet_torchvision':
        # deepserve's variant has no auxiliary classifiers and expects inputs normalised with mean and std 0.5,
        # which is what transform_input turns ImageNet-normalised inputs into.
        options = {'aux_logits': False, 'transform_input': False, 'init_weights': True}
    if weights == 'DEFAULT':
        model = factory(weights='DEFAULT')
        if arch == 'googlenet_torchvision':
            model.transform_input = False
        return model
    return factory(num_classes=num_classes, **options)


def classes_of(state):
    for head in HEADS:
        if head in state:
            return state[head].shape[0]
    sys.exit('the state dict holds no classifier layer (' + ', '.join(HEADS) + ')')


def randomise(model, seed, size):
    """torchvision starts batch norm at identity and many biases at zero: random values make a misplaced tensor
    change the logits. Batch-norm statistics are then measured on random images, as training would, so that deep
    networks keep their activations in range."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point() or 'running_' in name:
                continue
            if name.endswith('bias'):
                tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.1)
            elif tensor.dim() == 1:
                tensor.copy_(torch.rand(tensor.shape, generator=generator) + 0.5)
            else:
                tensor.normal_(0, (2.0 / tensor[0].numel()) ** 0.5, generator=generator)
        norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        for norm in norms:
            norm.reset_running_stats()
            norm.momentum = None
        if norms:
            model.train()
            for _ in range(2):
                model(torch.rand((4, 3, size, size), generator=generator) * 4 - 2)


def write_safetensors(tensors, path):
    """float64 tensors stay float64 (the reference); everything else is written as float32."""
    tensors = {name: t.detach().to(torch.float64 if t.dtype == torch.float64 else torch.float32).contiguous()
               for name, t in tensors.items()}
    header, offset = {}, 0
    for name, tensor in tensors.items():
        size = tensor.numel() * tensor.element_size()
        dtype = 'F64' if tensor.dtype == torch.float64 else 'F32'
        header[name] = {'dtype': dtype, 'shape': list(tensor.shape), 'data_offsets': [offset, offset + size]}
        offset += size
    encoded = json.dumps(header, separators=(',', ':')).encode()
    encoded += b' ' * (-len(encoded) % 8)
    with open(path, 'wb') as out:
        out.write(struct.pack('<Q', len(encoded)))
        out.write(encoded)
        for tensor in tensors.values():
            out.write(tensor.numpy().astype(tensor.numpy().dtype.newbyteorder('<')).tobytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('arch', choices=sorted(ARCHITECTURES))
    parser.add_argument('out')
    parser.add_argument('--weights', help='a state dict (torch.save(model.state_dict(), ...)) to export')
    parser.add_argument('--random', type=int, metavar='SEED', help='random weights, for tests')
    parser.add_argument('--num-classes', type=int, default=1000, help='classifier width with --random')
    parser.add_argument('--reference', metavar='FILE', help='also write an input and its logits to FILE')
    parser.add_argument('--reference-size', type=int, default=64, help='image size of the reference input')
    parser.add_argument('--growth-rate', type=int, help='a DenseNet of this growth rate (import it with '
                        'architectureOptions {"growthRate": N}); with --weights, the state dict must be of one')
    args = parser.parse_args()

    if args.random is not None:
        torch.manual_seed(args.random)
        model = build(args.arch, args.num_classes, growth_rate=args.growth_rate)
        randomise(model, args.random, args.reference_size)
    elif args.weights:
        state = torch.load(args.weights, map_location='cpu')
        state = {k: v for k, v in state.items() if not k.startswith(('aux1.', 'aux2.'))}
        model = build(args.arch, classes_of(state), growth_rate=args.growth_rate)
        model.load_state_dict(state)
    elif args.growth_rate is not None:
        sys.exit('torchvision has pretrained weights for growth rate 32 only: give --weights or --random')
    else:
        model = build(args.arch, None, weights='DEFAULT')
    model.eval()

    tensors = {k: v for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked')}
    write_safetensors(tensors, args.out)
    if args.reference:
        # in float64, so that the comparison shows the layout and not float32 rounding amplified by random weights
        generator = torch.Generator().manual_seed(0)
        x = (torch.rand((2, 3, args.reference_size, args.reference_size), generator=generator) * 4 - 2).double()
        with torch.no_grad():
            logits = model.double()(x)
        write_safetensors({'input': x, 'logits': logits}, args.reference)
    print('wrote %d tensors of %s to %s' % (len(tensors), args.arch, args.out))
    if args.arch == 'googlenet_torchvision' and args.random is None and not args.weights:
        print('preprocessing for these weights: mean [0.5, 0.5, 0.5], std [0.5, 0.5, 0.5]')


if __name__ == '__main__':
    main()
