"""ONNX fixtures for ECGNet's importer (Tests/Fixtures/ECGNet/onnx/).

Exports three PyTorch models with torch.onnx.export(..., dynamo=False, opset 17, dynamic batch)
and records, for inputs x [2, 12, 1000] without near-tied max-pooling windows, onnxruntime's
outputs and the reference attributions of target t = [1, 3] on the *original* PyTorch module.
The inputs: for lenet1d the tie-free records of Tests/Fixtures/ECGExplain/lenet1d.safetensors
(attribution_fixtures.py, the same weights: the records of Tests/Fixtures/ECGNet moved by
tie_free), checked here; for xresnet1d50 that file's records moved on by tie_free until every ReLU
input is also > 2.5e-6 of its layer's maximum from 0 (gate_target; see main); for the foreign model
a random draw moved by tie_free with respect to that model (pooling and LeakyReLU inputs). Every max-pooling window's top-2 gap is
then > MIN_GAP = 1e-3 of its layer's largest activation, so the exported graph (whose
convolutions carry the BatchNorm torch folded in, and round differently) takes the gradient
through the same samples as the original module:

  lenet1d.onnx        the paper's lenet1d with the weights of Tests/Fixtures/ECGNet/lenet1d.safetensors
  xresnet1d50.onnx    the paper's xresnet1d50 with Tests/Fixtures/ECGNet/xresnet1d50.safetensors
                      (torch folds each eval-mode BatchNorm into its convolution when exporting)
  foreign.onnx        a network ecgxai does not build: LeakyReLU residual blocks (identity and 1x1
                      shortcuts), two inception-style branches (ELU, Tanh, an asymmetric
                      ConstantPad1d) joined by concatenation, global average pooling, a Sigmoid
                      MLP head; 8-16 channels. Exported with TrainingMode.PRESERVE so its
                      BatchNorms stay BatchNormalization nodes (the importer's canonizer merges
                      them for LRP as Zennit's SequentialMergeBatchNorm does on the original).
                      metadata_props class_names = NORM,MI,STTC,CD,HYP.
  ops_unsorted.onnx   ops.onnx with its nodes in reverse order (for the topological sort).
  foreign_opset11.onnx  the same network at opset 11 (BatchNorms folded), forward only.
  ops.onnx, ops_opset21.onnx   a graph written with onnx.helper (opset 17 and 21) that uses the remaining supported
                      operators (Unsqueeze, 2-D Conv with a singleton axis, Squeeze, Transpose,
                      Mul/Add with constants, Pad, AveragePool, GlobalMaxPool, ReduceMean,
                      ReduceMax (axes as attributes, and as inputs at opset 21), Concat, Mul of two tensors, Gemm, MatMul + Add, Softmax, …);
                      forward only.
  unsupported.onnx    foreign.onnx's graph with one node turned into an op ecgxai does not import
                      (LpNormalization), for the error test.

  <name>_ref.safetensors   x, ort (onnxruntime outputs), and for the three PyTorch models
                           torch (the module's logits), captum_saliency (abs), zennit_gradient,
                           zennit_epsilon (the paper's EpsilonComposite, SequentialMergeBatchNorm),
                           captum_ixg, and f64_zennit_epsilon: the same ε-LRP on a float64 copy
                           of module and input (stored as float32; the tests' float64 rule, as in
                           ReferenceAgreementTests); for xresnet1d50 also graph_zennit_epsilon and
                           f64_graph_zennit_epsilon: the same on the exported graph (graph_module).

Regenerate:  .venv-ref/bin/python tools/reference/onnx_fixtures.py
(torch 2.15, onnx 1.23, onnxruntime 1.32, captum 0.9, zennit 0.5.1 here.)
"""
import copy
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
from captum.attr import InputXGradient, Saliency
from onnx import TensorProto, helper, numpy_helper
from safetensors.torch import load_file, save_file
from zennit.canonizers import SequentialMergeBatchNorm

sys.path.insert(0, os.path.dirname(__file__))
from attribution_fixtures import MIN_GAP, EpsilonComposite, pooling_windows, tie_free, top2_gaps, zennit  # noqa: E402
from torch_models import ECGResNet, lenet, randomise  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "ECGNet")
OUT = os.path.join(ROOT, "onnx")
TARGETS = [1, 3]
CLASSES = ["NORM", "MI", "STTC", "CD", "HYP"]


