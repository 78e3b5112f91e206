"""Public variants may change or be withheld under the same URL: caches must revalidate, and can cheaply."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reports import services
from reports.media import check_uploads
from reports.models import Media
from tests.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(category, django_capture_on_commit_callbacks):
    uploads = check_uploads([SimpleUploadedFile("a.jpg", jpeg_bytes(size=(800, 600)))])
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit(
            description="Ổ gà", latitude="16.47", longitude="107.59", category=category, uploads=uploads
        ).case
    media = Media.objects.get(case=case)
    assert media.status == Media.Status.READY
    return media


@pytest.mark.parametrize("view", ["reports:media_public", "reports:media_thumbnail"])
def test_public_stills_revalidate_and_answer_304_when_unchanged(photo, view):
    url = reverse(view, args=[photo.pk])
    first = Client().get(url)
    assert first.status_code == 200
    assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]
    again = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert Client().get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_the_thumbnail_is_small_and_the_page_shows_it(photo):
    from io import BytesIO

    from PIL import Image

    response = Client().get(reverse("reports:media_thumbnail", args=[photo.pk]))
    image = Image.open(BytesIO(b"".join(response.streaming_content)))
    assert max(image.size) <= 320
    page = Client().get(reverse("reports:case", args=[photo.case.tracking_code])).content.decode()
    assert reverse("reports:media_thumbnail", args=[photo.pk]) in page


def test_a_withheld_photo_stops_answering_even_a_cached_etag(photo, operator):
    from reports.redaction import media_withhold

    etag = Client().get(reverse("reports:media_public", args=[photo.pk]))["ETag"]
    media_withhold(media=photo, by=operator, reason="Biển số xe rõ")
    assert Client().get(reverse("reports:media_public", args=[photo.pk]), HTTP_IF_NONE_MATCH=etag).status_code == 404
