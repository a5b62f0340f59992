"""Store a layer's QGIS style and Chinese field aliases inside its GeoPackage.

Two records, written in one SQLite transaction on a file pyogrio already wrote:

- ``gpkg_data_columns`` (the GeoPackage Schema extension, OGC 12-128r18 §F.9): one row per
  field, ``name`` and ``title`` the header (``用地面积（平方米）``). GDAL (3.7 and later) reads
  ``name`` as the field's alternative name and writes it there itself, with the same table
  definitions and ``gpkg_extensions`` rows as here.
- ``layer_styles``, the table QGIS saves styles to and loads a layer's default style from:
  the same columns QGIS creates, registered in ``gpkg_contents`` as an attributes table, as
  QGIS (through GDAL) does; one default row written by landuse (``owner = 'landuse'``).

Only bound parameters carry values; a failure rolls everything back and leaves the file as
it was.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Literal

import geopandas as gpd

from landuse._checks import check_lang
from landuse.errors import LanduseError, SchemaError, format_ids
from landuse.report._qml import field_aliases, layer_qml

__all__ = ["OWNER", "style_gpkg_layer"]

#: ``layer_styles.owner`` of the rows landuse writes (and replaces on the next write).
OWNER = "landuse"
_SCHEMA_EXTENSION = "http://www.geopackage.org/spec121/#extension_schema"

# The tables as the GeoPackage standard defines them (and GDAL creates them).
_DDL_EXTENSIONS = (
    "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT,column_name TEXT,"
    "extension_name TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,"
    "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))"
)
_DDL_DATA_COLUMNS = (
    "CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL,column_name TEXT NOT NULL,"
    "name TEXT,title TEXT,description TEXT,mime_type TEXT,constraint_name TEXT,"
    "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),"
    "CONSTRAINT gdc_tn UNIQUE (table_name, name))"
)
_DDL_CONSTRAINTS = (
    "CREATE TABLE gpkg_data_column_constraints (constraint_name TEXT NOT NULL,"
    "constraint_type TEXT NOT NULL,value TEXT,min NUMERIC,min_is_inclusive BOOLEAN,"
    "max NUMERIC,max_is_inclusive BOOLEAN,description TEXT,"
    "CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))"
)
# As QGIS 3.22 creates it through GDAL (update_time is GDAL's form of CURRENT_TIMESTAMP).
_DDL_LAYER_STYLES = (
    'CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ','now')"


def style_gpkg_layer(
    path: str | os.PathLike[str],
    layer: str,
    *,
    frame: gpd.GeoDataFrame,
    lang: Literal["zh", "en"] = "zh",
    style_column: str | None = None,
    aliases: Mapping[str, str] | None = None,
    description: str | None = None,
) -> None:
    """Store the QGIS style and the field aliases of one layer in its GeoPackage.

    QGIS then opens the layer with the library's classes, colours and Chinese labels (its
    default style, from the ``layer_styles`` table) and shows Chinese column names; GDAL
    reports the same names as the fields' alternative names (``gpkg_data_columns``). The style
    is :func:`~landuse.report.layer_qml` of ``frame``. Writing again replaces the style
    landuse wrote before; styles saved by users stay, no longer the default.

    Parameters
    ----------
    path
        A GeoPackage holding ``layer`` (written e.g. by ``frame.to_file(path, layer=layer)``).
    layer
        The layer (table) name.
    frame
        The frame written to the layer: its columns name the fields, its values pick the
        classes.
    lang
        ``"zh"`` (default) or ``"en"``: the language of class labels and aliases.
    style_column
        The coded column to classify by; ``None`` picks one (see ``layer_qml``).
    aliases
        ``{column: alias}`` overriding the catalogue's headers for some columns.
    description
        A sentence describing the style (``layer_styles.description``); default names landuse.

    Raises
    ------
    SchemaError
        If ``layer`` is not a feature layer of the file or lacks columns of ``frame``.
    LanduseError
        If SQLite cannot write the file (read-only, locked, damaged); the file is unchanged.

    Examples
    --------
    >>> import geopandas as gpd, shapely, tempfile, pathlib
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["a"], "verdict": ["inside"]},
    ...     geometry=[shapely.box(0, 0, 100, 100)],
    ...     crs=4549,
    ... )
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.gpkg"
    >>> parcels.to_file(path, layer="parcels")
    >>> style_gpkg_layer(path, "parcels", frame=parcels)
    >>> import sqlite3
    >>> sqlite3.connect(path).execute(
    ...     "SELECT name FROM gpkg_data_columns WHERE column_name = 'verdict'"
    ... ).fetchone()
    ('判定结果',)
    """
    lang = check_lang(lang, caller="style_gpkg_layer")
    names = field_aliases(frame, lang=lang, aliases=aliases)
    qml = layer_qml(frame, lang=lang, style_column=style_column, aliases=names)
    file = Path(path)
    if not file.is_file():
        msg = f"style_gpkg_layer(): no GeoPackage at {str(file)!r}; write the layer first."
        raise SchemaError(msg)
    try:
        connection = sqlite3.connect(f"{file.resolve().as_uri()}?mode=rw", uri=True)
    except sqlite3.Error as error:
        msg = f"style_gpkg_layer(): cannot open {str(file)!r} for writing ({error})."
        raise LanduseError(msg) from error
    with closing(connection) as db:
        db.isolation_level = None  # transactions are explicit
        try:
            db.execute("BEGIN IMMEDIATE")
            table, geometry = _feature_table(db, layer, file)
            _check_fields(db, table, names, file)
            _write_data_columns(db, table, names)
            _write_style(db, table, geometry, qml, description)
            db.execute("COMMIT")
        except BaseException as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                msg = (
                    f"style_gpkg_layer(): could not store the style of layer {layer!r} in "
                    f"{str(file)!r}: {error}. The file is unchanged; check that it is a "
                    "writable GeoPackage not open in another program."
                )
                raise LanduseError(msg) from error
            raise


def _feature_table(db: sqlite3.Connection, layer: str, file: Path) -> tuple[str, str]:
    """(table name as stored, geometry column) of feature layer ``layer``."""
    rows = db.execute(
        "SELECT c.table_name, g.column_name FROM gpkg_contents c "
        "JOIN gpkg_geometry_columns g ON lower(g.table_name) = lower(c.table_name) "
        "WHERE lower(c.table_name) = lower(?) AND c.data_type = 'features'",
        (layer,),
    ).fetchall()
    if rows:
        return rows[0][0], rows[0][1]
    present = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents ORDER BY 1")]
    msg = (
        f"style_gpkg_layer(): {str(file)!r} has no feature layer {layer!r}; its layers: "
        f"{format_ids(present) if present else 'none'}. Write the layer first, or pass one "
        "of these names."
    )
    raise SchemaError(msg)


def _check_fields(db: sqlite3.Connection, table: str, names: Mapping[str, str], file: Path) -> None:
    fields = {r[0] for r in db.execute("SELECT name FROM pragma_table_info(?)", (table,))}
    missing = [name for name in names if name not in fields]
    if missing:
        msg = (
            f"style_gpkg_layer(): layer {table!r} of {str(file)!r} lacks {len(missing)} "
            f"column(s) of `frame`: {format_ids(missing)}. Pass the frame the layer was "
            "written from."
        )
        raise SchemaError(msg)


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND lower(name) = lower(?)", (name,)
    ).fetchone()
    return row is not None


def _register_extension(db: sqlite3.Connection, table: str) -> None:
    db.execute(
        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
        "SELECT ?, NULL, 'gpkg_schema', ?, 'read-write' WHERE NOT EXISTS (SELECT 1 FROM "
        "gpkg_extensions WHERE lower(table_name) = lower(?) AND column_name IS NULL "
        "AND extension_name = 'gpkg_schema')",
        (table, _SCHEMA_EXTENSION, table),
    )


def _write_data_columns(db: sqlite3.Connection, table: str, names: Mapping[str, str]) -> None:
    """One ``gpkg_data_columns`` row per field; mime types and constraints already set stay."""
    db.execute(_DDL_EXTENSIONS)
    if not _has_table(db, "gpkg_data_columns"):
        db.execute(_DDL_DATA_COLUMNS)
    if not _has_table(db, "gpkg_data_column_constraints"):
        db.execute(_DDL_CONSTRAINTS)
    _register_extension(db, "gpkg_data_columns")
    _register_extension(db, "gpkg_data_column_constraints")
    # an alias taken by another field of this table would break UNIQUE (table_name, name)
    db.executemany(
        "UPDATE gpkg_data_columns SET name = NULL, title = NULL "
        "WHERE table_name = ? AND column_name <> ? AND name = ?",
        [(table, column, alias) for column, alias in names.items()],
    )
    db.executemany(
        "INSERT INTO gpkg_data_columns (table_name, column_name, name, title) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (table_name, column_name) "
        "DO UPDATE SET name = excluded.name, title = excluded.title",
        [(table, column, alias, alias) for column, alias in names.items()],
    )


def _write_style(
    db: sqlite3.Connection, table: str, geometry: str, qml: str, description: str | None
) -> None:
    """Write the default ``layer_styles`` row of ``table``, replacing the one landuse wrote."""
    if not _has_table(db, "layer_styles"):
        db.execute(_DDL_LAYER_STYLES)
    if (
        db.execute(
            "SELECT 1 FROM gpkg_contents WHERE lower(table_name) = 'layer_styles'"
        ).fetchone()
        is None
    ):
        db.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            f"last_change, srs_id) VALUES ('layer_styles', 'attributes', 'layer_styles', '', "
            f"{_NOW}, 0)"
        )
    db.execute("DELETE FROM layer_styles WHERE f_table_name = ? AND owner = ?", (table, OWNER))
    db.execute("UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?", (table,))
    text = description if description is not None else f"landuse: {table}"
    db.execute(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
        "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, "
        "ui) VALUES ('', '', ?, ?, ?, ?, '', 1, ?, ?, NULL)",
        (table, geometry, table, qml, text, OWNER),
    )
