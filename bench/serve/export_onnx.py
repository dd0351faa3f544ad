"""Builds the exported Fornax MLP in PyTorch, exports it to ONNX, and checks that
onnxruntime gives Fornax's probabilities on every row.

Usage: export_onnx.py MODEL.json MODEL.onnx DATA.csv FORNAX_PREDICTIONS.csv
(MODEL.json from `serve-export`; the predictions CSV from `fornax predict`.)
"""

import csv
import json
import sys

import numpy as np
import onnxruntime
import torch


def build(spec):
    activation = {
        "relu": torch.nn.ReLU,
        "gelu": torch.nn.GELU,
        "tanh": torch.nn.Tanh,
        "swish": torch.nn.SiLU,
        "relu6": torch.nn.ReLU6,
    }[spec["activation"]]
    modules = []
    for i, layer in enumerate(spec["layers"]):
        linear = torch.nn.Linear(layer["inputs"], layer["outputs"])
        weight = torch.tensor(layer["weight"], dtype=torch.float32).reshape(layer["inputs"], layer["outputs"])
        with torch.no_grad():
            linear.weight.copy_(weight.T)  # Burn stores [inputs, outputs]; PyTorch [outputs, inputs]
            linear.bias.copy_(torch.tensor(layer["bias"], dtype=torch.float32))
        modules.append(linear)
        if i < len(spec["layers"]) - 1:
            modules.append(activation())
    modules.append(torch.nn.Softmax(dim=1))
    return torch.nn.Sequential(*modules).eval()


def standardize(spec, rows):
    """Fornax's recipe: a missing value is the training mean, then (x - mean) / std."""
    out = np.empty((len(rows), len(spec["features"])), dtype=np.float32)
    for i, row in enumerate(rows):
        for j, f in enumerate(spec["features"]):
            value = row.get(f["name"])
            value = f["mean"] if value is None or value == "" else float(value)
            out[i, j] = (value - f["mean"]) / f["std"]
    return out


def main(spec_path, onnx_path, data_path, predictions_path):
    spec = json.load(open(spec_path))
    model = build(spec)
    example = torch.zeros(1, len(spec["features"]))
    torch.onnx.export(
        model, (example,), onnx_path, input_names=["x"], output_names=["probabilities"],
        dynamic_axes={"x": {0: "batch"}, "probabilities": {0: "batch"}}, dynamo=False,
    )
    rows = list(csv.DictReader(open(data_path)))
    session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    ours = session.run(None, {"x": standardize(spec, rows)})[0]
    fornax = list(csv.DictReader(open(predictions_path)))
    theirs = np.array([[float(r[f"probability_{c}"]) for c in spec["classes"]] for r in fornax])
    worst = float(np.abs(ours - theirs).max())
    if worst > 1e-4:
        sys.exit(f"onnxruntime and Fornax disagree by {worst} on a probability")
    print(json.dumps({"rows": len(rows), "max_probability_difference": worst}))


if __name__ == "__main__":
    main(*sys.argv[1:])
