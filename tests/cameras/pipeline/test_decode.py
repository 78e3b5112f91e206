"""Decoding with PyAV: the yuv420p planes at the analysed rate, the right times, scaled when too wide."""

import numpy as np
import pytest

from cameras.pipeline import StreamError, frames

from .scenes import Car, Scene, drive, write_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """4 s at 15 fps, 320x180, with a car so consecutive frames differ."""
    path = tmp_path_factory.mktemp("clips") / "street.mp4"
    scene = Scene(cars=[Car(drive([(0.0, (0.0, 0.4)), (1.0, 0.4)], speed=0.25))], noise=1)
    write_clip(path, scene.frames(4, fps=15), fps=15)
    return path


def test_frames_come_at_the_analysed_rate_as_yuv420p_planes(clip):
    decoded = list(frames(str(clip), fps=5))

    assert [frame.t for frame in decoded] == pytest.approx([i / 5 for i in range(20)], abs=1e-3)
    first = decoded[0]
    assert first.luma.shape == (180, 320) and first.luma.dtype == np.uint8
    assert first.u.shape == first.v.shape == (90, 160)
    assert first.luma.flags.c_contiguous


def test_the_planes_are_the_pictures_that_were_encoded(clip):
    scene = Scene(cars=[Car(drive([(0.0, (0.0, 0.4)), (1.0, 0.4)], speed=0.25))], noise=1)
    original = next(scene.frames(1, fps=15))

    decoded = next(frames(str(clip), fps=5))

    assert np.abs(decoded.luma.astype(int) - original.luma).mean() < 3
    assert np.abs(decoded.u.astype(int) - original.u).mean() < 3


def test_a_window_of_the_source_keeps_the_sources_clock(clip):
    decoded = list(frames(str(clip), fps=3, start_s=1.0, duration_s=2.0))

    assert [frame.t for frame in decoded] == pytest.approx([1.0, 1.333, 1.667, 2.0, 2.333, 2.667], abs=0.01)


def test_a_picture_wider_than_max_width_is_scaled_down_in_yuv(clip):
    decoded = next(frames(str(clip), fps=5, max_width=160))

    assert decoded.luma.shape == (90, 160)
    assert decoded.u.shape == (45, 80)


def test_a_missing_or_undecodable_source_is_a_stream_error(tmp_path):
    with pytest.raises(StreamError, match="cannot open"):
        list(frames(str(tmp_path / "missing.mp4")))
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00\x01 not a video" * 100)
    with pytest.raises(StreamError):
        list(frames(str(garbage)))
