"""Resumable uploads (tus 1.0.0): files sent in chunks ahead of the report, resumed after a dropped connection,
owned by the browser session that started them, and judged at submit time like any other file."""

import base64
import hashlib
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reports import clock, tasks, uploads
from reports.models import Case, CaseEvent, Media, Reporter
from tests.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = "application/offset+octet-stream"


def metadata(**values):
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


def create(client, length, **headers):
    return client.generic(
        "POST", reverse("reports:upload_create"), b"", headers={**TUS, "Upload-Length": str(length), **headers}
    )


def head(client, url):
    return client.head(url, headers=TUS)


def patch(client, url, offset, data, content_type=CHUNK, **headers):
    return client.generic(
        "PATCH", url, data, content_type=content_type, headers={**TUS, "Upload-Offset": str(offset), **headers}
    )


def send(client, data, filename="photo.jpg", chunk=1000):
    """A whole file, chunk by chunk, as tus-js-client sends it; returns the upload's id."""
    url = create(client, len(data), **{"Upload-Metadata": metadata(filename=filename, filetype="image/jpeg")})[
        "Location"
    ]
    for offset in range(0, len(data), chunk):
        assert patch(client, url, offset, data[offset : offset + chunk]).status_code == 204
    return upload_id(url)


def upload_id(url):
    return url.rstrip("/").rsplit("/", 1)[1]


def folders():
    root = uploads.root()
    return sorted(path.name for path in root.iterdir()) if root.exists() else []


def photo_bytes(size=(300, 200)):
    return jpeg_bytes(size=size)


# The protocol


def test_options_announce_the_version_the_extensions_and_the_largest_file(settings):
    settings.MEDIA_MAX_PHOTO_BYTES, settings.MEDIA_MAX_VIDEO_BYTES = 1000, 5000

    response = Client().options(reverse("reports:upload_create"))

    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0"
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Max-Size"] == "5000"
    assert response["Tus-Extension"] == "creation,termination,expiration"


def test_a_file_sent_in_chunks_is_assembled_byte_for_byte():
    client = Client()
    data = photo_bytes()

    created = create(client, len(data), **{"Upload-Metadata": metadata(filename="chợ.jpg", filetype="image/jpeg")})
    url = created["Location"]
    offsets = []
    for offset in range(0, len(data), 700):
        response = patch(client, url, offset, data[offset : offset + 700])
        offsets.append(int(response["Upload-Offset"]))

    assert created.status_code == 201
    assert url.startswith("http://testserver/uploads/") and len(upload_id(url)) == 32
    assert created["Tus-Resumable"] == "1.0.0" and "Upload-Expires" in created
    assert offsets == [min(offset + 700, len(data)) for offset in range(0, len(data), 700)]
    status = head(client, url)
    assert (status.status_code, status["Upload-Offset"], status["Upload-Length"]) == (
        200,
        str(len(data)),
        str(len(data)),
    )
    assert "no-store" in status["Cache-Control"]
    assert uploads.parse_metadata(status["Upload-Metadata"]) == {"filename": "chợ.jpg", "filetype": "image/jpeg"}
    assert (uploads.root() / upload_id(url) / "data").read_bytes() == data


def test_a_new_upload_stands_at_offset_zero():
    client = Client()
    url = create(client, 10)["Location"]

    response = head(client, url)

    assert (response.status_code, response["Upload-Offset"], response["Upload-Length"]) == (200, "0", "10")


def test_an_interrupted_chunk_keeps_what_arrived_and_the_upload_resumes_from_there():
    client = Client()
    data = photo_bytes()
    url = create(client, len(data))["Location"]
    upload = uploads.upload_get(upload_id(url))

    class DroppedConnection(io.BytesIO):
        """The phone lost its signal after 500 bytes of this chunk."""

        def read(self, size=-1):
            if self.tell() >= 500:
                raise OSError("connection reset")
            return super().read(min(size, 500 - self.tell()))

    offset = uploads.upload_append(upload, offset=0, stream=DroppedConnection(data), content_length=len(data))
    resumed_from = int(head(client, url)["Upload-Offset"])
    finished = patch(client, url, resumed_from, data[resumed_from:])

    assert offset == resumed_from == 500
    assert finished.status_code == 204 and finished["Upload-Offset"] == str(len(data))
    assert (uploads.root() / upload_id(url) / "data").read_bytes() == data


