#!/usr/bin/env python3
"""Writes the hand-written hostile inputs in this folder (one subfolder per fuzz target).

Inputs that fuzzers find are added beside them by `cargo xtask fuzz`, minimized. Run from
this folder: python3 make_handwritten.py
"""
import copy
import hashlib
import io
import json
import os
import struct
import zipfile
import zlib


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

# Project files (.fornax-project): a zip with manifest.json and blobs/SHA256
os.makedirs("project_import", exist_ok=True)
csv = b"size,kind\n1,a\n2,b\n"
digest = hashlib.sha256(csv).hexdigest()
project = {
    "id": "p1", "name": "Study", "created_ms": 1, "updated_ms": 2,
    "datasets": [{"name": "data.csv", "sha256": digest, "bytes": len(csv)}], "runs": [],
}


def project_file(name, manifest=None, blobs=None, edit=lambda m: None):
    m = {"format": "fornax-project", "format_version": 1, "written_by": "hand", "project": copy.deepcopy(project)}
    edit(m)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", manifest if manifest is not None else json.dumps(m))
        for path, data in (blobs if blobs is not None else {f"blobs/{digest}": csv}).items():
            z.writestr(path, data)
    write(f"project_import/{name}.fornax-project", out.getvalue())


project_file("valid")
project_file("checksum_mismatch", blobs={f"blobs/{digest}": csv.replace(b"2", b"3")})
project_file("blob_missing", blobs={})
project_file("manifest_not_json", manifest="{not json")
project_file("newer_format", edit=lambda m: m.update(format_version=99))
project_file("size_understated", edit=lambda m: m["project"]["datasets"][0].update(bytes=3))
project_file("bad_id", edit=lambda m: m["project"].update(id="../../etc"))
project_file("same_blob_twice", edit=lambda m: m["project"]["datasets"].append(dict(m["project"]["datasets"][0])))
write("project_import/truncated.fornax-project", open("project_import/valid.fornax-project", "rb").read()[:-30])



# Image files and folders: one file's bytes, decoded alone and read as a .zip of class folders
def png(width, height, pixels=None, colour_type=0):
    """A PNG written by hand (8-bit grey or RGB), so no imaging library is needed here."""
    channels = {0: 1, 2: 3}[colour_type]
    pixels = pixels if pixels is not None else bytes(range(256)) * (width * height * channels // 256 + 1)
    rows = b"".join(b"\x00" + pixels[y * width * channels:(y + 1) * width * channels] for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def folder_zip(name, files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            z.writestr(zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0)), data)
    write(f"image_import/{name}.zip", out.getvalue())


write("image_import/grey.png", png(5, 3))
write("image_import/rgb.png", png(3, 7, colour_type=2))
write("image_import/truncated.png", png(40, 40)[:120])
write("image_import/bomb_header.png", png(20000, 20000, pixels=b"\x00" * 20000)[:60])
write("image_import/empty.bin", b"")
folder_zip("two_classes", {"cats/a.png": png(4, 4), "cats/b.png": png(6, 2), "dogs/c.png": png(2, 6, colour_type=2),
                           "dogs/d.png": png(3, 3), "loose.png": png(1, 1), "dogs/e.png": b"not an image"})
folder_zip("one_class", {"cats/a.png": png(4, 4), "cats/b.png": png(4, 4)})
