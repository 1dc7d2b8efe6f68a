"""Trains onnx_fixtures.py's ForeignNet (a network ecgxai does not build) in PyTorch on arrays
written by `ecgxai export`, and exports it to ONNX for `ecgxai explain/audit --model FILE.onnx` —
the workflow of a researcher who audits their own PyTorch model.

    ecgxai export --data runs/demo/data --folds 1-8 --task superdiagnostic --rate 100 --out train.npy
    .venv-ref/bin/python tools/reference/onnx_train_foreign.py train.npy runs/demo/foreign.onnx [--epochs 10]

Reads train.npy [N, 12, T] (mV), train.labels.npy [N, K] and train.classes.txt; trains with AdamW
(lr 1e-3, weight decay 1e-3, batch 128, BCE) and writes the ONNX file with the class names in its
metadata (class_names), opset 17, dynamic batch.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from onnx_fixtures import ForeignNet, export_onnx  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("x")
    parser.add_argument("out")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--width", type=int, default=8)
    args = parser.parse_args()
    stem = args.x[:-4] if args.x.endswith(".npy") else args.x
    x = torch.from_numpy(np.load(args.x).astype(np.float32))
    y = torch.from_numpy(np.load(stem + ".labels.npy").astype(np.float32))
    classes = [line.strip() for line in open(stem + ".classes.txt") if line.strip()]
    torch.manual_seed(0)
    model = ForeignNet(classes=y.shape[1], width=args.width)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(x.shape[0])
        total = 0.0
        for start in range(0, x.shape[0], 128):
            batch = order[start:start + 128]
            optimiser.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            optimiser.step()
            total += float(loss) * len(batch)
        print(f"epoch {epoch + 1}: loss {total / x.shape[0]:.4f}")
    model.eval()
    export_onnx(model, x[:2], args.out, preserve=True, metadata={"class_names": ",".join(classes)})
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes), classes {classes}")


if __name__ == "__main__":
    torch.set_num_threads(2)
    main()
