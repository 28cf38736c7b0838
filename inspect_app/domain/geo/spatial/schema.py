"""What migrations must know about the spatial databases' own tables."""
from typing import Any

from geoalchemy2 import alembic_helpers

# Tables that SpatiaLite and PostGIS create for themselves. Autogenerate would otherwise
# write drop_table for them (SpatiaLite) or see them as unknown (PostGIS topology/tiger).
SPATIAL_SYSTEM_TABLES = {
    "KNN", "KNN2", "ElementaryGeometries", "SpatialIndex", "data_licenses", "sql_statements_log",
    "spatial_ref_sys", "spatial_ref_sys_aux", "spatialite_history", "geometry_columns",
    "geometry_columns_auth", "geometry_columns_field_infos", "geometry_columns_statistics",
    "geometry_columns_time", "views_geometry_columns", "views_geometry_columns_auth",
    "views_geometry_columns_field_infos", "views_geometry_columns_statistics",
    "virts_geometry_columns", "virts_geometry_columns_auth", "virts_geometry_columns_field_infos",
    "virts_geometry_columns_statistics", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4",
    "SE_external_graphics", "SE_fonts", "SE_raster_styled_layers", "SE_vector_styled_layers",
    "rl2map_configurations", "topologies", "networks", "raster_coverages", "raster_coverages_keyword",
    "raster_coverages_srid", "stored_procedures", "stored_variables", "vector_coverages",
    "vector_coverages_keyword", "vector_coverages_srid", "wms_getcapabilities", "wms_getmap",
    "wms_ref_sys", "wms_settings", "iso_metadata", "iso_metadata_reference", "iso_metadata_view",
    "layer", "topology",
}


# The full-text index of cases (migration 0022): FTS5's table and its shadow tables on SQLite, the
# expression index on PostgreSQL; made by SQL in the migration, not by the models.
SEARCH_INDEX_TABLES = {"violations_search", "violations_search_data", "violations_search_idx",
                       "violations_search_docsize", "violations_search_config", "violations_search_content"}
SEARCH_INDEXES = {"ix_violations_search"}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: leave the spatial extensions' own tables, R*Tree tables and the search index alone."""
    if type_ == "table" and (
        name in SPATIAL_SYSTEM_TABLES or name in SEARCH_INDEX_TABLES or (name or "").startswith("idx_")
        or (name or "").startswith("sqlite_")
    ):
        return False
    if type_ == "index" and name in SEARCH_INDEXES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)
