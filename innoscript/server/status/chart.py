"""The rollout chart: devices by firmware over time, as inline SVG.

A stacked area per firmware build, oldest build at the bottom, with a time
axis, a count axis and a legend.  Plain SVG text: no plotting library, so
the server extra stays small and the page needs no script to draw it.
"""

from __future__ import annotations

from html import escape

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac")
WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 170, 12, 34


def rollout_svg(rollout: dict, title: str = "devices by firmware") -> str:
    times = rollout.get("times") or []
    series = rollout.get("series") or {}
    if not times or not series:
        return '<p class="muted">No firmware reported yet.</p>'
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(times)
    totals = [sum(values[i] for values in series.values()) for i in range(n)]
    top = max(1, max(totals))

    # point i counts the devices at the end of slice i: a step from x(i) to x(i + 1)
    def x(i: int) -> float:
        return LEFT + plot_w * i / n

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    # builds in the order they first appear: the oldest at the bottom
    order = sorted(series, key=lambda name: (next((i for i, v in enumerate(series[name]) if v), n), name))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    # grid and count axis
    for value in _ticks(top):
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" class="tick">{value}</text>')
    base = [0.0] * n
    for index, name in enumerate(order):
        values = series[name]
        upper = [base[i] + values[i] for i in range(n)]
        points = [f"{x(i + k):.1f},{y(upper[i]):.1f}" for i in range(n) for k in (0, 1)]
        points += [f"{x(i + k):.1f},{y(base[i]):.1f}" for i in reversed(range(n)) for k in (1, 0)]
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<polygon points="{" ".join(points)}" fill="{colour}" fill-opacity="0.85" '
                     f'stroke="{colour}"><title>{escape(name)}: {values[-1]} now</title></polygon>')
        base = upper
        ly = TOP + 14 + index * 18
        parts.append(f'<rect x="{LEFT + plot_w + 14}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{LEFT + plot_w + 32}" y="{ly}" class="legend">{escape(name)} ({values[-1]})</text>')
    # time axis: first, middle and last sample
    parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" class="axis"/>')
    labels = ((0, rollout.get("start") or times[0], "start"), (n // 2, times[n // 2 - 1], "middle"),
              (n, times[-1], "end"))
    for i, stamp, anchor in labels:
        label = stamp.replace("T", " ")[:16]
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 12}" text-anchor="{anchor}" class="tick">{escape(label)} UTC</text>')
    parts.append("</svg>")
    return "".join(parts)


def _ticks(top: int) -> list[int]:
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        step = candidate
        if top / candidate <= 5:
            break
    return list(range(0, top + 1, step))
