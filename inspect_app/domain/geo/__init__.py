"""The ward's geography: boundary and routes, GeoJSON/GPX files, route administration, and spatial/."""
