"""Building the Folium map: boundary, routes, the week's tracks and uncovered stretches.

Folium renders its output through Jinja twice (branca wraps each element's rendered script in
a new ``Element``, whose text is compiled as a template), so any text handed to Folium is
template source. No text from a user, an import file or the database is ever handed to it:
layers get neutral keys (``LayerLabels``), and static/js/map.js puts the real names into the
layer list with textContent. Cases are not in the Folium HTML either: map.js loads them from
/api/map/cases.json (api/map_layer.py).

Folium compiles its templates again on every render (the map page's server time at 10,000 cases was 29 ms
with it, 22 ms without), so the rendered map is kept per process under a digest of everything it is
built from (`rendered_map`): a new track, a renamed route or another language is a new digest. The
inputs are plain JSON values: anything else fails the digest loudly instead of being keyed by its str().
"""
import hashlib
import json
import re
from dataclasses import dataclass

import folium
from flask import url_for

from ..kept_values import kept_values

UNVERIFIED_DASH = "8 8"
_NEUTRAL_KEY = re.compile(r"^layer-[a-z0-9-]+$")


class LayerLabels:
    """Neutral keys for Folium's layer names, and the real names the browser puts in their place."""

    def __init__(self):
        self.names = {}

    def key(self, slug, text):
        """A key safe for any template engine (letters, digits, dashes) standing for text."""
        key = f"layer-{slug}"
        if not _NEUTRAL_KEY.match(key):
            raise ValueError(f"layer key {key!r} is not neutral")
        self.names[key] = str(text)
        return key


@dataclass(frozen=True)
class RenderedMap:
    """The map's HTML parts, the JavaScript names of the map and its layer control, and the layers' names."""

    header: str
    body: str
    script: str
    map_name: str
    control_name: str
    layer_names: dict


def rendered_map(boundary, routes_week, tile_url, tile_attribution, labels):
    """build_map rendered by map_parts, or the rendering kept by this process from the same inputs."""
    assets = _leaflet_assets()
    inputs = {"boundary": boundary, "tiles": [tile_url, tile_attribution], "labels": labels, "assets": assets,
              "routes": [{"id": int(week.route.id), "code": week.route.code, "name": week.route.name,
                          "verified": bool(week.route.verified), "line": week.route_geometry, "tracks": week.tracks,
                          "uncovered": week.uncovered} for week in routes_week]}
    key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    kept = kept_values("folium_maps")
    rendered = kept.get(key)
    if rendered is None:
        ward_map, control, layer_names = build_map(boundary, routes_week, tile_url, tile_attribution, labels)
        header, body, script = map_parts(ward_map)
        rendered = RenderedMap(header, body, script, ward_map.get_name(), control.get_name(), layer_names)
        kept.put(key, rendered)
    return rendered


def _leaflet_assets():
    return {"js": url_for("vendor.leaflet_file", filename="leaflet.js"),
            "css": url_for("vendor.leaflet_file", filename="leaflet.css")}


def build_map(boundary, routes_week, tile_url, tile_attribution, labels):
    """A Folium map of the ward; returns (map, layer control, {neutral key: layer name})."""
    names = LayerLabels()
    assets = _leaflet_assets()
    ward_map = folium.Map(location=[10.17, 105.59], zoom_start=13, tiles=None, control_scale=True, prefer_canvas=True)
    ward_map.default_js = [("leaflet", assets["js"])]
    ward_map.default_css = [("leaflet_css", assets["css"])]
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=tile_attribution, name=names.key("tiles", labels["tiles"]), max_zoom=19).add_to(ward_map)
    if boundary:
        folium.GeoJson(
            {"type": "Feature", "geometry": boundary, "properties": {}}, name=names.key("boundary", labels["boundary"]),
            style_function=lambda _f: {"color": "#5b3a8c", "weight": 2, "fillColor": "#5b3a8c", "fillOpacity": 0.04},
        ).add_to(ward_map)
        ys = [c[1] for ring in _rings(boundary) for c in ring]
        xs = [c[0] for ring in _rings(boundary) for c in ring]
        ward_map.fit_bounds([[min(ys), min(xs)], [max(ys), max(xs)]])
    # Added first so that it is drawn under the routes: a red halo along what nobody walked.
    uncovered = folium.FeatureGroup(name=names.key("uncovered", labels["uncovered"]), show=True).add_to(ward_map)
    tracks = folium.FeatureGroup(name=names.key("tracks", labels["tracks"]), show=True)
    for week in routes_week:
        route = week.route
        line = week.route_geometry
        dash = None if route.verified else UNVERIFIED_DASH
        name = f"{route.code} · {route.name}" + ("" if route.verified else f" ({labels['unverified']})")
        group = folium.FeatureGroup(name=names.key(f"route-{int(route.id)}", name), show=True)
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
    return ward_map, control, names.names


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