class ResLeaky(nn.Module):
    """conv-BN-LeakyReLU-conv-BN plus a shortcut (identity or 1x1 conv-BN), LeakyReLU."""

    def __init__(self, ni, nf, ks=5):
        super().__init__()
        self.convs = nn.Sequential(
            nn.Conv1d(ni, nf, ks, padding=ks // 2, bias=False), nn.BatchNorm1d(nf), nn.LeakyReLU(0.1),
            nn.Conv1d(nf, nf, ks, padding=ks // 2), nn.BatchNorm1d(nf))
        self.shortcut = nn.Identity() if ni == nf else nn.Sequential(nn.Conv1d(ni, nf, 1), nn.BatchNorm1d(nf))
        self.act = nn.LeakyReLU(0.1)

    def forward(self, x):
        return self.act(self.convs(x) + self.shortcut(x))


class Branches(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.a = nn.Sequential(nn.Conv1d(width, width, 3, padding=1), nn.BatchNorm1d(width), nn.ELU())
        self.b = nn.Sequential(nn.ConstantPad1d((5, 3), 0.0), nn.Conv1d(width, width, 9), nn.BatchNorm1d(width), nn.Tanh())

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], 1)


class ForeignNet(nn.Module):
    """A small residual/inception-style ECG classifier that is not one of ecgxai's models."""

    def __init__(self, classes=5, width=8):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(12, width, 7, stride=2, padding=3, bias=False),
                                  nn.BatchNorm1d(width), nn.LeakyReLU(0.1))
        self.block1 = ResLeaky(width, width)
        self.pool = nn.MaxPool1d(2)
        self.branches = Branches(width)
        self.block2 = ResLeaky(2 * width, 16)
        self.head = nn.Sequential(nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(16, 16), nn.Sigmoid(),
                                  nn.Dropout(0.2), nn.Linear(16, classes))

    def forward(self, x):
        x = self.pool(self.block1(self.stem(x)))
        return self.head(self.block2(self.branches(x)))


def export_onnx(model, x, path, preserve=False, metadata=None):
    kwargs = dict(input_names=["x"], output_names=["logits"], opset_version=17,
                  dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}}, dynamo=False)
    if preserve:
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(model, (x,), path, **kwargs)
    m = onnx.load(path)
    for key, value in (metadata or {}).items():
        entry = m.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return m


def run_ort(path, x):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {session.get_inputs()[0].name: x.numpy()})[0])


def references(model, x):
    target = torch.tensor(TARGETS)
    double = copy.deepcopy(model).double()
    return {
        "captum_saliency": Saliency(model).attribute(x.clone(), target=target).detach(),
        "captum_ixg": InputXGradient(model).attribute(x.clone(), target=target).detach(),
        "zennit_gradient": zennit(model, x, None),
        "zennit_epsilon": zennit(model, x, EpsilonComposite(canonizers=[SequentialMergeBatchNorm()])),
        "f64_zennit_epsilon": zennit(double, x.double(), EpsilonComposite(canonizers=[SequentialMergeBatchNorm()])).float(),
    }


def smallest_gaps(model, x):
    """The smallest relative top-2 gap of each max pooling of `model` at x (see pooling_windows)."""
    windows = pooling_windows(model)
    with torch.no_grad():
        gaps = {n: float(g.min()) for n, g in top2_gaps(windows, x)}
    for handle in windows.handles:
        handle.remove()
    return gaps


def graph_module(model, path):
    """`model` as the exported graph computes it: each convolution with the weights and bias of
    its Conv node in `path` (BatchNorm folded in by torch, float32) and that BatchNorm replaced by
    an identity. Conv nodes are matched to the Conv1d modules in execution order; every such
    convolution is the first layer of a (conv, BatchNorm, ...) Sequential (xresnet1d50)."""
    graph = onnx.load(path)
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in graph.graph.initializer}
    convs = [n for n in graph.graph.node if n.op_type == "Conv"]
    folded = copy.deepcopy(model).eval()
    order = []
    handles = [m.register_forward_hook(lambda m, i, o: order.append(m)) for m in folded.modules() if isinstance(m, nn.Conv1d)]
    with torch.no_grad():
        folded(torch.zeros(1, 12, 1000))
    for handle in handles:
        handle.remove()
    owners = {id(s[0]): s for s in folded.modules()
              if isinstance(s, nn.Sequential) and len(s) > 1 and isinstance(s[0], nn.Conv1d) and isinstance(s[1], nn.BatchNorm1d)}
    assert len(order) == len(convs) == len(owners), (len(order), len(convs), len(owners))
    for conv, node in zip(order, convs):
        weight, bias = weights[node.input[1]], weights[node.input[2]]
        assert weight.shape == conv.weight.shape, node.name
        conv.weight = nn.Parameter(weight)
        conv.bias = nn.Parameter(bias)
        owners[id(conv)][1] = nn.Identity()
    return folded


