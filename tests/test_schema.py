from __future__ import annotations

import pytest

from landuse import schema
from landuse.errors import SchemaError


def test_every_layer_has_its_required_columns_and_unique_aliases():
    for layer in schema.LAYERS.values():
        names = layer.column_names
        assert len(set(names)) == len(names)
        assert set(layer.required) <= set(names)
        keys = {}
        for col in layer.columns:
            for alias in (col.name, *col.aliases):
                key = schema.normalise_key(alias)
                assert keys.setdefault(key, col.name) == col.name, (layer.name, alias)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0601", "industrial"),
        ("100101", "industrial"),
        ("M1", "industrial"),
        ("工业用地", "industrial"),
        ("0604", "logistics"),
        ("1101", "logistics"),
        ("W2", "logistics"),
        ("物流仓储用地", "logistics"),
        ("0501", "commercial"),
        ("B1", "commercial"),
        ("商服用地", "commercial"),
        ("070101", "residential"),
        ("R2", "residential"),
        ("城镇住宅用地", "residential"),
        ("水域", "other"),
        ("industrial", "industrial"),
    ],
)
def test_land_use_codes(raw, expected):
    assert schema.normalise_land_use(raw) == expected


def test_units_in_names():
    col = schema.PARCELS.column("land_area_m2")
    assert schema.split_unit("用地面积(公顷)") == ("用地面积", "公顷")
    assert schema.unit_factor("公顷", col) == 10000.0
    assert schema.unit_factor(None, col) == 1.0
    with pytest.raises(SchemaError, match=r"cannot convert"):
        schema.unit_factor("英亩", col)
