"""Placing an address without coordinates from what the platform knows: earlier cases' addresses, then areas."""

from decimal import Decimal

import pytest
from shapely.geometry import Point, shape

from agencies.models import Area
from reports import services
from reports.geocoding import fold, locate_address


def _square(west, south, size=0.02):
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def city(db):
    return Area.objects.create(
        code="hue", name_vi="Thành phố Huế", name_en="Hue City", level="city", geometry=_square(107.52, 16.40, 0.2)
    )


@pytest.fixture
def district(city):
    return Area.objects.create(
        code="thuan-hoa",
        name_vi="Quận Thuận Hóa",
        name_en="Thuan Hoa District",
        level="district",
        parent=city,
        geometry=_square(107.56, 16.44, 0.08),
    )


def _inside(located, area):
    return shape(area.geometry).contains(Point(float(located.longitude), float(located.latitude)))


def test_fold_removes_vietnamese_diacritics_case_and_punctuation():
    assert fold("  Đường Lê Lợi, PHƯỜNG Phú Hội ") == "duong le loi phuong phu hoi"


def test_a_ward_named_in_the_address_places_the_report_inside_that_ward(ward):
    located = locate_address("12 Chi Lăng, Phú Hội, Huế")

    assert located is not None
    assert located.how == "area"
    assert _inside(located, ward)
    point = shape(ward.geometry).representative_point()
    assert (located.latitude, located.longitude) == (
        Decimal(str(point.y)).quantize(Decimal("0.000001")),
        Decimal(str(point.x)).quantize(Decimal("0.000001")),
    )
    assert "Phu Hoi" in located.explanation


@pytest.mark.parametrize("address", ["12 chi lang, phu hoi", "12 CHI LANG PHU HOI", "phường phú hội", "Phu Hoi Ward"])
def test_the_ward_is_found_whatever_the_accents_letter_case_or_area_word(ward, address):
    located = locate_address(address)

    assert located is not None and located.how == "area"
    assert _inside(located, ward)


def test_a_name_inside_another_word_does_not_count(ward):
    assert locate_address("Phu Hoixyz street") is None


def test_the_most_specific_area_named_wins(ward, district, city):
    assert _inside(locate_address("Phú Hội, Thuận Hóa, Thành phố Huế"), ward)
    in_district = locate_address("Thuận Hóa, Huế")
    assert in_district.how == "area" and "Thuan Hoa" in in_district.explanation
    in_city = locate_address("somewhere in Huế")
    assert in_city.how == "area" and "Hue City" in in_city.explanation


def test_an_earlier_case_at_the_same_address_gives_its_exact_point(ward, category):
    earlier = services.case_submit(
        description="Rác thải",
        latitude="16.471234",
        longitude="107.591234",
        address="27 Đường Lê Lợi, Phú Hội",
        category=category,
    ).case

    located = locate_address("27 duong le loi - PHU HOI")

    assert located.how == "case"
    assert (located.latitude, located.longitude) == (Decimal("16.471234"), Decimal("107.591234"))
    assert earlier.tracking_code in located.explanation


def test_an_earlier_case_with_only_a_similar_address_is_not_used(category, db):
    services.case_submit(
        description="Rác thải",
        latitude="16.471234",
        longitude="107.591234",
        address="27 Lê Lợi",
        category=category,
    )

    assert locate_address("29 Lê Lợi") is None
    assert locate_address("27 Lê Lợi kiệt 3") is None


def test_an_address_the_platform_does_not_know_is_not_placed(ward):
    assert locate_address("somewhere by the river") is None
    assert locate_address("   ") is None
    assert locate_address("!!!") is None
