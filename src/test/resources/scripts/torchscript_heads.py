# Small TorchScript classifiers whose classifier submodules are named as real networks name them, for
# TorchScriptTransferTests: python3 torchscript_heads.py {fc|classifier|proj|softmax} OUT.pt
import sys, torch, torch.nn as nn
torch.manual_seed(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
kind, out = sys.argv[1], sys.argv[2]
def features():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
class Fc(nn.Module):
    def __init__(self):
        super().__init__(); self.features = features(); self.fc = nn.Linear(8, 10)
    def forward(self, x): return self.fc(self.features(x))
class Classifier(nn.Module):
    def __init__(self):
        super().__init__(); self.features = features(); self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(8, 10))
    def forward(self, x): return self.classifier(self.features(x))
class Proj(nn.Module):
    def __init__(self):
        super().__init__(); self.features = features(); self.proj = nn.Linear(8, 10)
    def forward(self, x): return self.proj(self.features(x))
class Softmax(Fc):
    def forward(self, x): return torch.softmax(self.fc(self.features(x)), 1)
model = {"fc": Fc, "classifier": Classifier, "proj": Proj, "softmax": Softmax}[kind]().eval()
torch.jit.script(model).save(out)
