"""The public case page for anonymous readers comes from the cache, made again by the worker after each change it
shows (events, media, the ledger) once someone has read it, so a surge of readers costs no query; staff and the
reporter never get that copy."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reports import clock, redaction, services
from reports.ledger.checkpoints import checkpoint_sign
from reports.media import check_uploads
from reports.media_processing import media_make_public
from reports.models import Media
from reports.transparency import pages, stamps
from reports.transparency.tasks import public_case_refresh
from tests.conftest import advance, client_for, jpeg_bytes

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page_url(case):
    return reverse("reports:case", args=[case.tracking_code])


def read(case, client=None, **headers):
    response = (client or Client()).get(page_url(case), **headers)
    assert response.status_code == 200
    return response.content.decode()


def worker_made(case):
    """The case's page as a worker leaves it after a change: a reader made a copy, the worker made it again in every
    language (it renders only pages someone has read)."""
    read(case)
    public_case_refresh.delay(case.pk)


def state_shown(html):
    return re.search(r'id="case-state">([^<]+)<', html)[1]


@pytest.fixture
def photo_case(category, reporter_details, django_capture_on_commit_callbacks):
    """A case whose photo was processed and published, as the worker does once the report commits."""
    uploads = check_uploads([SimpleUploadedFile("evidence.jpg", jpeg_bytes(), content_type="image/jpeg")])
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit(
            description="Rác đổ trộm", latitude="16.470000", longitude="107.590000", category=category, uploads=uploads
        ).case
    return case


# --- cost ------------------------------------------------------------------------------------------------------


def test_a_page_the_worker_made_costs_an_anonymous_reader_no_query(case, django_assert_num_queries):
    worker_made(case)

    with django_assert_num_queries(0):
        html = read(case)

    assert case.tracking_code in html
    assert "Staff sign in" in html


def test_the_worker_renders_no_page_nobody_has_read(case, django_assert_num_queries):
    public_case_refresh.delay(case.pk)

    # No copy: the first reader renders the page (4 queries) and stores it for the next.
    with django_assert_num_queries(4):
        first = read(case)
    with django_assert_num_queries(0):
        second = read(case)

    assert case.tracking_code in first and case.tracking_code in second


def test_a_reader_with_a_session_costs_one_query_for_the_session(case, django_assert_num_queries):
    worker_made(case)
    client = Client()
    session = client.session
    session["seen"] = True
    session.save()
    client.cookies["sessionid"] = session.session_key

    with django_assert_num_queries(1):
        html = read(case, client)

    assert case.tracking_code in html


def test_a_miss_renders_with_four_queries_and_stores_the_page(case, django_assert_num_queries):
    # The case, its public events with their leaves, its files, the latest checkpoint's size.
    with django_assert_num_queries(4):
        first = read(case)
    with django_assert_num_queries(0):
        second = read(case)

    assert state_shown(first) == state_shown(second) == "Submitted"


def test_an_unknown_case_is_404_and_leaves_no_stamp(db):
    assert Client().get("/cases/HUE-26-99999/").status_code == 404
    assert Client().get("/cases/not a code/").status_code == 404
    assert stamps.current([pages._stamp_key("HUE-26-99999")]) == {}


# --- freshness -------------------------------------------------------------------------------------------------


def test_the_cached_page_shows_a_new_event_once_its_task_has_run(
    case, operator, django_capture_on_commit_callbacks, django_assert_num_queries
):
    assert state_shown(read(case)) == "Submitted"

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator, note="Đã xác minh tại chỗ")

    with django_assert_num_queries(0):
        html = read(case)
    assert state_shown(html) == "Verified"
    assert "Đã xác minh tại chỗ" in html


def test_until_a_change_commits_readers_keep_the_copy_and_staff_see_the_change(case, operator):
    read(case)

    services.case_verify(case=case, by=operator)  # its transaction never commits in a test: no task runs

    assert state_shown(read(case)) == "Submitted"
    assert state_shown(read(case, client_for(operator))) == "Verified"


def test_a_released_photo_shows_on_the_cached_page(
    photo_case, operator, django_capture_on_commit_callbacks, django_assert_num_queries
):
    media = photo_case.media.get()
    photo_url = reverse("reports:media_public", args=[media.pk])
    assert photo_url in read(photo_case)

    with django_capture_on_commit_callbacks(execute=True):
        redaction.media_withhold(media=media, by=operator, reason="Ảnh có trẻ em")
    with django_assert_num_queries(0):
        withheld = read(photo_case)
    with django_capture_on_commit_callbacks(execute=True):
        redaction.media_release(media=media, by=operator)
    with django_assert_num_queries(0):
        released = read(photo_case)

    assert photo_url not in withheld and 'id="media-held"' in withheld
    assert photo_url in released and 'id="media-held"' not in released


def test_a_photo_made_public_by_the_worker_shows_on_the_cached_page(
    category, django_capture_on_commit_callbacks, django_assert_num_queries
):
    uploads = check_uploads([SimpleUploadedFile("evidence.jpg", jpeg_bytes(), content_type="image/jpeg")])
    case = services.case_submit(
        description="Rác đổ trộm", latitude="16.470000", longitude="107.590000", category=category, uploads=uploads
    ).case
    media = case.media.get()
    assert 'id="media-processing"' in read(case)

    with django_capture_on_commit_callbacks(execute=True):
        media_make_public(media)

    with django_assert_num_queries(0):
        html = read(case)
    assert reverse("reports:media_public", args=[media.pk]) in html
    assert 'id="media-processing"' not in html


def test_a_photo_that_cannot_be_published_is_said_so_on_the_cached_page(
    category, django_capture_on_commit_callbacks, django_assert_num_queries
):
    uploads = check_uploads([SimpleUploadedFile("evidence.jpg", jpeg_bytes(), content_type="image/jpeg")])
    case = services.case_submit(
        description="Rác đổ trộm", latitude="16.470000", longitude="107.590000", category=category, uploads=uploads
    ).case
    media = case.media.get()
    assert 'id="media-processing"' in read(case)
    media.original.storage.delete(media.original.name)

    with django_capture_on_commit_callbacks(execute=True):
        media_make_public(media)

    assert Media.objects.get(pk=media.pk).status == Media.Status.FAILED
    with django_assert_num_queries(0):
        html = read(case)
    assert "could not be made safe to show" in html
    assert 'id="media-processing"' not in html


def _video(damaged):
    """A small MP4; `damaged`: its picture data garbage from the middle on, which only processing finds."""
    from tests.media.conftest import make_video

    data = bytearray(make_video("mp4", "libx264", seconds=4.0, faststart=True))
    if damaged:
        middle = data.find(b"mdat") + (len(data) - data.find(b"mdat")) // 2
        data[middle:] = bytes((index * 151 + 7) % 256 for index in range(len(data) - middle))
    return bytes(data)


@pytest.mark.parametrize(
    ("damaged", "status", "says"),
    [
        (False, Media.Status.READY, 'id="media-held"'),
        (True, Media.Status.FAILED, "could not be made safe to show"),
    ],
)
def test_a_processed_video_changes_the_cached_page(
    category, django_capture_on_commit_callbacks, django_assert_num_queries, damaged, status, says
):
    from reports.video_processing import media_make_public as video_make_public

    uploads = check_uploads([SimpleUploadedFile("VID_0001.mp4", _video(damaged))])
    case = services.case_submit(
        description="Xe chạy trên vỉa hè", latitude="16.47", longitude="107.59", category=category, uploads=uploads
    ).case
    media = case.media.get()
    worker_made(case)
    assert 'id="media-processing"' in read(case)

    with django_capture_on_commit_callbacks(execute=True):
        video_make_public(media)

    assert Media.objects.get(pk=media.pk).status == status
    with django_assert_num_queries(0):
        html = read(case)
    assert says in html and 'id="media-processing"' not in html


def test_the_ledger_lines_follow_appends_and_checkpoints(
    case, operator, django_capture_on_commit_callbacks, django_assert_num_queries
):
    assert "Not yet in the ledger." in read(case)

    # Committing the event runs the ledger writer, which appends its leaves (and the report's).
    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)
    with django_assert_num_queries(0):
        appended = read(case)
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint_sign()
    with django_assert_num_queries(0):
        signed = read(case)

    assert "Not yet in the ledger." not in appended
    assert appended.count("awaiting the next signed checkpoint") == 2
    assert "/api/v1/ledger/proof/inclusion/" not in appended
    assert "awaiting the next signed checkpoint" not in signed
    assert signed.count("/api/v1/ledger/proof/inclusion/?event=") == 2


def test_the_deadline_clock_of_a_cached_page_follows_the_time(
    case, operator, staff_a, agency_a, django_capture_on_commit_callbacks, django_assert_num_queries
):
    read(case)  # someone reads the page, so the worker makes it again after each change
    with django_capture_on_commit_callbacks(execute=True):
        case = advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)

    with django_assert_num_queries(0):
        on_time = read(case)
        with clock.travel(case.deadline + timedelta(hours=1)):
            late = read(case)

    assert "working days left" in on_time and 'class="badge overdue"' not in on_time
    assert "overdue by 1 hour" in late and 'class="badge overdue"' in late


# --- who gets the copy -----------------------------------------------------------------------------------------


def test_staff_are_never_served_the_anonymous_copy_nor_leave_theirs_in_the_cache(
    case, operator, django_assert_num_queries
):
    staff_page = read(case, client_for(operator))
    with django_assert_num_queries(4):
        anonymous = read(case)

    assert "Sign out" in staff_page
    assert "Sign out" not in anonymous and "Staff sign in" in anonymous


def test_the_reporters_page_is_their_own_never_the_copy(submission):
    case = submission.case
    worker_made(case)

    response = Client().get(reverse("reports:reporter_case", args=[case.tracking_code, submission.token]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="reporter-details"' in html and submission.token in html
    assert "no-store" in response["Cache-Control"]
    assert 'id="reporter-details"' not in read(case)


def test_a_reader_told_something_sees_it_on_a_page_of_their_own(case, django_capture_on_commit_callbacks):
    worker_made(case)
    client = Client()

    response = client.post(reverse("reports:follow", args=[case.tracking_code]), {"email": "ban@example.org"})
    assert response.status_code == 302

    assert "You will be e-mailed about each step of this case." in read(case, client)
    assert "You will be e-mailed about each step of this case." not in read(case, client)


def test_vietnamese_and_english_copies_are_distinct(case, django_assert_num_queries):
    worker_made(case)

    with django_assert_num_queries(0):
        vietnamese = read(case, HTTP_ACCEPT_LANGUAGE="vi")
        english = read(case, HTTP_ACCEPT_LANGUAGE="en")

    assert '<html lang="vi">' in vietnamese and "Lịch sử xử lý" in vietnamese and "Case history" not in vietnamese
    assert '<html lang="en">' in english and "Case history" in english and "Lịch sử xử lý" not in english


def test_each_reader_gets_a_working_csrf_token_of_their_own(case):
    worker_made(case)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    first_page, second_page = read(case, first), read(case, second)
    token = CSRF_INPUT.findall(first_page)[-1]
    response = first.post(
        reverse("reports:follow", args=[case.tracking_code]), {"email": "ban@example.org", "csrfmiddlewaretoken": token}
    )

    assert "csrf-token-slot" not in first_page
    assert set(CSRF_INPUT.findall(first_page)).isdisjoint(CSRF_INPUT.findall(second_page))
    assert response.status_code == 302


# --- stamps ----------------------------------------------------------------------------------------------------


def test_a_copy_rendered_before_a_change_is_never_served_after_the_worker_made_the_new_one(db):
    stamp, _made = stamps.for_render("stamp", None, 60)  # a reader reads the stamp, then the old data...
    new = stamps.bump(["stamp"], 60)["stamp"]  # ...the change commits and the worker renews the stamp...
    stamps.store("page", new, "new", 60)  # ...and stores the new page...
    stamps.store("page", stamp, "old", 60)  # ...before the slow reader stores its copy

    assert stamps.read("page", "stamp")[0] == "new"
    assert stamps.read("page", "stamp", grace=30)[0] == "new"


def test_the_previous_copy_is_served_only_within_the_grace_while_the_worker_renders(db):
    stamp, _made = stamps.for_render("stamp", None, 60)
    stamps.store("page", stamp, "before", 60)
    stamps.bump(["stamp"], 60)

    assert stamps.read("page", "stamp", grace=30)[0] == "before"
    assert stamps.read("page", "stamp", grace=0)[0] is None
