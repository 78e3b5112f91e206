"""manage.py make_scenario: writes clips and their truth, and refuses bad arguments before writing anything."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def test_one_clip_is_written_with_its_truth_and_reported(tmp_path):
    out = StringIO()
    call_command("make_scenario", str(tmp_path), kind="sidewalk", seconds=10, size="160x90", seed=4, stdout=out)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["sidewalk-4.json", "sidewalk-4.mp4"]
    truth = json.loads((tmp_path / "sidewalk-4.json").read_text())
    assert truth["clip"] == "sidewalk-4.mp4" and truth["size"] == [160, 90]
    assert "sidewalk-4.mp4 + sidewalk-4.json" in out.getvalue()
    assert "1 clip(s) in" in out.getvalue()


def test_the_suite_option_writes_count_clips(tmp_path):
    call_command("make_scenario", str(tmp_path), suite=True, count=2, seconds=10, size="96x64", stdout=StringIO())

    assert sorted(p.name for p in tmp_path.iterdir()) == ["00-no_parking.json", "00-no_parking.mp4",
                                                          "01-sidewalk.json", "01-sidewalk.mp4"]  # fmt: skip


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "speeding"}, "Unknown --kind 'speeding'"),
        ({"size": "640by360"}, "--size must look like 640x360"),
        ({"size": "641x360"}, "must be even"),
        ({"size": "4000x2000"}, "between 96x64 and 1920x1080"),
        ({"seconds": 5}, "--seconds must be between 10 and 600"),
        ({"suite": True, "count": 0}, "--count must be between 1 and 1000"),
        ({"seed": -1}, "--seed must not be negative"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(tmp_path, options, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace("[", r"\[")):
        call_command("make_scenario", str(tmp_path / "out"), stdout=StringIO(), **options)

    assert not (tmp_path / "out").exists()
