#!/usr/bin/env python3
"""Draws the bench's throughput and connections/s as an SVG bar chart.

    python3 tests/bench/plot.py VALUES.TSV OUT.SVG

VALUES.TSV is run.sh's raw file (metric, column, repetition, value per line).
Each bar is the median of the repetitions; the thin line across it spans the
minimum and maximum, so a noisy column shows as one. Plain SVG written by
hand: the bench then needs no plotting package on the machine.
"""
import statistics
import sys
from xml.sax.saxutils import escape

PANELS = [  # metric, title
    ("to_stack_mbit", "TCP Linux -> stack, Mbit/s"),
    ("from_stack_mbit", "TCP stack -> Linux, Mbit/s"),
    ("crr_per_s", "connections/s"),
]
COLUMNS = [  # column, label, colour
    ("lwnet", "lwnet", "#1f77b4"),
    ("lwnet_plain", "lwnet, no offload", "#9ecae1"),
    ("ceiling", "minimal C on TAP", "#31a354"),
    ("lwnet_sock", "lwnet sockets", "#6baed6"),
    ("lwip_sock", "lwIP sockets", "#fd8d3c"),
    ("lwip_raw", "lwIP raw", "#e6550d"),
    ("linux", "Linux kernel", "#636363"),
]
PANEL_W, PANEL_H, TOP, BOTTOM, LEFT = 300, 260, 50, 70, 60


def read(path):
    values = {}
    for line in open(path):
        fields = line.rstrip("\n").split("\t")
        if len(fields) == 4 and fields[3]:
            values.setdefault((fields[0], fields[1]), []).append(float(fields[3]))
    return values


def panel(values, metric, title, x0):
    bars = [(label, colour, values.get((metric, column)))
            for column, label, colour in COLUMNS]
    top = max((max(v) for _, _, v in bars if v), default=0) or 1
    out = [f'<text x="{x0 + PANEL_W / 2}" y="{TOP - 20}" text-anchor="middle" '
           f'font-weight="bold">{escape(title)}</text>',
           f'<line x1="{x0}" y1="{TOP + PANEL_H}" x2="{x0 + PANEL_W - 20}" '
           f'y2="{TOP + PANEL_H}" stroke="black"/>']
    width = (PANEL_W - 20) / len(bars)
    for i, (label, colour, samples) in enumerate(bars):
        x = x0 + i * width + 4
        if not samples:
            out.append(f'<text x="{x + width / 2 - 4}" y="{TOP + PANEL_H - 4}" '
                       f'text-anchor="middle" font-size="10">n/a</text>')
        else:
            median = statistics.median(samples)
            h = PANEL_H * median / top
            y = TOP + PANEL_H - h
            out.append(f'<rect x="{x}" y="{y:.1f}" width="{width - 8}" height="{h:.1f}" '
                       f'fill="{colour}"/>')
            low = TOP + PANEL_H - PANEL_H * min(samples) / top
            high = TOP + PANEL_H - PANEL_H * max(samples) / top
            middle = x + (width - 8) / 2
            out.append(f'<line x1="{middle}" y1="{low:.1f}" x2="{middle}" y2="{high:.1f}" '
                       f'stroke="black"/>')
            out.append(f'<text x="{middle}" y="{min(y, high) - 4:.1f}" text-anchor="middle" '
                       f'font-size="10">{median:.0f}</text>')
        out.append(f'<text transform="translate({x + (width - 8) / 2},{TOP + PANEL_H + 8}) '
                   f'rotate(40)" font-size="11">{escape(label)}</text>')
    return out


def main():
    values = read(sys.argv[1])
    width = LEFT + PANEL_W * len(PANELS)
    height = TOP + PANEL_H + BOTTOM
    body = []
    for i, (metric, title) in enumerate(PANELS):
        body += panel(values, metric, title, LEFT / 2 + i * PANEL_W)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           *body,
           f'<text x="{width - 10}" y="{height - 6}" text-anchor="end" font-size="10">'
           'bar: median of the repetitions; line: min to max</text>',
           '</svg>']
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
