"""Writes penguins.csv, the studio's second demo dataset: the Palmer penguins (344 rows,
missing values, categorical columns; CC0), copied from the `palmerpenguins` package.

    python3 -m pip install palmerpenguins
    python3 public/demo/make_penguins.py
"""

import os
import shutil

import palmerpenguins

HERE = os.path.dirname(os.path.abspath(__file__))
shutil.copyfile(
    os.path.join(os.path.dirname(palmerpenguins.__file__), "data", "penguins.csv"),
    os.path.join(HERE, "penguins.csv"),
)
