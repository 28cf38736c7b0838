"""The case file's map sketch as SVG numbers: the window around the case, the boundary and routes as
point lists, north up. Only numbers come out of here; names are printed by the template (escaped)."""

WINDOW_M = 400  # half the width of the drawn window: the case's street and the nearest route


def _points(coords):
    return " ".join(f"{x:.1f},{-y:.1f}" for x, y in coords)


def sketch_svg_data(sketch):
    """{'view_box', 'boundary': [points], 'routes': [(name, points, nearest)], 'scale_m'} for the template."""
    half = WINDOW_M
    return {
        "view_box": f"{-half} {-half * 0.7:.0f} {2 * half} {2 * half * 0.7:.0f}",
        "boundary": [_points(ring) for ring in sketch.boundary],
        "routes": [(name, _points(coords), name == sketch.nearest_route) for name, coords in sketch.routes],
        "scale_m": 100, "half": half,
    }