def test_a_chunk_at_the_wrong_offset_is_refused_with_409_and_nothing_written():
    client = Client()
    url = create(client, 100)["Location"]
    patch(client, url, 0, b"a" * 40)

    behind = patch(client, url, 0, b"b" * 10)
    ahead = patch(client, url, 50, b"c" * 10)

    assert behind.status_code == ahead.status_code == 409
    assert head(client, url)["Upload-Offset"] == "40"
    assert (uploads.root() / upload_id(url) / "data").read_bytes() == b"a" * 40


def test_a_chunk_beyond_the_length_is_refused_with_400_and_nothing_written():
    client = Client()
    url = create(client, 10)["Location"]
    patch(client, url, 0, b"12345")

    response = patch(client, url, 5, b"6789012")

    assert response.status_code == 400
    assert head(client, url)["Upload-Offset"] == "5"


def test_a_file_larger_than_any_report_accepts_is_refused_with_413_before_anything_is_stored(settings):
    settings.MEDIA_MAX_PHOTO_BYTES, settings.MEDIA_MAX_VIDEO_BYTES = 1000, 5000

    response = create(Client(), 5001)

    assert response.status_code == 413
    assert "Location" not in response
    assert folders() == []
    assert create(Client(), 5000).status_code == 201


@pytest.mark.parametrize(
    "headers",
    [{}, {"Upload-Length": "-1"}, {"Upload-Length": "ten"}, {"Upload-Defer-Length": "1"}],
    ids=["missing", "negative", "not-a-number", "deferred"],
)
def test_creation_without_a_usable_length_is_refused_with_400(headers):
    response = Client().generic("POST", reverse("reports:upload_create"), b"", headers={**TUS, **headers})

    assert response.status_code == 400
    assert folders() == []


@pytest.mark.parametrize("value", ["filename", "file name bW9p", "filename !!!", "a YQ==,a Yg=="])
def test_malformed_metadata_is_refused_with_400(value):
    # A key alone is allowed; these are a key with two values, bad base64 and a repeated key.
    if value == "filename":
        assert create(Client(), 10, **{"Upload-Metadata": value}).status_code == 201
        return
    response = create(Client(), 10, **{"Upload-Metadata": value})

    assert response.status_code == 400


def test_a_request_without_the_tus_version_is_refused_with_412():
    client = Client()
    url = create(client, 10)["Location"]

    response = client.head(url)
    created = client.generic("POST", reverse("reports:upload_create"), b"", headers={"Upload-Length": "10"})

    assert response.status_code == created.status_code == 412
    assert response["Tus-Version"] == "1.0.0"


def test_a_chunk_of_another_content_type_is_refused_with_415():
    client = Client()
    url = create(client, 10)["Location"]

    response = patch(client, url, 0, b"12345", content_type="application/octet-stream")

    assert response.status_code == 415
    assert head(client, url)["Upload-Offset"] == "0"


def test_a_chunk_while_another_is_being_written_is_refused_with_423():
    client = Client()
    url = create(client, 10)["Location"]
    upload = uploads.upload_get(upload_id(url))

    with uploads._locked(upload):
        response = patch(client, url, 0, b"12345")

    assert response.status_code == 423
    assert head(client, url)["Upload-Offset"] == "0"


def test_method_override_lets_a_post_act_as_patch():
    client = Client()
    url = create(client, 5)["Location"]

    response = client.generic(
        "POST",
        url,
        b"12345",
        content_type=CHUNK,
        headers={**TUS, "Upload-Offset": "0", "X-HTTP-Method-Override": "PATCH"},
    )

    assert (response.status_code, response["Upload-Offset"]) == (204, "5")


def test_termination_removes_the_upload():
    client = Client()
    url = create(client, 10)["Location"]

    response = client.delete(url, headers=TUS)

    assert response.status_code == 204
    assert head(client, url).status_code == 404
    assert folders() == []


def test_an_upload_abandoned_longer_than_the_expiry_is_gone(settings):
    settings.UPLOAD_EXPIRY_HOURS = 24
    client = Client()
    url = create(client, 10)["Location"]
    patch(client, url, 0, b"12345")

    with clock.travel(clock.now() + timedelta(hours=23)):
        still_there = head(client, url).status_code
    with clock.travel(clock.now() + timedelta(hours=25)):
        expired = head(client, url)
        refused = patch(client, url, 5, b"67890")

    assert still_there == 200
    assert expired.status_code == 410 and "Upload-Offset" not in expired
    assert refused.status_code == 404
    assert folders() == []


