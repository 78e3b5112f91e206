"""`manage.py analyze_video`: JSON lines for the detections of a video file, an annotated copy, clear errors."""

import json

import av
import pytest
from django.core.management import CommandError, call_command

from cameras.pipeline import frames

from .scenes import STREET, Car, Scene, drive, write_clip


@pytest.fixture(scope="module")
def parking_clip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analyze")
    clip = folder / "kerb.mp4"
    parks = Car(drive([(5.0, (-0.12, 0.5)), (0.45, 0.5)], speed=0.25))
    write_clip(clip, Scene(cars=[parks]).frames(17, fps=10), fps=10)
    zones = folder / "zones.json"
    zones.write_text(json.dumps(STREET))
    return clip, zones


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("analyze_video", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_prints_one_json_line_per_detection(parking_clip):
    clip, zones = parking_clip

    lines = run(str(clip), "--zones", str(zones), "--fps", "5")

    assert len(lines) == 1
    line = lines[0]
    assert set(line) == {"rule", "zone", "track", "start_s", "end_s", "box"}
    assert (line["rule"], line["zone"], line["track"]) == ("no_parking", "np1", 1)
    assert 7.2 <= line["start_s"] <= 8.0 and line["end_s"] == pytest.approx(line["start_s"] + 8, abs=0.25)
    # The car is drawn at [0.447, 0.494, 0.572, 0.617]; MPEG-4's chroma blocks bleed its colour a few pixels out.
    x0, y0, x1, y1 = line["box"]
    assert x0 == pytest.approx(0.447, abs=0.02) and y0 == pytest.approx(0.494, abs=0.03)
    assert 0.56 <= x1 <= 0.62 and 0.6 <= y1 <= 0.64


def test_annotate_writes_the_analysed_frames_with_drawings(parking_clip, tmp_path):
    clip, zones = parking_clip
    out = tmp_path / "annotated.mp4"

    run(str(clip), "--zones", str(zones), "--annotate", str(out))

    drawn = list(frames(str(out), fps=5))
    assert len(drawn) == 85 and drawn[0].luma.shape == (180, 320)
    with av.open(str(out)) as container:
        assert container.streams.video[0].codec_context.name in ("h264", "mpeg4")


def test_errors_are_clear(parking_clip, tmp_path):
    clip, zones = parking_clip
    with pytest.raises(CommandError, match="No such video file"):
        run(str(tmp_path / "missing.mp4"), "--zones", str(zones))
    with pytest.raises(CommandError, match="No such zones file"):
        run(str(clip), "--zones", str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"zones": [{"id": "np1", "kind": "no_parking", "polygon": [[0, 0], [1, 1]]}]}))
    with pytest.raises(CommandError, match='Bad zones file: zone "np1": polygon must be a list of at least 3 points'):
        run(str(clip), "--zones", str(bad))
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not readable JSON"):
        run(str(clip), "--zones", str(bad))
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00 this is no video" * 200)
    with pytest.raises(CommandError, match="Cannot decode the video"):
        run(str(garbage), "--zones", str(zones))
