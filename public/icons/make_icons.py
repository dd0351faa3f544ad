"""Writes the studio's app icons (PNG) with the standard library only.

The mark: the constellation Fornax as five white stars joined by thin lines on the
theme's dark blue. `icon-maskable-512.png` keeps the drawing inside the central 80%
safe zone, as maskable icons must. Run from anywhere: python3 make_icons.py
"""

import math
import struct
import zlib
from pathlib import Path

BLUE = (29, 53, 87)
WHITE = (241, 250, 238)
LINE = (168, 218, 220)

# Star positions in a unit square, and the lines between them.
STARS = [(0.18, 0.62, 0.055), (0.40, 0.34, 0.075), (0.62, 0.50, 0.05), (0.80, 0.28, 0.065), (0.66, 0.78, 0.045)]
LINES = [(0, 1), (1, 2), (2, 3), (2, 4)]


def segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def draw(size, inset):
    """Rows of RGB bytes; the mark is scaled into [inset, 1 - inset]."""
    scale = 1.0 - 2 * inset
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            # Pixel centre in the mark's own unit square.
            u = ((x + 0.5) / size - inset) / scale
            v = ((y + 0.5) / size - inset) / scale
            colour = BLUE
            for a, b in LINES:
                (ax, ay, _), (bx, by, _) = STARS[a], STARS[b]
                if segment_distance(u, v, ax, ay, bx, by) < 0.012:
                    colour = LINE
            for sx, sy, r in STARS:
                if math.hypot(u - sx, v - sy) < r:
                    colour = WHITE
            row.extend(colour)
        rows.append(bytes(row))
    return rows


def png(rows, size):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    here = Path(__file__).parent
    for name, size, inset in [("icon-192.png", 192, 0.04), ("icon-512.png", 512, 0.04), ("icon-maskable-512.png", 512, 0.14)]:
        (here / name).write_bytes(png(draw(size, inset), size))
        print("wrote", here / name)


if __name__ == "__main__":
    main()
