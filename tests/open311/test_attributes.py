"""Answers to a category's attributes, checked per Open311 datatype. Pure: no database."""

import pytest
from django.http import QueryDict

from reports.models import CategoryAttribute
from reports.open311.attributes import AttributeErrors, answers_from, clean_attributes

COLOURS = [{"key": "red", "name_vi": "đỏ", "name_en": "red"}, {"key": "blue", "name_vi": "xanh", "name_en": "blue"}]


def _attribute(code, datatype, *, required=False, variable=True, values=None, order=1):
    return CategoryAttribute(
        code=code,
        datatype=datatype,
        required=required,
        variable=variable,
        values=values or [],
        order=order,
        description_vi=code,
        description_en=code,
    )


ATTRIBUTES = [
    _attribute("price", "number", required=True, order=1),
    _attribute("seen_at", "datetime", order=2),
    _attribute("shop", "string", order=3),
    _attribute("details", "text", order=4),
    _attribute("colour", "singlevaluelist", values=COLOURS, order=5),
    _attribute("colours", "multivaluelist", values=COLOURS, order=6),
    _attribute("size", "singlevaluelist", values=[{"key": 123, "name_vi": "lớn", "name_en": "large"}], order=7),
    _attribute("notice", "string", variable=False, required=True, order=8),
]


def _clean(answers, attributes=ATTRIBUTES):
    return clean_attributes(attributes, answers, service_code="price-gouging")


def _errors(answers, attributes=ATTRIBUTES):
    with pytest.raises(AttributeErrors) as exc:
        _clean(answers, attributes)
    return exc.value.messages


def test_answers_are_read_from_single_and_list_fields_and_empty_ones_dropped():
    data = QueryDict(
        "attribute[price]=12&attribute[colours][]=red&attribute[colours][]=blue&attribute[colours]=red"
        "&attribute[shop]=&description=x&attribute[details]=%20"
    )

    assert answers_from(data) == {"price": ["12"], "colours": ["red", "blue", "red"]}


def test_valid_answers_of_every_datatype_are_stored_in_their_json_form():
    cleaned = _clean(
        {
            "price": ["200000"],
            "seen_at": ["2026-11-24T09:05:00Z"],
            "shop": ["Quán bún bò"],
            "details": ["Dòng 1\nDòng 2"],
            "colour": ["blue"],
            "colours": ["red", "blue", "red"],
            "size": ["123"],
        }
    )

    assert cleaned == {
        "price": 200000,
        "seen_at": "2026-11-24T16:05:00+07:00",
        "shop": "Quán bún bò",
        "details": "Dòng 1\nDòng 2",
        "colour": "blue",
        "colours": ["red", "blue"],
        "size": 123,
    }


def test_a_decimal_number_is_kept_as_a_number():
    assert _clean({"price": ["3.5"]}) == {"price": 3.5}


def test_a_datetime_without_offset_is_read_on_the_citys_clock():
    assert _clean({"price": ["1"], "seen_at": ["2026-11-24T16:05:00"]})["seen_at"] == "2026-11-24T16:05:00+07:00"


def test_a_required_answer_that_is_missing_is_refused():
    assert _errors({}) == ["attribute[price] is required for this service."]


def test_an_attribute_that_only_informs_takes_no_answer_and_anything_sent_is_ignored():
    assert _clean({"price": ["1"], "notice": ["whatever"]}) == {"price": 1}


def test_an_unknown_attribute_code_is_refused():
    assert _errors({"price": ["1"], "colr": ["red"]}) == [
        "attribute[colr] is not an attribute of service price-gouging; see its service definition."
    ]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"price": ["twelve"]}, "attribute[price] must be a number, such as 12 or 3.5."),
        ({"price": ["NaN"]}, "attribute[price] must be a number, such as 12 or 3.5."),
        ({"price": ["1e20"]}, "attribute[price] must be a number between -1,000,000,000,000,000 and"),
        ({"price": ["1", "2"]}, "attribute[price] takes one value, not several."),
        ({"seen_at": ["yesterday"]}, "attribute[seen_at] must be an ISO 8601 date and time"),
        ({"seen_at": ["2026-13-40T10:00:00Z"]}, "attribute[seen_at] must be an ISO 8601 date and time"),
        ({"shop": ["two\nlines"]}, "attribute[shop] must be a single line of text."),
        ({"shop": ["x" * 301]}, "attribute[shop] may be at most 300 characters long."),
        ({"details": ["x" * 4001]}, "attribute[details] may be at most 4000 characters long."),
        ({"colour": ["green"]}, "attribute[colour] must be one of the keys red, blue."),
        ({"colour": ["red", "blue"]}, "attribute[colour] takes one value, not several."),
        ({"colours": ["red", "green"]}, "attribute[colours]: every value must be one of the keys red, blue."),
        ({"size": ["124"]}, "attribute[size] must be one of the keys 123."),
    ],
)
def test_an_answer_that_does_not_fit_its_datatype_is_refused(answers, message):
    errors = _errors({"price": ["1"], **answers})

    assert len(errors) == 1
    assert errors[0].startswith(message)


def test_every_problem_is_listed_at_once_and_no_answer_is_quoted_back():
    errors = _errors({"colour": ["secret-value"], "shop": ["a\nb"], "bogus": ["x"]})

    assert len(errors) == 4
    assert not any("secret-value" in error for error in errors)


def test_a_category_without_attributes_takes_none():
    assert _clean({}, attributes=[]) == {}
    assert _errors({"anything": ["1"]}, attributes=[]) == [
        "attribute[anything] is not an attribute of service price-gouging; see its service definition."
    ]
