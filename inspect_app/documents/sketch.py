"""The case file's map sketch as SVG numbers: the window around the case, the boundary and routes as
point lists, north up. Only numbers come out of here; names are printed by the template (escaped)."""

WINDOW_M = 400  # half the width of the drawn window: the case's street and the nearest route


def _points(coords):
    return " ".join(f"{x:.1f},{-y:.1f}" for x, y in coords)


def _overview_box(sketch, margin=0.05):
    """The whole ward (boundary and routes) and the case, in SVG coordinates (y down)."""
    xs, ys = [0.0], [0.0]
    for ring in sketch.boundary:
        xs.extend(x for x, _y in ring)
        ys.extend(-y for _x, y in ring)
    for _name, coords in sketch.routes:
        xs.extend(x for x, _y in coords)
        ys.extend(-y for _x, y in coords)
    width, height = max(max(xs) - min(xs), 1.0), max(max(ys) - min(ys), 1.0)
    pad = margin * max(width, height)
    return min(xs) - pad, min(ys) - pad, width + 2 * pad, height + 2 * pad


def sketch_svg_data(sketch):
    """{'view_box', 'overview_box', 'boundary': [points], 'routes': [(name, points, nearest)], 'half',
    'overview_scale'} for the template: the street around the case, and the whole ward with the case on it."""
    half = WINDOW_M
    left, top, width, height = _overview_box(sketch)
    return {
        "view_box": f"{-half} {-half * 0.7:.0f} {2 * half} {2 * half * 0.7:.0f}",
        "overview_box": f"{left:.0f} {top:.0f} {width:.0f} {height:.0f}",
        "overview_unit": max(width, height) / 100,   # stroke widths and the dot scale with the ward's size
        "boundary": [_points(ring) for ring in sketch.boundary],
        "routes": [(name, _points(coords), name == sketch.nearest_route) for name, coords in sketch.routes],
        "half": half,
    }