def test_each_chunk_moves_the_expiry_on(settings):
    settings.UPLOAD_EXPIRY_HOURS = 24
    client = Client()
    url = create(client, 10)["Location"]

    with clock.travel(clock.now() + timedelta(hours=20)):
        patch(client, url, 0, b"12345")
    with clock.travel(clock.now() + timedelta(hours=30)):
        response = head(client, url)

    assert (response.status_code, response["Upload-Offset"]) == (200, "5")


def test_the_sweep_removes_abandoned_uploads_and_keeps_the_others(settings):
    settings.UPLOAD_EXPIRY_HOURS = 24
    client = Client()
    with clock.travel(clock.now() - timedelta(hours=30)):
        abandoned = upload_id(create(client, 10)["Location"])
    recent = upload_id(create(client, 10)["Location"])
    half_created = uploads.root() / ("x" * 32)
    half_created.mkdir()

    removed = tasks.upload_sweep()

    # The half-created folder is new on disk: it gets the same time as any other.
    assert removed == 1
    assert folders() == sorted([recent, "x" * 32])
    assert abandoned not in folders()


def test_the_sweep_runs_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-uploads"]

    assert entry == {"task": "reports.tasks.upload_sweep", "schedule": 3600.0}


# Who may use an upload


def test_another_browser_cannot_read_continue_or_delete_an_upload():
    owner, stranger = Client(), Client()
    url = create(owner, 10)["Location"]
    patch(owner, url, 0, b"12345")

    responses = [
        head(stranger, url),
        patch(stranger, url, 5, b"67890"),
        stranger.delete(url, headers=TUS),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert head(owner, url)["Upload-Offset"] == "5"


def test_an_unknown_or_malformed_id_is_404():
    client = Client()
    create(client, 10)

    assert head(client, reverse("reports:upload_detail", args=["A" * 32])).status_code == 404
    assert head(client, reverse("reports:upload_detail", args=[".."])).status_code == 404


def test_chunks_need_the_pages_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("reports:submit"))
    token = client.cookies["csrftoken"].value

    refused = create(client, 10)
    url = create(client, 10, **{"X-CSRFToken": token})["Location"]
    chunk_refused = patch(client, url, 0, b"12345")
    chunk = patch(client, url, 0, b"12345", **{"X-CSRFToken": token})

    assert refused.status_code == 403
    assert chunk_refused.status_code == 403
    assert chunk.status_code == 204
    assert len(folders()) == 1


# The report that uses the uploads


def report_data(chosen, **overrides):
    data = {
        "category": str(chosen.pk),
        "description": "Rác đổ trộm cạnh cầu Trường Tiền",
        "latitude": "16.470000",
        "longitude": "107.590000",
    }
    data.update(overrides)
    return data


def counts():
    return Case.objects.count(), Reporter.objects.count(), Media.objects.count(), CaseEvent.objects.count()


def stored_files(settings):
    """Every file in media storage outside the uploads in progress."""
    root = settings.MEDIA_ROOT
    if not root.exists():
        return []
    return [path for path in root.rglob("*") if path.is_file() and uploads.root() not in path.parents]


def test_a_report_with_a_finished_upload_becomes_a_case_with_that_photo(category):
    client = Client()
    data = photo_bytes()
    sent = send(client, data)

    response = client.post(reverse("reports:submit"), report_data(category, upload=[sent]))

    case = Case.objects.get()
    assert response.status_code == 302
    media = case.media.get()
    assert (media.kind, media.content_type, media.size) == ("photo", "image/jpeg", len(data))
    assert media.sha256 == hashlib.sha256(data).hexdigest()
    with media.original.open("rb") as original:
        assert original.read() == data
    # The upload was used: its files are gone and the session forgets it.
    assert folders() == []
    assert sent not in client.session.get(uploads.SESSION_KEY, [])


def test_a_video_sent_by_upload_becomes_the_cases_video(category, mp4_video):
    client = Client()
    sent = send(client, mp4_video, filename="clip.mp4", chunk=4096)

    response = client.post(reverse("reports:submit"), report_data(category, upload=[sent]))

    assert response.status_code == 302
    media = Case.objects.get().media.get()
    assert (media.kind, media.content_type, media.size) == ("video", "video/mp4", len(mp4_video))


def test_uploads_and_files_sent_with_the_form_go_together(category):
    client = Client()
    sent = send(client, photo_bytes(), filename="a.jpg")
    direct = SimpleUploadedFile("b.jpg", jpeg_bytes(), content_type="image/jpeg")

    response = client.post(reverse("reports:submit"), report_data(category, upload=[sent], media=[direct]))

    assert response.status_code == 302
    assert Case.objects.get().media.count() == 2


