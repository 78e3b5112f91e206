"""Videos: probed at upload without being decoded, refused with the file's name and the reason; published as a
blurred poster and an H.264 MP4 of at most 720p, or not at all; served with byte ranges."""

import io
import time

import av
import numpy as np
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from reports import services, video_processing
from reports.media import check_upload, check_uploads
from reports.models import Media
from reports.tasks import media_process
from reports.video import VideoError, make_public_video, probe, probe_upload, public_size
from tests.conftest import client_for

from .conftest import make_video


def upload(name, data):
    return SimpleUploadedFile(name, data)


def transcode(data, tmp_path, **kwargs):
    destination = tmp_path / "public.mp4"
    result = make_public_video(io.BytesIO(data), destination, max_seconds=kwargs.pop("max_seconds", 120), **kwargs)
    return result, destination.read_bytes()


def decode_all(data):
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        info = (container.format.name, stream.codec_context.name, stream.codec_context.pix_fmt, len(container.streams))
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
    return info, frames


# Upload: the probe


@pytest.mark.parametrize(
    "fixture,size,has_audio",
    [
        ("mp4_video", (160, 120), True),
        ("mov_video", (120, 160), False),  # filmed upright: stored sideways, shown turned
        ("hevc_mov_video", (120, 160), False),
        ("webm_vp8_video", (160, 120), False),
        ("webm_vp9_video", (160, 120), True),  # no duration in its header: measured from its packets
    ],
)
def test_videos_of_each_accepted_container_are_probed_with_duration_and_size(request, fixture, size, has_audio):
    info = probe_upload(upload("clip", request.getfixturevalue(fixture)))

    assert (info.width, info.height) == size
    assert info.duration == pytest.approx(2.0, abs=0.05)
    assert info.has_audio is has_audio


@pytest.mark.parametrize(
    "fixture,content_type,extension",
    [
        ("mp4_video", "video/mp4", "mp4"),
        ("mov_video", "video/quicktime", "mov"),
        ("hevc_mov_video", "video/quicktime", "mov"),
        ("webm_vp8_video", "video/webm", "webm"),
        ("webm_vp9_video", "video/webm", "webm"),
    ],
)
def test_the_upload_check_accepts_each_container_as_a_video(request, fixture, content_type, extension):
    checked = check_upload(upload("VID_0001.bin", request.getfixturevalue(fixture)))

    assert (checked.kind, checked.content_type, checked.extension) == ("video", content_type, extension)


@pytest.mark.parametrize(
    "name,fixture,reason",
    [
        ("cut.mp4", "truncated_video", "is damaged or not a video we can read"),
        ("clip.mp4", "hls_playlist", "is a streaming playlist, not a video file"),
        ("song.mp4", "audio_only_video", "has no picture"),
        ("notes.mp4", None, "is damaged or not a video we can read"),
    ],
)
def test_bad_videos_are_refused_with_the_file_name_and_the_reason(request, name, fixture, reason):
    data = request.getfixturevalue(fixture) if fixture else b"just some text, named like a video\n" * 10

    with pytest.raises(ValidationError) as exc:
        probe_upload(upload(name, data))

    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith(f"{name} {reason}")


@pytest.mark.parametrize("fixture", ["mp4_video", "webm_vp9_video"])
def test_a_video_longer_than_the_limit_is_refused(request, settings, fixture):
    settings.MEDIA_MAX_VIDEO_SECONDS = 1

    with pytest.raises(ValidationError) as exc:
        probe_upload(upload("long.webm", request.getfixturevalue(fixture)))

    assert exc.value.messages == ["long.webm is too long: a video may last at most 1 seconds."]
    assert exc.value.code == "too_long"


def test_a_playlist_is_refused_before_ffmpeg_reads_a_byte_of_it(monkeypatch, hls_playlist):
    def no_ffmpeg(*args, **kwargs):
        raise AssertionError("ffmpeg was asked to open a playlist")

    monkeypatch.setattr(av, "open", no_ffmpeg)
    for data in (hls_playlist, b"\xef\xbb\xbf" + hls_playlist, b"ffconcat version 1.0\nfile '/etc/passwd'\n"):
        with pytest.raises(VideoError) as exc:
            probe(io.BytesIO(data), max_seconds=120)
        assert exc.value.code == "playlist"


