"""Writes digits-images.zip, the studio's image demo: scikit-learn's 1,797 handwritten
digits (bundled with the package, BSD-3) as 8x8 grey PNGs, one folder per digit, values
0-16 scaled to 0-255. The same pictures as core/tests/fixtures/images/digits.zip.

    python3 -m pip install scikit-learn pillow
    python3 public/demo/make_digits_images.py
"""

import io
import os
import zipfile

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))

digits = load_digits()
with zipfile.ZipFile(os.path.join(HERE, "digits-images.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for i, (image, label) in enumerate(zip(digits.images, digits.target)):
        pixels = np.round(image * 255.0 / 16.0).astype(np.uint8)
        out = io.BytesIO()
        Image.fromarray(pixels, mode="L").save(out, format="PNG")
        z.writestr(zipfile.ZipInfo(f"digits/{label}/{i:04d}.png", date_time=(2026, 1, 1, 0, 0, 0)), out.getvalue())
