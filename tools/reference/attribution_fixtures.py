"""Captum and Zennit reference attributions for ECGExplain (Tests/Fixtures/ECGExplain/).

Loads the lenet1d and xresnet1d50 weights and the inputs of Tests/Fixtures/ECGNet (written by
torch_models.py), and attributes output t = [1, 3] of the two records with:

  captum_saliency          captum.attr.Saliency (abs=True, Captum's default)
  captum_ixg               captum.attr.InputXGradient
  captum_ig_trapezoid      captum.attr.IntegratedGradients, riemann_trapezoid, n_steps=8
  captum_ig_gausslegendre  same, gausslegendre (Captum's default method), n_steps=8
  zennit_gradient          zennit Gradient, no composite
  zennit_ig10              zennit IntegratedGradients(n_iter=10) with the BatchNorm-merging
                           canonizer, as the paper (attribute_signals.py)
  zennit_epsilon           the paper's EpsilonComposite (epsilon 1e-3, stabilizer 1e-6)
  zennit_epsilon_plus_flat zennit EpsilonPlusFlat
  zennit_alpha2beta1       zennit EpsilonAlpha2Beta1
  captum_occlusion         captum.attr.Occlusion, window (1, 50), strides (1, 30), baseline 0
  captum_gradcam           captum.attr.LayerGradCam on LAYER, upsampled with
                           LayerAttribution.interpolate (nearest) and repeated over leads
  captum_guided_backprop   captum.attr.GuidedBackprop
  captum_guided_gradcam    captum.attr.GuidedGradCam on LAYER
LAYER: lenet1d `sequential.9` (the paper's `model.sequential[-7]`), xresnet1d50 `features.6`.
All Zennit runs use SequentialMergeBatchNorm (what VGGCanonizer/ResNetCanonizer amount to on
these models: ResNetCanonizer's block rewrites match torchvision blocks only), seeded one-hot.

    .venv-ref/bin/python tools/reference/attribution_fixtures.py
"""
import os
import sys

import torch
from captum.attr import (GuidedBackprop, GuidedGradCam, InputXGradient, IntegratedGradients as CaptumIG,
                         LayerAttribution, LayerGradCam, Occlusion, Saliency)
from safetensors.torch import load_file, save_file
from zennit.attribution import Gradient, IntegratedGradients
from zennit.canonizers import SequentialMergeBatchNorm
from zennit.composites import EpsilonAlpha2Beta1, EpsilonPlusFlat, LayerMapComposite, layer_map_base
from zennit.core import Composite
from zennit.rules import Epsilon
from zennit.types import Convolution

sys.path.insert(0, os.path.dirname(__file__))
from torch_models import ECGResNet, lenet  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures")
TARGETS = [1, 3]


class EpsilonComposite(LayerMapComposite):
    """The paper's composite (hhi-aml/xai4ecg code/attribute_signals.py)."""

    def __init__(self, epsilon=1e-3, stabilizer=1e-6, canonizers=None):
        layer_map = layer_map_base(stabilizer) + [
            (Convolution, Epsilon(epsilon=epsilon)),
            (torch.nn.Linear, Epsilon(epsilon=epsilon)),
        ]
        super().__init__(layer_map=layer_map, canonizers=canonizers)


def zennit(model, x, composite, attributor=Gradient, **kwargs):
    seed = torch.zeros(x.shape[0], 5)
    seed[range(x.shape[0]), TARGETS] = 1
    with attributor(model=model, composite=composite, **kwargs) as attr:
        _, relevance = attr(x.clone(), seed)
    return relevance.detach()


def main():
    out = os.path.join(ROOT, "ECGExplain")
    os.makedirs(out, exist_ok=True)
    for name, model in [("lenet1d", lenet(5)), ("xresnet1d50", ECGResNet(5))]:
        model.load_state_dict(load_file(os.path.join(ROOT, "ECGNet", f"{name}.safetensors")), strict=False)
        model.eval()
        x = load_file(os.path.join(ROOT, "ECGNet", f"{name}_io.safetensors"))["x"]
        target = torch.tensor(TARGETS)
        result = {
            "x": x,
            "captum_saliency": Saliency(model).attribute(x.clone(), target=target).detach(),
            "captum_ixg": InputXGradient(model).attribute(x.clone(), target=target).detach(),
            "captum_ig_trapezoid": CaptumIG(model).attribute(x.clone(), target=target, n_steps=8, method="riemann_trapezoid").detach(),
            "captum_ig_gausslegendre": CaptumIG(model).attribute(x.clone(), target=target, n_steps=8, method="gausslegendre").detach(),
            "zennit_gradient": zennit(model, x, None),
            "zennit_ig10": zennit(model, x, Composite(canonizers=[SequentialMergeBatchNorm()]), IntegratedGradients, n_iter=10),
            "zennit_epsilon": zennit(model, x, EpsilonComposite(canonizers=[SequentialMergeBatchNorm()])),
            "zennit_epsilon_plus_flat": zennit(model, x, EpsilonPlusFlat(canonizers=[SequentialMergeBatchNorm()])),
            "zennit_alpha2beta1": zennit(model, x, EpsilonAlpha2Beta1(canonizers=[SequentialMergeBatchNorm()])),
        }
        layer = model.sequential[9] if name == "lenet1d" else model.features[6]
        cam = LayerGradCam(model, layer).attribute(x.clone(), target=target)
        cam = LayerAttribution.interpolate(cam, (x.shape[2],), interpolate_mode="nearest").repeat(1, 12, 1)
        result["captum_occlusion"] = Occlusion(model).attribute(
            x.clone(), target=target, sliding_window_shapes=(1, 50), strides=(1, 30), baselines=0).detach()
        result["captum_gradcam"] = cam.detach()
        result["captum_guided_backprop"] = GuidedBackprop(model).attribute(x.clone(), target=target).detach()
        result["captum_guided_gradcam"] = GuidedGradCam(model, layer).attribute(x.clone(), target=target).detach()
        save_file({k: v.contiguous() for k, v in result.items()}, os.path.join(out, f"{name}.safetensors"))
        print(name, {k: float(v.abs().max()) for k, v in result.items()})


if __name__ == "__main__":
    torch.set_num_threads(2)
    main()
