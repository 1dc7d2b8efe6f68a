"""Captum and Zennit reference attributions for ECGExplain (Tests/Fixtures/ECGExplain/).

Loads the lenet1d and xresnet1d50 weights of Tests/Fixtures/ECGNet (written by torch_models.py)
and two records x [2, 12, 1000] — the inputs of Tests/Fixtures/ECGNet, moved by at most 0.2 mV
(`tie_free`) until the gradient takes the same path in any float32 implementation:
- every max-pooling window has a clear winner: the two largest values of each window whose
  maximum is positive differ by more than 1e-3 of the layer's largest activation (MaxPool1d) or of
  the channel's maximum (the global max pooling of xresnet's concat pooling), and by more than 2e-5
  at every IG path point α·x of the fixtures below (near α = 0 the gaps shrink with α).
Checked; the script stops otherwise. With near ties the two implementations' rounding can pick
different argmaxes, and the gradient then takes another path, so exact agreement could not be
asserted. (ReLU inputs within rounding of 0 can switch a gate the same way; an attempt to hold
them ≥ 1e-7 of their layer's maximum on every path point as well did not converge in 4,000 steps
together with the pooling gaps — see ReferenceAgreementTests for the Gauss-Legendre case this leaves.) Zennit calls leave the model's parameters changed on fastai
residual blocks (see zennit()); the state dict is reloaded after each. It attributes output
t = [1, 3] of the two records with:

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
  captum_noise_tunnel      captum.attr.NoiseTunnel(Saliency), smoothgrad, 3 samples, stdev 0.1,
                           with fixed noise (stored as `noise` [samples, 2, 12, 1000]: Captum's
                           torch.normal draw is replaced by it for the call; x + noise is made
                           tie-free like x)
LAYER: lenet1d `sequential.9` (the paper's `model.sequential[-7]`), xresnet1d50 `features.6`.
Zennit runs merge BatchNorm: ResNetCanonizer on xresnet1d50 (its block rewrites match torchvision
blocks only, so it amounts to SequentialMergeBatchNorm here — checked), SequentialMergeBatchNorm
(= VGGCanonizer) on lenet1d; seeds are one-hot.

    .venv-ref/bin/python tools/reference/attribution_fixtures.py
"""
import copy
import os
import sys

import numpy

import torch
from captum.attr import (GuidedBackprop, GuidedGradCam, InputXGradient, IntegratedGradients as CaptumIG,
                         LayerAttribution, LayerGradCam, NoiseTunnel, Occlusion, Saliency)
from safetensors.torch import load_file, save_file
from zennit.attribution import Gradient, IntegratedGradients
from zennit.canonizers import SequentialMergeBatchNorm
from zennit.torchvision import ResNetCanonizer
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
    """One Zennit attribution; the model's parameters are put back afterwards.

    Zennit's BatchNorm merge does not restore fastai's residual blocks: each conv-path BatchNorm
    is registered twice (`convs` and `convpath.0`), merged twice, and its removal leaves the
    second merge's saved values in place — after one EpsilonComposite call on xresnet1d50 a
    BatchNorm weight is off by 5× and the logits by 1.3e-5 (relative). Every later attribution
    would see another model, so the state dict is saved before and loaded after each call."""
    state = {k: v.clone() for k, v in model.state_dict().items()}
    seed = torch.zeros(x.shape[0], 5, dtype=x.dtype)
    seed[range(x.shape[0]), TARGETS] = 1
    with attributor(model=model, composite=composite, **kwargs) as attr:
        _, relevance = attr(x.clone(), seed)
    model.load_state_dict(state)
    return relevance.detach()


MIN_GAP = 1e-3  # required top-2 gap of every max-pooling window, relative (see pooling_windows)
MIN_PATH_GAP = 2e-5  # the same on the IG path points α·x (see tie_free)
MIN_GATE = 1e-6  # required |input| of every ReLU / LeakyReLU, relative (see gate_margins; optional)


