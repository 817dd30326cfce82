"""Small SVG charts drawn by hand (no plotting library): horizontal bars and a line over days."""
from xml.sax.saxutils import escape

WIDTH = 640
BAR_HEIGHT = 22
LEFT = 200
COLOURS = ("#2f6fb0", "#d9822b", "#3c9a5f", "#b03a48", "#7a5cb0", "#5c8a8a")


def _svg(height: int, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">'
            f'<title>{escape(title)}</title>'
            f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>'
            + "".join(body) + "</svg>")


def bars(title: str, items: list[tuple[str, float, str]], maximum: float | None = None) -> str:
    """One bar per (label, value, caption); bars scale to `maximum` (default: the largest value)."""
    top = max([maximum or 0] + [value for _, value, _ in items]) or 1
    span = WIDTH - LEFT - 80
    body = []
    for i, (label, value, caption) in enumerate(items):
        y = 36 + i * (BAR_HEIGHT + 6)
        length = round(span * value / top, 1)
        body.append(f'<text x="10" y="{y + 15}">{escape(label)}</text>'
                    f'<rect x="{LEFT}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="{COLOURS[0]}"/>'
                    f'<text x="{LEFT + length + 6}" y="{y + 15}">{escape(caption)}</text>')
    if not items:
        body.append('<text x="10" y="50">Нет данных</text>')
    return _svg(48 + max(len(items), 1) * (BAR_HEIGHT + 6), title, body)


def lines(title: str, days: list[str], series: dict[str, list[float]]) -> str:
    """One polyline per named series over `days` (ISO dates), with a legend."""
    height, top_margin, bottom = 320, 40, 260
    peak = max([value for values in series.values() for value in values] + [1])
    step = (WIDTH - LEFT) / max(len(days) - 1, 1)
    body = [f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" stroke="#888"/>']
    for i, day in enumerate(days):
        if len(days) <= 10 or i % max(len(days) // 8, 1) == 0:
            body.append(f'<text x="{LEFT + i * step:.1f}" y="{bottom + 16}" font-size="10">{escape(day[5:])}</text>')
    for n, (name, values) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(f"{LEFT + i * step:.1f},{bottom - (bottom - top_margin) * value / peak:.1f}"
                          for i, value in enumerate(values))
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
                    f'<rect x="10" y="{top_margin + n * 18}" width="10" height="10" fill="{colour}"/>'
                    f'<text x="26" y="{top_margin + 9 + n * 18}" font-size="11">{escape(name)}</text>')
    body.append(f'<text x="{LEFT - 4}" y="{top_margin + 4}" text-anchor="end" font-size="10">{peak:g}</text>')
    return _svg(height, title, body)