def test_the_probe_reads_the_header_and_the_first_picture_only(monkeypatch, mp4_video):
    decoded = []
    real_open = av.open

    def counting_open(*args, **kwargs):
        container = real_open(*args, **kwargs)
        decoded.append(container)
        return container

    monkeypatch.setattr(av, "open", counting_open)
    probe(io.BytesIO(mp4_video), max_seconds=120)

    (container,) = decoded
    assert container.format.name == "mov"  # the demuxer was chosen by us, not guessed by ffmpeg


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,fixture,reason",
    [
        ("cut.mp4", "truncated_video", "damaged"),
        ("clip.mp4", "hls_playlist", "clip.mp4"),
        ("song.mp4", "audio_only_video", "has no picture"),
        ("long.mp4", "mp4_video", "too long"),
    ],
)
def test_a_refused_video_leaves_no_case_no_media_and_no_file(request, settings, category, name, fixture, reason):
    settings.MEDIA_MAX_VIDEO_SECONDS = 1
    data = {
        "category": str(category.pk),
        "description": "Xe tải đổ rác xuống sông",
        "latitude": "16.470000",
        "longitude": "107.590000",
        "media": [upload(name, request.getfixturevalue(fixture))],
    }

    response = client_for(None).post(reverse("reports:submit"), data)

    assert response.status_code == 400
    assert reason in response.content.decode() and name in response.content.decode()
    assert (category.cases.count(), Media.objects.count()) == (0, 0)
    media_root = settings.MEDIA_ROOT
    assert not media_root.exists() or not [path for path in media_root.rglob("*") if path.is_file()]


# Processing: pure functions over files


def test_public_size_is_at_most_720p_with_even_sides_and_never_enlarged():
    assert public_size(1920, 1080) == (1280, 720)
    assert public_size(1080, 1920) == (720, 1280)
    assert public_size(1440, 1080) == (960, 720)
    assert public_size(3840, 1600) == (1280, 532)
    assert public_size(321, 241) == (320, 240)
    assert public_size(160, 120) == (160, 120)


def test_the_public_variant_is_an_h264_mp4_within_720p_that_pyav_decodes(tmp_path, big_video):
    result, data = transcode(big_video, tmp_path)

    (container, codec, pix_fmt, streams), frames = decode_all(data)
    assert (container, codec, pix_fmt, streams) == ("mov,mp4,m4a,3gp,3g2,mj2", "h264", "yuv420p", 1)
    assert (result.width, result.height) == (960, 720)
    assert {frame.shape for frame in frames} == {(720, 960, 3)}
    assert len(frames) == result.frames == 5
    assert result.duration == pytest.approx(1.0, abs=0.01)
    # faststart: the index comes before the pictures, so playback starts before the download ends
    assert data.index(b"moov") < data.index(b"mdat")


def test_the_public_variant_has_no_sound_and_no_metadata(tmp_path):
    original = make_video(audio=True, metadata={"comment": "Quay bởi Nguyễn Văn Bí Mật", "title": "SecretTitle"})

    _result, data = transcode(original, tmp_path)

    with av.open(io.BytesIO(data)) as container:
        assert [stream.type for stream in container.streams] == ["video"]
        assert "comment" not in container.metadata and "title" not in container.metadata
    assert b"SecretTitle" not in data and "Bí Mật".encode() not in data


@pytest.mark.parametrize("fixture", ["mov_video", "hevc_mov_video"])
def test_a_phone_video_filmed_upright_is_turned_upright_in_h264(request, tmp_path, fixture):
    result, data = transcode(request.getfixturevalue(fixture), tmp_path)

    (_container, codec, _pix, _streams), frames = decode_all(data)
    assert codec == "h264"
    assert (result.width, result.height) == (120, 160)
    first = frames[0].astype(int)
    # The red quarter was top-left as stored; the phone turned it a quarter clockwise: top-right.
    assert first[:80, 60:, 0].mean() > 200 and first[:80, 60:, 1].mean() < 60
    assert first[80:, :60, 0].mean() < 60
    with av.open(io.BytesIO(data)) as container:
        assert next(container.decode(video=0)).rotation == 0


