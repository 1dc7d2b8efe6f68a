"""PyTorch reference fixtures for ECGNet (lenet1d and xresnet1d50 as in the paper's code).

Builds both models in PyTorch with the module names of hhi-aml/xai4ecg (`code/ecg_model.py`:
the LeNet `sequential.*` and the `ECGResNet` wrapper of fastai's xresnet1d50), randomises the
weights *and* BatchNorm running statistics (so eval-mode BN is non-trivial and the zero-initialised
last BN of each residual block is not inert), and writes to Tests/Fixtures/ECGNet/:

  <model>.safetensors         the state_dict without xresnet's duplicate `convpath.0.*` keys
                              (float32; num_batches_tracked as int64)
  <model>_io.safetensors      input x [2, 12, 1000], logits [2, C], and for target t=1 the input
                              gradient d logit[:, 1] / d x [2, 12, 1000]
  <model>_params.txt          sum(p.numel() for p in model.parameters())

Regenerate:  .venv-ref/bin/python tools/reference/torch_models.py
(torch 2.15 CPU here; the numbers are deterministic for the seed below.)
"""
import os
import torch
import torch.nn as nn
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "ECGNet")
CLASSES = 5


def lenet(num_classes):
    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.sequential = nn.Sequential(
                nn.Conv1d(12, 32, 5, 2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
                nn.Conv1d(32, 64, 5, 2), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(2),
                nn.Conv1d(64, 128, 5, 2), nn.BatchNorm1d(128), nn.ReLU(),
                nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, num_classes))

        def forward(self, x):
            return self.sequential(x)
    return LeNet()


def conv_layer(ni, nf, ks, stride=1, act=True):
    layers = [nn.Conv1d(ni, nf, ks, stride=stride, padding=(ks - 1) // 2, bias=True), nn.BatchNorm1d(nf)]
    if act:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class ResBlock(nn.Module):
    """fastai xresnet ResBlock (convs registered twice, as in the original)."""

    def __init__(self, ni, nf, stride, ks=5, expansion=4):
        super().__init__()
        ni, nh, nf = ni * expansion, nf, nf * expansion
        if expansion == 1:
            self.convs = nn.Sequential(conv_layer(ni, nh, ks, stride), conv_layer(nh, nf, ks, act=False))
        else:
            self.convs = nn.Sequential(conv_layer(ni, nh, 1), conv_layer(nh, nh, ks, stride),
                                       conv_layer(nh, nf, 1, act=False))
        self.convpath = nn.Sequential(self.convs)
        idpath = []
        if ni != nf:
            idpath.append(conv_layer(ni, nf, 1, act=False))
        if stride != 1:
            idpath.insert(0, nn.AvgPool1d(2, ceil_mode=True))
        self.idpath = nn.Sequential(*idpath)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.convpath(x) + self.idpath(x))


class ConcatPool(nn.Module):
    """fastai's AdaptiveConcatPool1d: max and average pooling as sub-modules (Zennit applies its
    norm rule to the average pooling)."""

    def __init__(self):
        super().__init__()
        self.mp = nn.AdaptiveMaxPool1d(1)
        self.ap = nn.AdaptiveAvgPool1d(1)

    def forward(self, x):
        return torch.cat([self.mp(x), self.ap(x)], 1)


class ECGResNet(nn.Module):
    """The paper's wrapper of xresnet1d50/101; expansion 1 gives ecgxai's xresnet1d18/34 (same
    wrapper with a BatchNorm of 2 x 64 pooled features)."""

    def __init__(self, num_classes, layers=(3, 4, 6, 3), expansion=4):
        super().__init__()
        stem = [conv_layer(12, 32, 5, 2), conv_layer(32, 32, 5), conv_layer(32, 64, 5),
                nn.MaxPool1d(3, 2, 1)]
        sizes = [64 // expansion, 64, 64, 64, 64]
        stages = [nn.Sequential(*[ResBlock(sizes[i] if b == 0 else sizes[i + 1], sizes[i + 1],
                                           2 if (b == 0 and i > 0) else 1, expansion=expansion)
                                  for b in range(n)])
                  for i, n in enumerate(layers)]
        self.features = nn.Sequential(*stem, *stages, ConcatPool())
        pooled = 2 * 64 * expansion
        self.bn = nn.BatchNorm1d(pooled)
        self.drop = nn.Dropout(0.5)
        self.l1 = nn.Linear(pooled, num_classes)

    def forward(self, x):
        h = self.features(x).squeeze(-1)
        return self.l1(self.drop(self.bn(h)))


def randomise(model, generator):
    with torch.no_grad():
        for name, p in model.named_parameters():
            fan_in = p[0].numel() if p.dim() > 1 else 1
            if name.endswith("weight") and p.dim() > 1:
                p.copy_(torch.randn(p.shape, generator=generator) * (2.0 / fan_in) ** 0.5)
            elif name.endswith("convs.2.1.weight"):  # fastai zero-initialises this BN
                p.copy_(0.2 * torch.rand(p.shape, generator=generator))
            elif name.endswith("weight"):
                p.copy_(0.5 + torch.rand(p.shape, generator=generator))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=generator))
        for m in model.modules():
            if isinstance(m, nn.BatchNorm1d):
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=generator))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=generator))
                m.num_batches_tracked.fill_(7)


def export(name, model, generator):
    randomise(model, generator)
    model.eval()
    x = torch.randn(2, 12, 1000, generator=generator)
    x.requires_grad_(True)
    logits = model(x)
    logits[:, 1].sum().backward()
    # PyTorch registers xresnet's conv path twice (convs.*, convpath.0.*); keep one copy (as
    # safetensors' save_model does) — ecgxai accepts files with or without the aliases.
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()
             if ".convpath." not in k}
    save_file(state, os.path.join(OUT, f"{name}.safetensors"))
    save_file({"x": x.detach(), "logits": logits.detach(), "grad_target1": x.grad.detach()},
              os.path.join(OUT, f"{name}_io.safetensors"))
    count = sum(p.numel() for p in model.parameters())
    with open(os.path.join(OUT, f"{name}_params.txt"), "w") as f:
        f.write(f"{count}\n")
    print(f"{name}: {count} parameters, logits {logits.detach().numpy().round(4).tolist()}")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(20240525)
    export("lenet1d", lenet(CLASSES), g)
    export("xresnet1d50", ECGResNet(CLASSES), g)
    # Parameter counts only (no weights) for the other depths.
    for name, layers, expansion in [("xresnet1d18", (2, 2, 2, 2), 1), ("xresnet1d34", (3, 4, 6, 3), 1),
                                    ("xresnet1d101", (3, 4, 23, 3), 4)]:
        count = sum(p.numel() for p in ECGResNet(CLASSES, layers, expansion).parameters())
        with open(os.path.join(OUT, f"{name}_params.txt"), "w") as f:
            f.write(f"{count}\n")
        print(f"{name}: {count} parameters")
