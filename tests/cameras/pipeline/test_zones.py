"""The zones file: what load_zones accepts, and errors that name the zone and the field."""

import numpy as np
import pytest

from cameras.pipeline import ZonesError, load_zones
from cameras.pipeline.zones import polygon_image

from .scenes import JUNCTION, STREET

SQUARE = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.1, 0.5]]


def test_the_contract_example_loads_with_its_rules_and_defaults():
    zones = load_zones(
        {
            "version": 1,
            "mask": [[[0, 0], [1, 0], [1, 0.1]]],
            "zones": [
                *STREET["zones"],
                *JUNCTION["zones"],
                {"id": "sw2", "kind": "sidewalk", "polygon": SQUARE},
            ],
        }
    )

    assert [(zone.id, zone.rule) for zone in zones] == [
        ("np1", "no_parking"),
        ("sl1", "red_light"),
        ("ow1", "wrong_way"),
        ("sw1", "sidewalk"),
        ("sw2", "sidewalk"),
    ]
    assert zones.zones[0].name == "Le Loi kerb"
    assert zones.zones[0].dwell_s == 8.0
    assert zones.zones[-1].dwell_s == 20.0  # the sidewalk default
    assert zones.zones[1].amber_grace_s == 1.0
    assert zones.zones[1].line == ((0.2, 0.5), (0.8, 0.5))
    assert len(zones.mask) == 1


def test_an_empty_file_has_no_zones():
    assert len(load_zones({})) == 0


@pytest.mark.parametrize(
    ("zone", "field", "message"),
    [
        ({"kind": "no_parking", "polygon": SQUARE}, "id", 'zone "#1": id is missing'),
        ({"id": "z", "kind": "parking", "polygon": SQUARE}, "kind", "kind 'parking' is not one of"),
        ({"id": "z", "kind": "no_parking", "polygon": SQUARE[:2]}, "polygon", "at least 3 points"),
        ({"id": "z", "kind": "no_parking", "polygon": [[0, 0], [1.2, 0], [1, 1]]}, "polygon", "outside the image"),
        ({"id": "z", "kind": "no_parking", "polygon": [[0, 0], [0.5, 0.5], [1, 1]]}, "polygon", "no area"),
        ({"id": "z", "kind": "no_parking", "polygon": [[0, 0], ["a", 0], [1, 1]]}, "polygon", "not [x, y] numbers"),
        ({"id": "z", "kind": "no_parking", "polygon": SQUARE, "dwell_s": 0}, "dwell_s", "greater than 0"),
        ({"id": "z", "kind": "sidewalk", "polygon": SQUARE, "dwell_s": "long"}, "dwell_s", "must be a number"),
        ({"id": "z", "kind": "sidewalk", "polygon": SQUARE, "min_size": 0.3, "max_size": 0.2}, "min_size", ""),
        ({"id": "z", "kind": "sidewalk", "polygon": SQUARE, "max_size": 2}, "max_size", "at most 1"),
        ({"id": "z", "kind": "one_way", "polygon": SQUARE, "direction": [0, 0]}, "direction", "not be [0, 0]"),
        ({"id": "z", "kind": "one_way", "polygon": SQUARE}, "direction", "[dx, dy]"),
        (
            {"id": "z", "kind": "stop_line", "line": [[0, 0]], "direction": [0, 1], "signal": [0, 0, 0.1, 0.1]},
            "line",
            "exactly two points",
        ),
        (
            {"id": "z", "kind": "stop_line", "line": [[0, 0], [0, 0]], "direction": [0, 1], "signal": [0, 0, 1, 1]},
            "line",
            "the same",
        ),
        ({"id": "z", "kind": "stop_line", "line": [[0, 0], [1, 0]], "direction": [0, 1]}, "signal", "lamp's box"),
        (
            {"id": "z", "kind": "stop_line", "line": [[0, 0], [1, 0]], "direction": [0, 1], "signal": [0.5, 0, 0.4, 1]},
            "signal",
            "x1 > x0",
        ),
        (
            {
                "id": "z",
                "kind": "stop_line",
                "line": [[0, 0], [1, 0]],
                "direction": [0, 1],
                "signal": [0, 0, 0.1, 0.1],
                "amber_grace_s": -1,
            },
            "amber_grace_s",
            "not be negative",
        ),
    ],
)
def test_a_bad_zone_is_refused_naming_the_zone_and_the_field(zone, field, message):
    with pytest.raises(ZonesError) as caught:
        load_zones({"version": 1, "zones": [zone]})

    assert caught.value.field == field
    assert caught.value.zone == zone.get("id", "#1")
    assert message in caught.value.message
    assert caught.value.message.startswith(f'zone "{zone.get("id", "#1")}": ')


def test_duplicate_ids_version_and_mask_are_checked():
    with pytest.raises(ZonesError, match='zone "a": the id is used by another zone'):
        load_zones({"zones": [{"id": "a", "kind": "sidewalk", "polygon": SQUARE}] * 2})
    with pytest.raises(ZonesError, match="unsupported version 2"):
        load_zones({"version": 2, "zones": []})
    with pytest.raises(ZonesError, match="mask polygon #1 must be a list of at least 3 points"):
        load_zones({"mask": [[[0, 0], [1, 1]]], "zones": []})
    with pytest.raises(ZonesError, match="must be a JSON object"):
        load_zones([])


def test_polygons_rasterise_at_any_frame_size():
    image = polygon_image(SQUARE, 100, 50)

    assert image.shape == (50, 100)
    assert image[25, 30] == 1 and image[5, 5] == 0 and image[40, 80] == 0
    assert 0.14 <= image.mean() <= 0.18  # the square covers 0.4 x 0.4 of the picture
    mask = load_zones({"mask": [SQUARE], "zones": []}).mask_image(40, 40)
    assert np.array_equal(mask, polygon_image(SQUARE, 40, 40))


def test_zone_contains_uses_the_bottom_centre_convention_of_normalised_points():
    zone = load_zones({"zones": [{"id": "a", "kind": "sidewalk", "polygon": SQUARE}]}).zones[0]

    assert zone.contains(0.3, 0.3) and zone.contains(0.5, 0.5)
    assert not zone.contains(0.6, 0.3)