def export_model(name, model, x, preserve=False, metadata=None, graph_references=False):
    model.eval()
    gaps = smallest_gaps(model, x)
    assert all(v > MIN_GAP for v in gaps.values()), f"{name}: near-tied max-pooling windows: {gaps}"
    print(f"{name}: smallest top-2 gaps {gaps}")
    path = os.path.join(OUT, f"{name}.onnx")
    export_onnx(model, x, path, preserve, metadata)
    result = {"x": x, "ort": run_ort(path, x), "torch": model(x).detach()}
    result.update(references(model, x))
    if graph_references:
        # ε-LRP of the exported graph itself: Zennit's canonizer leaves each merged BatchNorm
        # computing x/√(1 + ε) (twice merged on fastai blocks), which the graph — BatchNorm folded
        # once, no BatchNorm left — does not; ε-LRP on xresnet1d50 amplifies that 5e-6 per layer.
        graph = graph_module(model, path)
        composite = lambda: EpsilonComposite(canonizers=[SequentialMergeBatchNorm()])  # noqa: E731
        result["graph_zennit_epsilon"] = zennit(graph, x, composite())
        result["f64_graph_zennit_epsilon"] = zennit(copy.deepcopy(graph).double(), x.double(), composite()).float()
        err = float((graph(x) - result["torch"]).abs().max() / result["torch"].abs().max())
        print(f"{name}: graph module vs torch logits {err:.2e}")
    save_file({k: v.contiguous().float() for k, v in result.items()}, os.path.join(OUT, f"{name}_ref.safetensors"))
    err = float((result["ort"] - result["torch"]).abs().max() / result["torch"].abs().max())
    print(f"{name}: {os.path.getsize(path)} bytes, ort vs torch {err:.2e}, nodes",
          sorted({n.op_type for n in onnx.load(path).graph.node}))