def pooling_windows(model):
    """Hooks every max pooling; returns a function x, first_only -> [(name, windows [..., k], scale)].

    Scales are per input (a record or path point: its layer's largest activation) — rounding is
    relative to the magnitudes of that forward pass. With `first_only` only the layers up to the
    first max pooling run (for xresnet1d50 the stem, where all but a few near ties of the path
    points are: a fraction of the cost of the whole network): both models feed their input straight
    into a top-level Sequential (`sequential`, `features`) that holds the first pooling. A model
    whose first pooling is a top-level module (onnx_fixtures.py's ForeignNet) runs whole."""
    modules = [(n, m) for n, m in model.named_modules() if isinstance(m, (torch.nn.MaxPool1d, torch.nn.AdaptiveMaxPool1d))]
    seen = {}
    handles = [m.register_forward_hook(lambda m, i, o, n=n: seen.__setitem__(n, i[0])) for n, m in modules]
    if "." in modules[0][0]:
        parent, index = modules[0][0].rsplit(".", 1)
        prefix = model.get_submodule(parent)[: int(index) + 1]
    else:
        prefix = model

    def windows(x, first_only=False):
        (prefix if first_only else model)(x)
        result = []
        for n, m in (modules[:1] if first_only else modules):
            a = seen[n]
            if isinstance(m, torch.nn.MaxPool1d):
                w = torch.nn.functional.pad(a, (m.padding, m.padding), value=-float("inf")).unfold(2, m.kernel_size, m.stride)
                scale = a.detach().abs().amax(dim=(1, 2), keepdim=True).clamp_min(1e-30)
            else:
                # A global maximum's rounding is relative to its own channel: scale per channel.
                w = a.unsqueeze(2)
                scale = a.detach().abs().amax(dim=-1, keepdim=True).clamp_min(1e-30)
            result.append((n, w, scale))
        return result
    windows.handles = handles
    return windows


def top2_gaps(windows, x, first_only=False):
    """Per pooling layer: relative gaps (top1 − top2) / scale of windows with a nonzero max. After
    a ReLU that leaves out the all-zero windows (exact ties that carry no gradient); after a
    LeakyReLU the windows with a negative max are kept: their gradient is 0.1, not 0."""
    gaps = []
    for n, w, scale in windows(x, first_only):
        top = w.topk(2, dim=-1).values
        alive = (top[..., 0] != 0).detach()
        gaps.append((n, ((top[..., 0] - top[..., 1]) / scale)[alive]))
    return gaps


def path_alphas():
    """The interior points α of the IG fixtures' paths α·x (zero baseline; α = 0 and 1 left out:
    at 0 every window is an exact tie of bias-only values, resolved by both implementations to
    its first sample; at 1 the point is x): Captum's trapezoid (linspace(0, 1, 8)), Captum's
    Gauss-Legendre nodes (8) and Zennit's IntegratedGradients (linspace(0.1, 1, 10))."""
    nodes, _ = numpy.polynomial.legendre.leggauss(8)
    alphas = list(numpy.linspace(0, 1, 8)[1:-1]) + list((nodes + 1) / 2) + [(i + 1) / 10 for i in range(9)]
    return torch.tensor(alphas, dtype=torch.float32)


def gate_margins(model):
    """Hooks every ReLU and LeakyReLU; returns a function () -> [(name, |input| / scale)] for the
    last forward pass, scale per record: the layer's largest |input|. A gate whose input is within
    float32 rounding of 0 (up to 2e-7 of the layer's maximum on xresnet1d50, where one sums 256
    products) can switch between two implementations that round differently — an exported graph
    with BatchNorm folded into its convolutions and the original — and the gradient then takes
    another path (attribution_fixtures' own inputs do not ask for this: see the module comment)."""
    modules = [(n, m) for n, m in model.named_modules() if isinstance(m, (torch.nn.ReLU, torch.nn.LeakyReLU))]
    seen = {}
    handles = [m.register_forward_hook(lambda m, i, o, n=n: seen.__setitem__(n, i[0])) for n, m in modules]

    def margins():
        result = []
        for n, _ in modules:
            a = seen[n]
            scale = a.detach().abs().amax(dim=tuple(range(1, a.dim())), keepdim=True).clamp_min(1e-30)
            result.append((n, a.abs() / scale))
        return result
    margins.handles = handles
    return margins


