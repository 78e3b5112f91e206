"""The S3 path, against a local S3 server (moto in server mode, on a spare loopback port): what a report stores
lands in the bucket, the public variant is served through the site, and the original only through a presigned
link handed to those entitled to it."""

import secrets
from urllib.parse import parse_qs, urlsplit

import boto3
import botocore.config
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from reports import redaction, services
from reports.media import check_uploads
from reports.models import Media
from reports.signed_urls import signed_original_url
from tests.conftest import advance, client_for, jpeg_bytes
from tests.media.test_redaction import textured_jpeg

pytestmark = pytest.mark.django_db

CREDENTIALS = {"access_key": "testing", "secret_key": "testing-secret"}
REGION = "us-east-1"
ORIGINAL = jpeg_bytes(size=(320, 240), color=(30, 140, 60))


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint):
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=REGION,
    )


@pytest.fixture
def bucket(s3, s3_endpoint, settings):
    """A fresh bucket, and the default storage pointed at it with the options huesmart/settings.py uses."""
    name = f"huesmart-test-{secrets.token_hex(4)}"
    s3.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                **CREDENTIALS,
                "region_name": REGION,
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "client_config": botocore.config.Config(
                    signature_version="s3v4", s3={"addressing_style": "auto"}, connect_timeout=5, read_timeout=60
                ),
            },
        },
    }
    return name


@pytest.fixture
def sent(bucket, category, reporter_details, django_capture_on_commit_callbacks):
    uploads = check_uploads([SimpleUploadedFile("IMG_0042.jpg", ORIGINAL)])
    with django_capture_on_commit_callbacks(execute=True):
        return services.case_submit(
            description="Ổ gà lớn giữa đường",
            latitude="16.47",
            longitude="107.59",
            category=category,
            uploads=uploads,
            **reporter_details,
        )


@pytest.fixture
def media(sent):
    media = sent.case.media.get()
    assert media.status == Media.Status.READY
    return media


def keys(s3, bucket):
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


def body(s3, bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_the_original_and_the_public_variant_land_in_the_bucket(s3, bucket, media):
    stored = keys(s3, bucket)

    assert media.original.name in stored and media.original.name.startswith("originals/")
    assert media.public.name in stored and media.public.name.startswith("public/")
    assert "IMG_0042" not in " ".join(stored)
    assert body(s3, bucket, media.original.name) == ORIGINAL
    public = body(s3, bucket, media.public.name)
    assert public[:3] == b"\xff\xd8\xff" and public != ORIGINAL


def test_objects_are_private_in_the_bucket(s3, bucket, media):
    for key in (media.original.name, media.public.name):
        grants = s3.get_object_acl(Bucket=bucket, Key=key)["Grants"]
        assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
        assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)


def test_the_public_variant_is_served_through_the_site(s3, bucket, media):
    response = client_for(None).get(reverse("reports:media_public", args=[media.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == body(s3, bucket, media.public.name)


@pytest.mark.parametrize("who", ["operator", "staff_a"])
def test_the_centre_and_the_cases_agency_are_sent_to_a_presigned_link_that_works(
    request, s3_endpoint, media, operator, staff_a, agency_a, who, settings
):
    settings.MEDIA_SIGNED_URL_SECONDS = 120
    advance(media.case, "assigned", operator=operator, staff=staff_a, agency=agency_a)

    response = client_for(request.getfixturevalue(who)).get(reverse("reports:media_original", args=[media.pk]))

    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    location = response["Location"]
    assert location.startswith(f"{s3_endpoint}/")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["120"]
    fetched = requests.get(location, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == ORIGINAL
    assert fetched.headers["Content-Type"] == "image/jpeg"
    assert fetched.headers["Content-Disposition"] == f'inline; filename="{media.case.tracking_code}-{media.pk}.jpg"'


def test_the_reporters_signed_link_leads_to_a_presigned_link(media):
    response = client_for(None).get(signed_original_url(media))

    assert response.status_code == 302
    assert requests.get(response["Location"], timeout=10).content == ORIGINAL


@pytest.mark.parametrize("who", [None, "outsider", "staff_b"])
def test_the_public_and_other_agencies_get_no_link_to_the_original(
    request, s3_endpoint, media, operator, staff_a, agency_a, who
):
    advance(media.case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    user = request.getfixturevalue(who) if who else None

    response = client_for(user).get(reverse("reports:media_original", args=[media.pk]))

    assert response.status_code == 404
    assert s3_endpoint not in response.content.decode()
    assert "Location" not in response


def test_withholding_and_redaction_work_on_object_storage(
    s3, bucket, category, operator, django_capture_on_commit_callbacks
):
    uploads = check_uploads([SimpleUploadedFile("street.jpg", textured_jpeg())])
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit(
            description="Xe đậu trên vỉa hè", latitude="16.47", longitude="107.59", category=category, uploads=uploads
        ).case
    media = case.media.get()
    old_name = media.public.name
    before = body(s3, bucket, old_name)

    with django_capture_on_commit_callbacks(execute=True):
        redaction.media_set_blur_boxes(media=media, boxes=[{"x": 0.25, "y": 0.25, "w": 0.5, "h": 0.5}], by=operator)
    redaction.media_withhold(media=media, by=operator, reason="Lộ biển số xe")

    media.refresh_from_db()
    stored = keys(s3, bucket)
    # A new object under a new name; the one caches may hold under the old name is gone.
    assert media.public.name in stored and old_name not in stored
    assert body(s3, bucket, media.public.name) != before
    assert client_for(None).get(reverse("reports:media_public", args=[media.pk])).status_code == 404
    assert client_for(operator).get(reverse("dashboard:media_variant", args=[media.pk])).status_code == 200