def ops_graph(generator, opset=17):
    """A hand-written graph over the operators the PyTorch models above do not use."""
    def const(name, shape, scale=0.3):
        return numpy_helper.from_array((torch.randn(shape, generator=generator) * scale).numpy().astype(np.float32), name)

    init = [
        const("w2d", (6, 12, 1, 5)), const("b2d", (6,)),
        const("chscale", (6, 1)), const("chshift", (1, 6, 1)),
        const("w1", (6, 6, 3)),
        const("gemm_w", (18, 8)), const("gemm_b", (8,)),
        const("mm_w", (8, 4)), const("mm_b", (4,)),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "axes2"),
        numpy_helper.from_array(np.array([0, 0, 1, 0, 0, 1], dtype=np.int64), "pads"),
        numpy_helper.from_array(np.array([0, -1], dtype=np.int64), "shape2"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "axes_last"),
    ]
    n = helper.make_node
    nodes = [
        n("Unsqueeze", ["x", "axes2"], ["x4"], name="/lift/Unsqueeze"),
        n("Conv", ["x4", "w2d", "b2d"], ["c4"], name="/conv2d/Conv", kernel_shape=[1, 5], pads=[0, 2, 0, 2], strides=[1, 2]),
        n("Squeeze", ["c4", "axes2"], ["c"], name="/drop/Squeeze"),
        n("Mul", ["c", "chscale"], ["cs"], name="/scale/Mul"),
        n("Add", ["cs", "chshift"], ["ca"], name="/shift/Add"),
        n("Elu", ["ca"], ["e"], name="/act/Elu", alpha=0.7),
        n("Pad", ["e", "pads"], ["p"], name="/pad/Pad", mode="constant"),
        n("Conv", ["p", "w1"], ["c2"], name="/conv1/Conv", kernel_shape=[3]),
        n("Sigmoid", ["c2"], ["s"], name="/gate/Sigmoid"),
        n("Mul", ["e", "s"], ["gated"], name="/gate/Mul"),
        n("AveragePool", ["gated"], ["ap"], name="/avg/AveragePool", kernel_shape=[3], strides=[2]),
        n("MaxPool", ["ap"], ["mp"], name="/max/MaxPool", kernel_shape=[3], strides=[1], pads=[1, 1]),
        (n("ReduceMean", ["mp", "axes_last"], ["mean"], name="/head/ReduceMean", keepdims=1) if opset >= 18 else
         n("ReduceMean", ["mp"], ["mean"], name="/head/ReduceMean", axes=[-1], keepdims=1)),
        (n("ReduceMax", ["mp", "axes_last"], ["rmax"], name="/head/ReduceMax", keepdims=0) if opset >= 18 else
         n("ReduceMax", ["mp"], ["rmax"], name="/head/ReduceMax", axes=[2], keepdims=0)),
        n("Unsqueeze", ["rmax", "axes2"], ["rmax3"], name="/head/Unsqueeze"),
        n("GlobalMaxPool", ["mp"], ["gmax"], name="/head/GlobalMaxPool"),
        n("Concat", ["mean", "gmax", "rmax3"], ["cat"], name="/head/Concat", axis=1),
        n("Transpose", ["cat"], ["catT"], name="/head/Transpose", perm=[0, 2, 1]),
        n("Reshape", ["catT", "shape2"], ["flat"], name="/head/Reshape"),
        n("Gemm", ["flat", "gemm_w", "gemm_b"], ["g"], name="/fc1/Gemm", transB=0, alpha=0.5, beta=2.0),
        n("LeakyRelu", ["g"], ["lr"], name="/fc1/LeakyRelu", alpha=0.2),
        n("Tanh", ["lr"], ["th"], name="/fc1/Tanh"),
        n("MatMul", ["th", "mm_w"], ["mm"], name="/fc2/MatMul"),
        n("Add", ["mm", "mm_b"], ["logits_raw"], name="/fc2/Add"),
        n("Softmax", ["logits_raw"], ["logits"], name="/out/Softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "ops", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 12, 1000])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 4])], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="onnx_fixtures.py")
    onnx.checker.check_model(model)
    return model


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(20251201)
    for name, model in [("lenet1d", lenet(5)), ("xresnet1d50", ECGResNet(5))]:
        model.load_state_dict(load_file(os.path.join(ROOT, f"{name}.safetensors")), strict=False)
        model.eval()
        # attribution_fixtures.py's tie-free records for these weights (checked in export_model).
        x = load_file(os.path.join(ROOT, "..", "ECGExplain", f"{name}.safetensors"))["x"]
        if name == "xresnet1d50":
            # One ReLU input of those records (features.5.0.convs.0.2, record 0, position 82) is
            # 1.1e-7 of its layer's maximum from 0: the exported graph's folded convolutions round
            # it to the other side, and 36 samples × 12 leads of the gradient take another path.
            # Moved on until every ReLU input is > 2.5e-6 of its layer's maximum from 0.
            moved = x
            x, _ = tie_free(model, x, steps=2000, gate_target=2.5e-6)
            print(f"{name}: input moved by at most {float((x - moved).abs().max()):.3g} mV from attribution_fixtures'")
        export_model(name, model, x, graph_references=name == "xresnet1d50")
    foreign = ForeignNet()
    randomise(foreign, g)
    foreign.eval()
    drawn = torch.randn(2, 12, 1000, generator=g)
    x, _ = tie_free(foreign, drawn, gate_target=2.5e-6)
    print("foreign: input moved by at most", float((x - drawn).abs().max()))
    export_model("foreign", foreign, x, preserve=True, metadata={"class_names": ",".join(CLASSES)})

    for name, opset in [("ops", 17), ("ops_opset21", 21)]:
        ops = ops_graph(g, opset)
        path = os.path.join(OUT, f"{name}.onnx")
        onnx.save(ops, path)
        x = torch.randn(2, 12, 1000, generator=g)
        save_file({"x": x, "ort": run_ort(path, x)}, os.path.join(OUT, f"{name}_ref.safetensors"))
        print(f"{name}: {os.path.getsize(path)} bytes")
        if opset == 17:
            # The same graph with its nodes in reverse order (not topologically sorted; ONNX
            # requires an order, ecgxai sorts): same outputs as ops.onnx.
            unsorted = onnx.ModelProto()
            unsorted.CopyFrom(ops)
            nodes = list(unsorted.graph.node)[::-1]
            del unsorted.graph.node[:]
            unsorted.graph.node.extend(nodes)
            onnx.save(unsorted, os.path.join(OUT, "ops_unsorted.onnx"))

    # The same foreign network exported at opset 11 (axes and pads as attributes/inputs of the
    # older operator versions).
    path = os.path.join(OUT, "foreign_opset11.onnx")
    x = load_file(os.path.join(OUT, "foreign_ref.safetensors"))["x"]
    torch.onnx.export(foreign, (x,), path, input_names=["x"], output_names=["logits"], opset_version=11,
                      dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}}, dynamo=False)
    save_file({"x": x, "ort": run_ort(path, x)}, os.path.join(OUT, "foreign_opset11_ref.safetensors"))
    print(f"foreign_opset11: {os.path.getsize(path)} bytes, nodes", sorted({n.op_type for n in onnx.load(path).graph.node}))

    bad = onnx.load(os.path.join(OUT, "foreign.onnx"))
    node = next(n for n in bad.graph.node if n.op_type == "Tanh")
    node.op_type = "LpNormalization"
    onnx.save(bad, os.path.join(OUT, "unsupported.onnx"))
    print("unsupported:", node.name)


if __name__ == "__main__":
    torch.set_num_threads(2)
    main()
