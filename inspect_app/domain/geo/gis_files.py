"""Files GIS tools open (QGIS, Google Earth, GPS devices): one layer of features written as GeoJSON
(RFC 7946, written here), KML and GeoPackage (GDAL through pyogrio) or GPX (gpxpy). Values are written
as values by the libraries: nothing from the database is ever markup or SQL here."""
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import gpxpy
import gpxpy.gpx
import numpy as np
import shapely
from pyogrio.raw import write as ogr_write
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class FileFormat:
    """A format a layer can be written in: its file extension, media type and GDAL driver (None: gpxpy)."""

    extension: str
    media_type: str
    driver: str | None


FORMATS = {
    "geojson": FileFormat("geojson", "application/geo+json", None),
    "kml": FileFormat("kml", "application/vnd.google-earth.kml+xml", "KML"),
    "gpkg": FileFormat("gpkg", "application/geopackage+sqlite3", "GPKG"),
    "gpx": FileFormat("gpx", "application/gpx+xml", None),
}


@dataclass
class Feature:
    """One feature: a geometry in lon/lat (None when not known), its values, and for a track the time of
    each point, part by part (GPX keeps them)."""

    geometry: BaseGeometry | None
    values: dict[str, Any]
    times: list[list[datetime]] | None = None


@dataclass
class Layer:
    """Features of one kind with the same fields (in order); `name_field` names each feature in GPX/KML;
    `field_types` (bool, int, float, date, datetime, str) fixes a field's type in GeoPackage and KML."""

    name: str
    geometry_type: str
    fields: Sequence[str]
    features: list[Feature] = field(default_factory=list)
    name_field: str | None = None
    field_types: dict[str, type] = field(default_factory=dict)  # when the values alone may not tell (all empty)


def write_layer(layer: Layer, format_key: str) -> bytes:
    """The layer as the bytes of a file in the format (a key of FORMATS)."""
    if format_key == "geojson":
        return _geojson(layer)
    if format_key == "gpx":
        return _gpx(layer)
    return _with_gdal(layer, FORMATS[format_key].driver or "")


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _geojson(layer):
    collection = {"type": "FeatureCollection", "name": layer.name, "features": [
        {"type": "Feature", "geometry": mapping(f.geometry) if f.geometry is not None else None,
         "properties": {name: _plain(f.values.get(name)) for name in layer.fields}}
        for f in layer.features
    ]}
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


def _kind(values):
    """The type a field's values share (str when mixed or all missing)."""
    present = [v for v in values if v is not None]
    for kind in (bool, int, float, datetime, date):
        if present and all(isinstance(v, kind) and (kind is bool or not isinstance(v, bool)) for v in present):
            return kind
    if present and all(isinstance(v, float | int) and not isinstance(v, bool) for v in present):
        return float
    return str


def _column(values, kind):
    """One field's values as the numpy array pyogrio writes, with its mask of missing values."""
    mask = np.array([v is None for v in values], dtype=bool)
    if kind is bool:
        return np.array([bool(v) for v in values], dtype=bool), mask
    if kind is int:
        return np.array([v or 0 for v in values], dtype=np.int64), mask
    if kind is float:
        return np.array([float(v) if v is not None else 0.0 for v in values], dtype=np.float64), mask
    if kind is date:
        return np.array([np.datetime64(v.isoformat()) if v is not None else np.datetime64("NaT") for v in values],
                        dtype="datetime64[D]"), mask
    # Moments as ISO text with their offset: GDAL keeps a time zone only as a field flag some readers drop.
    return np.array(["" if v is None else _plain(v) if kind is datetime else str(v) for v in values], dtype=object), mask


def _with_gdal(layer, driver):
    columns = []
    for name in layer.fields:
        values = [f.values.get(name) for f in layer.features]
        columns.append(_column(values, layer.field_types.get(name) or _kind(values)))
    geometry = np.array([shapely.to_wkb(f.geometry) if f.geometry is not None else None for f in layer.features],
                        dtype=object)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{layer.name}.{driver.lower()}"
        ogr_write(str(path), geometry, [c for c, _ in columns], list(layer.fields),
                  field_mask=[m if m.any() else None for _, m in columns], layer=layer.name, driver=driver,
                  geometry_type=layer.geometry_type, crs="EPSG:4326", promote_to_multi=False,
                  dataset_options=_dataset_options(layer, driver))
        return path.read_bytes()


def _gpx(layer):
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "Kiểm tra trật tự xây dựng"
    for feature in layer.features:
        name = str(feature.values.get(layer.name_field, "")) if layer.name_field else None
        description = "; ".join(f"{k}: {_plain(v)}" for k, v in feature.values.items() if v not in (None, "")
                                and k != layer.name_field)
        geometry = feature.geometry
        if geometry is None:
            continue  # GPX has no feature without a position; GeoJSON and GeoPackage keep it
        if geometry.geom_type == "Point":
            gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(geometry.y, geometry.x, name=name, description=description))
            continue
        track = gpxpy.gpx.GPXTrack(name=name, description=description)
        for index, part in enumerate(_line_parts(geometry)):
            times = feature.times[index] if feature.times else None
            segment = gpxpy.gpx.GPXTrackSegment()
            for point_index, (lon, lat) in enumerate(part.coords):
                segment.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon, time=times[point_index] if times else None))
            track.segments.append(segment)
        gpx.tracks.append(track)
    return gpx.to_xml(version="1.1").encode("utf-8")


def _line_parts(geometry):
    """The lines a geometry is drawn with in GPX: a line's parts, a polygon's rings (closed)."""
    if geometry.geom_type == "LineString":
        return [geometry]
    if geometry.geom_type == "MultiLineString":
        return list(geometry.geoms)
    polygons = [geometry] if geometry.geom_type == "Polygon" else list(geometry.geoms)
    return [ring for polygon in polygons for ring in (polygon.exterior, *polygon.interiors)]


def _dataset_options(layer, driver):
    if driver == "KML":
        return {"NameField": layer.name_field} if layer.name_field else None
    # GeoPackage 1.2: what the GDAL of Debian 12 and of most QGIS installations opens without a warning.
    return {"VERSION": "1.2"} if driver == "GPKG" else None