def test_the_public_variant_keeps_at_most_30_pictures_a_second(tmp_path, fast_video):
    result, data = transcode(fast_video, tmp_path)

    _info, frames = decode_all(data)
    assert len(frames) == result.frames == 30


def test_the_poster_is_a_jpeg_of_bare_pixels_at_about_one_second(tmp_path, mp4_video):
    result, _data = transcode(mp4_video, tmp_path)

    image = Image.open(io.BytesIO(result.poster_jpeg))
    assert (image.format, image.size) == ("JPEG", (160, 120))
    assert not image.getexif() and "icc_profile" not in image.info and "exif" not in image.info
    assert b"Exif" not in result.poster_jpeg and b"http://ns.adobe.com/xap" not in result.poster_jpeg
    # The moving bar's place says which picture it is: the tenth, at 1 s (10 pictures a second).
    bar = np.asarray(image)[60, :, 1].astype(int)
    assert abs(int(np.argmax(bar > 150)) - 40) <= 2


def test_the_poster_is_blurred_where_the_photo_pipeline_finds_a_face(tmp_path):
    from skimage import data as samples

    face = samples.astronaut()  # 512 x 512, a face the cascade finds
    original = make_video(size=(512, 512), seconds=0.4, fps=5, pictures=lambda index: face)

    plain, _ = transcode(original, tmp_path)
    blurred, _ = transcode(original, tmp_path, blur=video_processing._blur)

    assert blurred.poster_regions
    x, y, w, h = blurred.poster_regions[0]
    plain_px = np.asarray(Image.open(io.BytesIO(plain.poster_jpeg))).astype(int)
    blurred_px = np.asarray(Image.open(io.BytesIO(blurred.poster_jpeg))).astype(int)
    inside = (slice(y + h // 4, y + 3 * h // 4), slice(x + w // 4, x + 3 * w // 4))
    assert np.abs(plain_px[inside] - blurred_px[inside]).mean() > 8
    assert blurred_px[inside].std() < plain_px[inside].std()
    assert np.abs(plain_px[400:, 400:] - blurred_px[400:, 400:]).mean() < 2


def test_a_stream_corrupted_in_the_middle_is_an_error_not_a_crash(tmp_path, corrupted_video):
    probe(io.BytesIO(corrupted_video), max_seconds=120)  # the header and the first picture are sound

    with pytest.raises(VideoError) as exc:
        transcode(corrupted_video, tmp_path)

    assert exc.value.code == "damaged"


def test_the_transcode_stops_at_its_deadline(tmp_path, mp4_video):
    with pytest.raises(VideoError) as exc:
        transcode(mp4_video, tmp_path, deadline=time.monotonic() - 1)

    assert exc.value.code == "too_slow"


def test_a_video_longer_than_its_header_said_is_stopped(tmp_path, mp4_video):
    with pytest.raises(VideoError) as exc:
        transcode(mp4_video, tmp_path, max_seconds=0.5)

    assert exc.value.code == "too_long"


# Processing: the task


def submit_video(category, capture, data, name="VID_0001.mp4"):
    uploads = check_uploads([upload(name, data)])
    with capture(execute=True):
        case = services.case_submit(
            description="Xe máy chạy trên vỉa hè",
            latitude="16.47",
            longitude="107.59",
            category=category,
            uploads=uploads,
        ).case
    return Media.objects.get(case=case)


def stored_files(settings, folder):
    root = settings.MEDIA_ROOT / folder
    return sorted(path.relative_to(settings.MEDIA_ROOT).as_posix() for path in root.rglob("*") if path.is_file())


@pytest.mark.django_db
def test_a_submitted_video_is_published_with_a_poster_and_an_h264_mp4(
    settings, category, django_capture_on_commit_callbacks, mp4_video
):
    media = submit_video(category, django_capture_on_commit_callbacks, mp4_video)

    assert (media.kind, media.status, media.error) == ("video", Media.Status.READY, "")
    assert (media.width, media.height, media.duration) == (160, 120, pytest.approx(2.0, abs=0.05))
    assert media.public.name.endswith(".mp4") and media.poster.name.endswith(".jpg")
    assert media.original.read() == mp4_video
    (_container, codec, _pix, streams), frames = decode_all(media.public.read())
    assert (codec, streams, len(frames)) == ("h264", 1, 20)
    assert Image.open(media.poster).format == "JPEG"
    assert stored_files(settings, "public") == sorted([media.public.name, media.poster.name])


@pytest.mark.django_db
def test_a_video_corrupted_mid_stream_fails_and_nothing_is_published(
    settings, category, django_capture_on_commit_callbacks, corrupted_video
):
    media = submit_video(category, django_capture_on_commit_callbacks, corrupted_video)

    assert media.status == Media.Status.FAILED
    assert media.error.startswith("The video stream is damaged")
    assert (media.public.name, media.poster.name, media.width) == ("", "", None)
    assert stored_files(settings, "public") == []
    assert (
        reverse("reports:media_public", args=[media.pk])
        not in client_for(None).get(reverse("reports:case", args=[media.case.tracking_code])).content.decode()
    )


@pytest.mark.django_db
def test_processing_a_video_twice_changes_nothing(settings, category, django_capture_on_commit_callbacks, mp4_video):
    media = submit_video(category, django_capture_on_commit_callbacks, mp4_video)
    before = Media.objects.values().get(pk=media.pk)

    media_process(media.pk)
    # A second worker holding the row as it was before the first one finished: it publishes nothing of its own.
    Media.objects.filter(pk=media.pk).update(status=Media.Status.PENDING)
    stale = Media.objects.get(pk=media.pk)
    Media.objects.filter(pk=media.pk).update(status=Media.Status.READY)
    video_processing.media_make_public(stale)

    assert Media.objects.values().get(pk=media.pk) == before
    assert stored_files(settings, "public") == sorted([media.public.name, media.poster.name])


@pytest.mark.django_db
def test_a_video_past_the_task_time_budget_fails_without_escaping_the_task(
    settings, category, django_capture_on_commit_callbacks, mp4_video
):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 1  # the margin kept for storing leaves no time at all

    media = submit_video(category, django_capture_on_commit_callbacks, mp4_video)

    assert media.status == Media.Status.FAILED
    assert media.error.startswith("The video took too long to process")
    assert stored_files(settings, "public") == []


@pytest.mark.django_db
def test_the_soft_time_limit_fails_the_video_and_does_not_escape_the_task(
    settings, category, django_capture_on_commit_callbacks, monkeypatch, mp4_video
):
    def interrupted(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(video_processing, "make_public_video", interrupted)

    media = submit_video(category, django_capture_on_commit_callbacks, mp4_video)

    assert (media.status, media.public.name, media.poster.name) == (Media.Status.FAILED, "", "")
    assert media.error == "The video could not be processed (SoftTimeLimitExceeded)"


# Serving


@pytest.fixture
def published(category, django_capture_on_commit_callbacks, mp4_video, operator):
    """A processed video an operator has watched and published."""
    from reports.redaction import media_release

    media = submit_video(category, django_capture_on_commit_callbacks, mp4_video)
    assert (media.status, media.withheld) == (Media.Status.READY, True)
    # Committed, as a real release is: the public case page is made again once it commits.
    with django_capture_on_commit_callbacks(execute=True):
        return media_release(media=media, by=operator)


@pytest.mark.django_db
def test_a_processed_video_waits_for_an_operator_before_the_public_sees_it(
    category, django_capture_on_commit_callbacks, mp4_video, operator
):
    from reports.redaction import media_release

    media = submit_video(category, django_capture_on_commit_callbacks, mp4_video)
    public_url = reverse("reports:media_public", args=[media.pk])
    assert client_for(None).get(public_url).status_code == 404
    media_release(media=media, by=operator)
    assert client_for(None).get(public_url).status_code == 200
    assert media.case.events.filter(kind="media_released", is_public=True).count() == 1


@pytest.mark.django_db
def test_the_public_video_is_served_whole_as_mp4_saying_it_takes_ranges(published):
    response = client_for(None).get(reverse("reports:media_public", args=[published.pk]))

    assert response.status_code == 200
    assert (response["Content-Type"], response["Accept-Ranges"]) == ("video/mp4", "bytes")
    assert b"".join(response.streaming_content) == published.public.read()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header,part",
    [
        ("bytes=0-99", slice(0, 100)),
        ("bytes=100-", slice(100, None)),
        ("bytes=-50", slice(-50, None)),
        ("bytes=10-10", slice(10, 11)),
        ("bytes=1000-999999999", slice(1000, None)),
    ],
)
def test_a_range_request_gets_206_with_exactly_those_bytes(published, header, part):
    data = published.public.read()
    expected = data[part]
    start = data.index(expected) if part.start is None or part.start >= 0 else len(data) + part.start

    response = client_for(None).get(reverse("reports:media_public", args=[published.pk]), HTTP_RANGE=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{start + len(expected) - 1}/{len(data)}"
    assert response["Content-Length"] == str(len(expected))
    assert response["Content-Type"] == "video/mp4"
    assert b"".join(response.streaming_content) == expected


@pytest.mark.django_db
def test_a_range_past_the_end_is_refused_with_416(published):
    size = published.public.size

    response = client_for(None).get(reverse("reports:media_public", args=[published.pk]), HTTP_RANGE=f"bytes={size}-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.django_db
def test_the_poster_is_served_to_anyone_once_the_video_is_public(published):
    response = client_for(None).get(reverse("reports:media_poster", args=[published.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "public" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == published.poster.read()


@pytest.mark.django_db
def test_a_withheld_video_and_its_poster_are_hidden_from_the_public_but_not_from_the_centre(published, operator):
    Media.objects.filter(pk=published.pk).update(withheld=True)

    for name in ("reports:media_public", "reports:media_poster"):
        assert client_for(None).get(reverse(name, args=[published.pk])).status_code == 404
    response = client_for(operator).get(reverse("reports:media_poster", args=[published.pk]))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_video_being_processed_has_no_poster_yet(category, mp4_video, outsider, operator):
    uploads = check_uploads([upload("a.mp4", mp4_video)])
    case = services.case_submit(
        description="x", latitude="16.47", longitude="107.59", category=category, uploads=uploads
    ).case  # the commit callbacks are not run: the video stays pending
    media = Media.objects.get(case=case)

    for user in (None, outsider, operator):
        assert client_for(user).get(reverse("reports:media_poster", args=[media.pk])).status_code == 404


@pytest.mark.django_db
def test_the_case_page_plays_the_public_video_with_its_poster(published):
    page = client_for(None).get(reverse("reports:case", args=[published.case.tracking_code])).content.decode()

    video_url = reverse("reports:media_public", args=[published.pk])
    poster_url = reverse("reports:media_poster", args=[published.pk])
    assert f'poster="{poster_url}" src="{video_url}"' in page
    assert f'<img src="{poster_url}"' in page
    assert reverse("reports:media_original", args=[published.pk]) not in page


@pytest.mark.django_db
def test_the_centre_case_page_plays_the_public_video_and_links_the_original(published, operator):
    page = client_for(operator).get(reverse("dashboard:case", args=[published.case.tracking_code])).content.decode()

    assert f'poster="{reverse("reports:media_poster", args=[published.pk])}"' in page
    assert f'src="{reverse("reports:media_public", args=[published.pk])}"' in page
    assert f'href="{reverse("reports:media_original", args=[published.pk])}"' in page


@pytest.mark.django_db
def test_the_public_page_says_a_video_awaits_checking(category, django_capture_on_commit_callbacks, mp4_video):
    media = submit_video(category, django_capture_on_commit_callbacks, mp4_video)
    page = client_for(None).get(reverse("reports:case", args=[media.case.tracking_code])).content.decode()
    assert 'id="media-held"' in page
    assert reverse("reports:media_public", args=[media.pk]) not in page