def tie_free(model, x, target=2.5e-3, steps=800, alphas=None, path_target=5e-5, gate_target=None):
    """x moved by Adam steps (lr 2e-3 mV) until every window's gap exceeds `target` — and, with
    `alphas`, every window of the path points α·x exceeds `path_target` (near α = 0 the points
    are bias-dominated and their gaps scale with α, so their target is smaller; it is still 50×
    the float32 rounding of the activations); with `gate_target`, also every ReLU / LeakyReLU
    input of x is at least that far from 0 (relative, see gate_margins; checked > MIN_GATE)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # many small passes: one thread is faster, and does not spin when the cores are busy
    windows = pooling_windows(model)
    gates = gate_margins(model) if gate_target is not None else None
    x = x.clone().requires_grad_(True)
    optimiser = torch.optim.Adam([x], lr=2e-3)
    # Fixed-rate Adam oscillates around the last few windows: decay the step (to a tenth).
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: max(0.7 ** (step // 300), 0.1))

    def path(x):
        return (alphas.view(-1, 1, 1, 1) * x.unsqueeze(0)).reshape((-1,) + tuple(x.shape[1:]))

    def loss_of(x, first_only):
        loss = sum(torch.relu(target - g).sum() for _, g in top2_gaps(windows, x))
        if gates is not None:  # read now: the path points' passes below overwrite them
            loss = loss + sum(torch.relu(gate_target - m).sum() for _, m in gates())
        if alphas is not None:
            loss = loss + sum(torch.relu(path_target - g).sum() for _, g in top2_gaps(windows, path(x), first_only))
        return loss
    for step in range(steps):
        optimiser.zero_grad()
        # The path points through the first pooling only while it has near ties; then all of it.
        loss = loss_of(x, first_only=alphas is not None)
        if loss.item() == 0:
            loss = loss_of(x, first_only=False)
            if loss.item() == 0:
                break
        if step % 100 == 0:
            print(f"  tie_free step {step}: loss {loss.item():.3g}", file=sys.stderr, flush=True)
        loss.backward()
        optimiser.step()
        schedule.step()
    x = x.detach()
    with torch.no_grad():
        report = {n: float(g.min()) for n, g in top2_gaps(windows, x)}
        gate_report = {n: float(m.min()) for n, m in gates()} if gates is not None else {}
        path_report = {n: float(g.min()) for n, g in top2_gaps(windows, path(x))} if alphas is not None else {}
    for handle in windows.handles + (gates.handles if gates is not None else []):
        handle.remove()
    torch.set_num_threads(threads)
    assert all(v > MIN_GAP for v in report.values()), f"near-tied max-pooling windows remain: {report}"
    assert all(v > MIN_PATH_GAP for v in path_report.values()), f"near-tied windows on the IG path remain: {path_report}"
    assert all(v > MIN_GATE for v in gate_report.values()), f"gate inputs within rounding of 0 remain: {gate_report}"
    return x, report | {f"path {n}": v for n, v in path_report.items()} | {f"gate {n}": v for n, v in gate_report.items()}


def noise_tunnel(model, x, target, samples=3, stdev=0.1, seed=7):
    """Captum NoiseTunnel(Saliency) with noise drawn here and passed in for torch.normal. The
    noisy copies are made tie-free like x (the noise moves by a few hundredths of a mV)."""
    generator = torch.Generator().manual_seed(seed)
    noise = stdev * torch.randn((samples,) + tuple(x.shape), generator=generator)
    noisy, _ = tie_free(model, (x.unsqueeze(0) + noise).reshape((-1,) + tuple(x.shape[1:])))
    noise = noisy.reshape(noise.shape) - x.unsqueeze(0)
    # Captum adds noise to x.repeat_interleave(samples): row r * samples + s is record r, draw s.
    interleaved = noise.transpose(0, 1).reshape((x.shape[0] * samples,) + tuple(x.shape[1:]))
    original = torch.normal

    def fixed(mean, std, *args, **kwargs):
        assert tuple(std.shape) == tuple(interleaved.shape)
        return interleaved.clone()
    torch.normal = fixed
    try:
        result = NoiseTunnel(Saliency(model)).attribute(
            x.clone(), nt_type="smoothgrad", nt_samples=samples, stdevs=stdev, target=target).detach()
    finally:
        torch.normal = original
    return result, noise


def main():
    out = os.path.join(ROOT, "ECGExplain")
    os.makedirs(out, exist_ok=True)
    for name, model in [("lenet1d", lenet(5)), ("xresnet1d50", ECGResNet(5))]:
        model.load_state_dict(load_file(os.path.join(ROOT, "ECGNet", f"{name}.safetensors")), strict=False)
        model.eval()
        x = load_file(os.path.join(ROOT, "ECGNet", f"{name}_io.safetensors"))["x"]
        moved = x
        merge = (lambda: [ResNetCanonizer()]) if name == "xresnet1d50" else (lambda: [SequentialMergeBatchNorm()])
        x, gaps = tie_free(model, x, steps=4000, alphas=path_alphas())
        print(name, "input moved by at most", float((x - moved).abs().max()), "mV; smallest top-2 gaps", gaps)
        target = torch.tensor(TARGETS)
        if name == "xresnet1d50":
            # ResNetCanonizer rewrites torchvision blocks only: here it merges BatchNorm, nothing else
            # (each conv-path BatchNorm twice: collect_leaves visits `convs` and `convpath.0`).
            state = {k: v.clone() for k, v in model.state_dict().items()}
            applied = ResNetCanonizer().apply(model)
            kinds = {type(c).__name__ for c in applied}
            for c in reversed(applied):  # fastai registers convs twice: merges nest, undo in reverse
                c.remove()
            model.load_state_dict(state)  # (the removal does not restore them exactly: see zennit())
            assert kinds == {"SequentialMergeBatchNorm"}, f"ResNetCanonizer applied {kinds}"
        result = {
            "x": x,
            "captum_saliency": Saliency(model).attribute(x.clone(), target=target).detach(),
            "captum_ixg": InputXGradient(model).attribute(x.clone(), target=target).detach(),
            "captum_ig_trapezoid": CaptumIG(model).attribute(x.clone(), target=target, n_steps=8, method="riemann_trapezoid").detach(),
            "captum_ig_gausslegendre": CaptumIG(model).attribute(x.clone(), target=target, n_steps=8, method="gausslegendre").detach(),
            "zennit_gradient": zennit(model, x, None),
            "zennit_ig10": zennit(model, x, Composite(canonizers=merge()), IntegratedGradients, n_iter=10),
            "zennit_epsilon": zennit(model, x, EpsilonComposite(canonizers=merge())),
            "zennit_epsilon_plus_flat": zennit(model, x, EpsilonPlusFlat(canonizers=merge())),
            "zennit_alpha2beta1": zennit(model, x, EpsilonAlpha2Beta1(canonizers=merge())),
        }
        result["captum_noise_tunnel"], result["noise"] = noise_tunnel(model, x, target)
        # How far Zennit is from itself: the same LRP on one thread instead of two (different
        # summation orders). ε-LRP on xresnet divides by pre-activations near zero at every layer
        # and copies relevance over 16 residual additions, so rounding is amplified by orders of
        # magnitude; the Swift tests compare with this spread. Scalars: max |Δ| / max |relevance|.
        torch.set_num_threads(1)
        for key, composite in [("zennit_epsilon", EpsilonComposite), ("zennit_epsilon_plus_flat", EpsilonPlusFlat),
                               ("zennit_alpha2beta1", EpsilonAlpha2Beta1)]:
            other = zennit(model, x, composite(canonizers=merge()))
            result[f"spread_{key}"] = ((other - result[key]).abs().max() / result[key].abs().max()).reshape(1)
        torch.set_num_threads(2)
        # The exact value, as far as float64 gets: the same LRP and IG on a float64 copy of model
        # and input (stored as float32, `f64_KEY`). Where the reference's float32 run misses the
        # criterion against it, the tests ask that ecgxai be as close to it as that run is.
        double = copy.deepcopy(model).double()
        for key, composite in [("zennit_epsilon", EpsilonComposite), ("zennit_epsilon_plus_flat", EpsilonPlusFlat),
                               ("zennit_alpha2beta1", EpsilonAlpha2Beta1)]:
            result[f"f64_{key}"] = zennit(double, x.double(), composite(canonizers=merge())).float()
        for method in ["riemann_trapezoid", "gausslegendre"]:
            result[f"f64_captum_ig_{method.removeprefix('riemann_')}"] = CaptumIG(double).attribute(
                x.double(), target=target, n_steps=8, method=method).detach().float()
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
        print(name, "Zennit 1 vs 2 threads", {k: float(v) for k, v in result.items() if k.startswith("spread_")})


if __name__ == "__main__":
    torch.set_num_threads(2)
    main()
