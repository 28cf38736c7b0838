"""Building the Folium map: boundary, routes, the week's tracks and uncovered stretches.

Cases are not put into the Folium HTML: static/js/map.js loads them for the visible area from
/api/violations.geojson, so the page stays small at any number of cases, and every text a
user typed reaches the page through textContent, never through HTML or a JS template.
"""
import html

import folium
from flask import url_for

UNVERIFIED_DASH = "8 8"


def safe_label(text):
    """Text for Leaflet's layer control, which shows names as HTML inside a JS string."""
    escaped = html.escape(str(text), quote=True)
    return escaped.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def build_map(boundary, routes_week, tile_url, tile_attribution, labels):
    """A Folium map of the ward; returns (map, layer control)."""
    ward_map = folium.Map(location=[10.17, 105.59], zoom_start=13, tiles=None, control_scale=True, prefer_canvas=True)
    ward_map.default_js = [("leaflet", url_for("vendor.leaflet_file", filename="leaflet.js"))]
    ward_map.default_css = [("leaflet_css", url_for("vendor.leaflet_file", filename="leaflet.css"))]
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=tile_attribution, name=safe_label(labels["tiles"]), max_zoom=19).add_to(ward_map)
    if boundary:
        folium.GeoJson(
            {"type": "Feature", "geometry": boundary, "properties": {}}, name=safe_label(labels["boundary"]),
            style_function=lambda _f: {"color": "#5b3a8c", "weight": 2, "fillColor": "#5b3a8c", "fillOpacity": 0.04},
        ).add_to(ward_map)
        ys = [c[1] for ring in _rings(boundary) for c in ring]
        xs = [c[0] for ring in _rings(boundary) for c in ring]
        ward_map.fit_bounds([[min(ys), min(xs)], [max(ys), max(xs)]])
    # Added first so that it is drawn under the routes: a red halo along what nobody walked.
    uncovered = folium.FeatureGroup(name=safe_label(labels["uncovered"]), show=True).add_to(ward_map)
    tracks = folium.FeatureGroup(name=safe_label(labels["tracks"]), show=True)
    for week in routes_week:
        route = week.route
        line = week.route_geometry
        dash = None if route.verified else UNVERIFIED_DASH
        name = f"{route.code} · {route.name}" + ("" if route.verified else f" ({labels['unverified']})")
        group = folium.FeatureGroup(name=safe_label(name), show=True)
        folium.GeoJson(
            {"type": "Feature", "geometry": line, "properties": {}},
            style_function=lambda _f, dash=dash: {"color": "#0b5394", "weight": 5, "opacity": 0.8, "dashArray": dash},
        ).add_to(group)
        group.add_to(ward_map)
        for track in week.tracks:
            folium.GeoJson({"type": "Feature", "geometry": track, "properties": {}},
                           style_function=lambda _f: {"color": "#1d6b2f", "weight": 3, "opacity": 0.9}).add_to(tracks)
        if week.uncovered:
            folium.GeoJson({"type": "Feature", "geometry": week.uncovered, "properties": {}},
                           style_function=lambda _f: {"color": "#c00000", "weight": 12, "opacity": 0.35}).add_to(uncovered)
    tracks.add_to(ward_map)
    control = folium.LayerControl(collapsed=True)
    control.add_to(ward_map)
    return ward_map, control


def _rings(geometry):
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def map_parts(ward_map):
    """(header, body, script) of the rendered map, for placing it inside the app's layout."""
    root = ward_map.get_root()
    root.render()
    header = root.header.render()
    # Folium's own viewport tag forbids zooming the page: the layout has a better one.
    header = "\n".join(line for line in header.splitlines() if "viewport" not in line and "initial-scale" not in line
                       and "user-scalable" not in line)
    return header, root.html.render(), root.script.render()
