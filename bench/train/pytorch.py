"""PyTorch's side of `cargo xtask bench train`: the same MLP or CNN, data, split and
schedule as `train-fornax` (bench/train/fornax.rs), timed the same way.

Same rows (the split file Fornax wrote), same preprocessing (inputs standardized with
the training rows' mean and population std, 1 where it is zero), same model
(Linear-ReLU-...-Linear, after Conv-ReLU-MaxPool blocks for a CNN or a ResNet's stem,
basic blocks and global average pool, as fornax_core's model/resnet.rs lays it out, with PyTorch's
default initialization, which Burn's Linear and Conv2d also use), Adam with lr and batch size as given, cross-entropy, a shuffle per epoch,
and a validation pass after each epoch (Fornax computes validation loss and accuracy
every epoch too). Prints JSON with samples/s after the first epoch, the first epoch's
time, and test accuracy.
"""

import argparse
import json
import time

import numpy as np
import pandas as pd
import torch
from torch import nn


class BasicBlock(nn.Module):
    """ResNet's basic block, as torchvision's: two 3x3 convolutions without bias, each
    batch-normalized, the input added back (through a 1x1 convolution and batch norm
    where the width or size changes), then ReLU."""

    def __init__(self, inputs, channels, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.shortcut = nn.Identity()
        if stride != 1 or inputs != channels:
            self.shortcut = nn.Sequential(nn.Conv2d(inputs, channels, 1, stride, bias=False), nn.BatchNorm2d(channels))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + self.shortcut(x))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--split", required=True)
    parser.add_argument("--hidden", default="", help="comma-separated widths")
    parser.add_argument("--image", help="height,width of the image each row is, for a CNN")
    parser.add_argument("--channels", help="comma-separated output channels of each conv block")
    parser.add_argument("--widths", help="comma-separated ResNet stage widths (with --image, --depths)")
    parser.add_argument("--depths", help="comma-separated basic blocks per ResNet stage")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--batch-size", type=int, required=True)
    parser.add_argument("--learning-rate", type=float, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    frame = pd.read_csv(args.data)
    labels = frame[args.target].astype(str)
    classes = sorted(labels.unique())
    y_all = torch.tensor(labels.map({c: i for i, c in enumerate(classes)}).to_numpy(), dtype=torch.long)
    x_all = frame.drop(columns=[args.target]).to_numpy(dtype=np.float64)
    with open(args.split) as f:
        split = json.load(f)
    train_rows = np.array(split["train"])
    mean = x_all[train_rows].mean(axis=0)
    std = x_all[train_rows].std(axis=0)
    std[std == 0] = 1.0
    x_all = torch.tensor((x_all - mean) / std, dtype=torch.float32)

    def part(name):
        rows = torch.tensor(split[name])
        return x_all[rows], y_all[rows]

    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = part("train"), part("valid"), part("test")

    layers = []
    inputs = x_train.shape[1]
    if args.image and args.widths:
        height, width = (int(s) for s in args.image.split(","))
        widths = [int(w) for w in args.widths.split(",")]
        depths = [int(d) for d in args.depths.split(",")]
        layers += [nn.Unflatten(1, (1, height, width)), nn.Conv2d(1, widths[0], 3, padding=1, bias=False)]
        layers += [nn.BatchNorm2d(widths[0]), nn.ReLU()]
        channels_in = widths[0]
        for stage, (channels, depth) in enumerate(zip(widths, depths)):
            for i in range(depth):
                layers.append(BasicBlock(channels_in, channels, 2 if stage > 0 and i == 0 else 1))
                channels_in = channels
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        inputs = channels_in
    elif args.image:
        # Fornax's conv blocks: 3x3 "same" convolution, ReLU, 2x2 max pool; then Flatten
        # (channel first, as Burn flattens).
        height, width = (int(s) for s in args.image.split(","))
        layers.append(nn.Unflatten(1, (1, height, width)))
        channels_in = 1
        for channels in (int(c) for c in args.channels.split(",")):
            layers += [nn.Conv2d(channels_in, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            channels_in, height, width = channels, height // 2, width // 2
        layers.append(nn.Flatten())
        inputs = channels_in * height * width
    widths = [inputs] + [int(w) for w in args.hidden.split(",") if w] + [len(classes)]
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    loss_fn = nn.CrossEntropyLoss()

    started = time.perf_counter()
    ends = []
    for _ in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_train))
        for start in range(0, len(order), args.batch_size):
            batch = order[start : start + args.batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(x_valid)
            float(loss_fn(logits, y_valid))
            float((logits.argmax(dim=1) == y_valid).float().mean())
        ends.append(time.perf_counter() - started)

    with torch.no_grad():
        accuracy = float((model(x_test).argmax(dim=1) == y_test).float().mean())
    print(
        json.dumps(
            {
                "version": torch.__version__,
                "train_rows": len(x_train),
                "epochs": len(ends),
                "first_epoch_seconds": ends[0],
                "samples_per_second": len(x_train) * (len(ends) - 1) / (ends[-1] - ends[0]),
                "test_accuracy": accuracy,
            }
        )
    )


if __name__ == "__main__":
    main()
