#!/usr/bin/env python3
"""Writes the hand-written hostile inputs in this folder (one subfolder per fuzz target).

Inputs that fuzzers find are added beside them by `cargo xtask fuzz`, minimized. Run from
this folder: python3 make_handwritten.py
"""
import copy
import json
import struct


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# CSV import
write("csv_import/ragged_row.csv", b"a,b\n1,2\n3\n")
write("csv_import/bom_and_quotes.csv", b'\xef\xbb\xbfname,"note, quoted"\n"x ""y""",\n" 2 ","line\nbreak"\n')
write("csv_import/nan_and_infinity.csv", b"x,y\nNaN,inf\n-inf,1e400\n,?\n")
write("csv_import/header_only.csv", b"a,b\n")
write("csv_import/not_utf8.csv", b"a,b\n1,\xff\n")
write("csv_import/too_many_columns.csv",
      ",".join(f"c{i}" for i in range(2001)) + "\n" + ",".join("1" for _ in range(2001)) + "\n")

# Recipe JSON, a zero byte, then a CSV to apply it to
base = {
    "target": "kind", "task": "classification",
    "features": [
        {"kind": "standardize", "name": "size", "mean": 10.0, "std": 2.0},
        {"kind": "one_hot", "name": "color", "categories": ["blue", "red"]},
    ],
    "target_encoding": {"kind": "classes", "classes": ["a", "b"]},
}
table = b"size,color\n1,red\n1e308,blue\n,purple\n"


def recipe(name, edit=lambda r: None):
    r = copy.deepcopy(base)
    edit(r)
    write(f"recipe_json/{name}.bin", json.dumps(r).encode() + b"\0" + table)


recipe("valid_with_extreme_value")
recipe("zero_std", lambda r: r["features"][0].update(std=0.0))
recipe("unsorted_categories", lambda r: r["features"][1].update(categories=["red", "blue"]))
recipe("task_disagrees_with_encoding", lambda r: r.update(task="regression"))
recipe("repeated_feature", lambda r: r["features"][1].update(name="size"))

# Prediction request bodies
write("predict_body/huge_number.json", '{"rows": [{"size": 1e308, "color": "red"}, {"size": -1e308, "color": null}]}')
write("predict_body/nested_and_wrong_types.json",
      '{"rows": [{"size": [1], "color": {"a": 1}}, "row", {"size": true, "color": 3}]}')
write("predict_body/not_an_object.json", '[{"size": 1}]')
write("predict_body/deeply_nested.json", '{"rows": ' + "[" * 200 + "]" * 200 + "}")

# Bundles (a first byte of 1 makes the target append a correct checksum)
magic = b"FORNAX\r\n"
write("bundle_load/signature_only.bin", magic)
write("bundle_load/wrong_version.bin", magic + struct.pack("<I", 2) + b"\0" * 40)
write("bundle_load/huge_manifest_length.bin", b"\x01" + magic + struct.pack("<I", 1) + struct.pack("<Q", 2**63) + b"{}")
manifest = json.dumps({"format_version": 1}).encode()
write("bundle_load/incomplete_manifest.bin",
      b"\x01" + magic + struct.pack("<I", 1) + struct.pack("<Q", len(manifest)) + manifest + struct.pack("<Q", 0))