def test_uploads_count_towards_the_limit_of_files(category, settings):
    settings.MEDIA_MAX_FILES = 1
    client = Client()
    sent = send(client, photo_bytes())
    direct = SimpleUploadedFile("b.jpg", jpeg_bytes(), content_type="image/jpeg")
    before = counts()

    response = client.post(reverse("reports:submit"), report_data(category, upload=[sent], media=[direct]))

    assert response.status_code == 400
    assert response.context["form"].errors["media"] == ["At most 1 files can be sent with one report."]
    assert counts() == before


def test_a_non_image_sent_by_upload_is_refused_like_one_sent_with_the_form_and_nothing_is_stored(category, settings):
    text = b"just some text, not a photo"
    client = Client()
    sent = send(client, text, filename="notes.jpg")
    before = counts()

    by_upload = client.post(reverse("reports:submit"), report_data(category, upload=[sent]))
    direct = Client().post(
        reverse("reports:submit"),
        report_data(category, media=[SimpleUploadedFile("notes.jpg", text, content_type="image/jpeg")]),
    )

    assert by_upload.status_code == direct.status_code == 400
    assert by_upload.context["form"].errors["media"] == direct.context["form"].errors["media"]
    assert by_upload.context["form"].errors["media"] == [
        "notes.jpg is damaged or not a photo we can read (JPEG, PNG, WebP or HEIC)."
    ]
    assert "notes.jpg is damaged or not a photo we can read" in by_upload.content.decode()
    assert counts() == before
    assert stored_files(settings) == []
    # A refused file is not offered again; it expires with the sweep.
    assert f'value="{sent}"' not in by_upload.content.decode()


def test_another_browsers_upload_cannot_be_used_in_a_report(category):
    owner, stranger = Client(), Client()
    sent = send(owner, photo_bytes())
    before = counts()

    response = stranger.post(reverse("reports:submit"), report_data(category, upload=[sent]))

    assert response.status_code == 400
    assert response.context["form"].errors["media"] == [
        "A file sent earlier is no longer available (it expired or was removed): please choose it again."
    ]
    assert counts() == before
    assert folders() == [sent]


def test_an_unfinished_upload_cannot_be_used_in_a_report(category):
    client = Client()
    data = photo_bytes()
    url = create(client, len(data), **{"Upload-Metadata": metadata(filename="half.jpg")})["Location"]
    patch(client, url, 0, data[:100])
    before = counts()

    response = client.post(reverse("reports:submit"), report_data(category, upload=[upload_id(url)]))

    assert response.status_code == 400
    assert response.context["form"].errors["media"] == [
        "half.jpg has not finished uploading: wait until it has, then send the report."
    ]
    assert counts() == before


def test_an_expired_upload_cannot_be_used_in_a_report(category, settings):
    settings.UPLOAD_EXPIRY_HOURS = 24
    client = Client()
    sent = send(client, photo_bytes())
    before = counts()

    with clock.travel(clock.now() + timedelta(hours=25)):
        response = client.post(reverse("reports:submit"), report_data(category, upload=[sent]))

    assert response.status_code == 400
    assert "no longer available" in response.context["form"].errors["media"][0]
    assert counts() == before


def test_finished_uploads_are_kept_when_the_form_comes_back_for_another_reason(category):
    client = Client()
    sent = send(client, photo_bytes(), filename="market.jpg")

    refused = client.post(reverse("reports:submit"), report_data(category, upload=[sent], description=" "))
    page = refused.content.decode()
    accepted = client.post(reverse("reports:submit"), report_data(category, upload=[sent]))

    assert refused.status_code == 400
    assert f'<input type="hidden" name="upload" value="{sent}">' in page
    assert "market.jpg" in page and "These files are already uploaded" in page
    assert accepted.status_code == 302
    assert Case.objects.get().media.count() == 1


def test_the_report_form_offers_resumable_uploads_and_keeps_the_plain_file_inputs(db):
    page = Client().get(reverse("reports:submit")).content.decode()

    assert f'data-upload-url="{reverse("reports:upload_create")}"' in page
    assert "vendor/tus-js-client/tus.min.js" in page and "js/uploader.js" in page
    # Without JavaScript the files go with the form, as before.
    assert 'enctype="multipart/form-data"' in page
    assert page.count('type="file" name="media"') == 2
