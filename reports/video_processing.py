"""Publishing a video: a blurred poster frame and an H.264 MP4 of at most 720p, built outside any transaction from
the original, recorded with one conditional update. Fail closed: a video that cannot be made is not published.
And serving the public MP4 with HTTP Range requests, which Safari needs to play a video at all."""

import logging
import re
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from .models import Media
from .transparency.pages import schedule_case_page_refresh
from .video import VideoError, make_public_video

log = logging.getLogger(__name__)

# Time kept back from the task's soft limit to store the variants once they are made.
STORE_MARGIN_SECONDS = 30
FAILURE_REASONS = {
    "damaged": "The video stream is damaged",
    "too_long": "The video is longer than allowed",
    "too_slow": "The video took too long to process",
    "no_video": "The file has no video picture",
    "codec": "The video is in a format that cannot be read",
    "playlist": "The file is a streaming playlist",
    "format": "The file is not an MP4, MOV or WebM video",
    "unreadable": "The video cannot be read",
}


def _blur(rgb):
    """Faces and plates on the poster, with the photo pipeline's detector and blur (in place)."""
    from .media_processing import blur_regions, find_sensitive_regions

    regions = find_sensitive_regions(rgb)
    blur_regions(rgb, regions)
    return regions


def _boxes(regions, width, height):
    return [
        {"x": x / width, "y": y / height, "w": w / width, "h": h / height, "source": "auto"} for x, y, w, h in regions
    ]


def _fail(media, reason):
    log.warning("media %s: the video is not published: %s", media.pk, reason)
    error = reason[:300]
    if Media.objects.filter(pk=media.pk, status=Media.Status.PENDING).update(status=Media.Status.FAILED, error=error):
        # The case's public page says a file could not be published instead of counting it as being processed.
        schedule_case_page_refresh(media.case_id)
    media.refresh_from_db()
    return media


def media_make_public(media: Media):
    """Build the poster and the public MP4 of a pending video. Safe to run twice, and by two workers at once."""
    if media.status != Media.Status.PENDING or media.kind != Media.Kind.VIDEO:
        return media
    soft_limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
    deadline = time.monotonic() + soft_limit - STORE_MARGIN_SECONDS if soft_limit else None
    with tempfile.TemporaryDirectory(prefix="huesmart-video-") as folder:
        source, destination = Path(folder) / "original", Path(folder) / "public.mp4"
        # A local copy: PyAV seeks all over the file, which object storage does badly. Storage errors propagate,
        # so the task retries them.
        with media.original.open("rb") as original, source.open("wb") as copy:
            shutil.copyfileobj(original, copy, 1024 * 1024)
        try:
            with source.open("rb") as handle:
                result = make_public_video(
                    handle, destination, max_seconds=settings.MEDIA_MAX_VIDEO_SECONDS, blur=_blur, deadline=deadline
                )
        except VideoError as exc:
            reason = FAILURE_REASONS.get(exc.code, "The video cannot be read")
            return _fail(media, f"{reason}: {exc.detail}" if exc.detail else reason)
        except Exception as exc:  # noqa: BLE001 (a decoder's or the time limit's error: the video stays unpublished)
            log.exception("media %s: the video could not be processed", media.pk)
            return _fail(media, f"The video could not be processed ({type(exc).__name__})")
        return _publish(media, result, destination)


def _publish(media, result, destination):
    stored = []
    try:
        media.poster.save("poster.jpg", ContentFile(result.poster_jpeg), save=False)
        stored.append(media.poster.name)
        with destination.open("rb") as public:
            media.public.save("public.mp4", File(public), save=False)
        stored.append(media.public.name)
    except BaseException:
        for name in stored:
            media.public.storage.delete(name)
        raise
    # Conditional update: a second worker that got here first has already published its own variants.
    updated = Media.objects.filter(pk=media.pk, status=Media.Status.PENDING).update(
        public=media.public.name,
        poster=media.poster.name,
        width=result.width,
        height=result.height,
        duration=result.duration,
        blur_boxes=_boxes(result.poster_regions, result.width, result.height),
        error="",
        status=Media.Status.READY,
        # Only the poster is blurred: faces and plates move through the frames, and the cascades are too slow and
        # too unreliable to blur every frame. A person looks at each video before the public sees it.
        withheld=True,
    )
    if not updated:
        for name in stored:
            media.public.storage.delete(name)
    else:
        # The case's public page counts the video as waiting for the centre instead of being processed.
        schedule_case_page_refresh(media.case_id)
    media.refresh_from_db()
    return media


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _read(file, start, length):
    try:
        file.seek(start)
        while length > 0:
            chunk = file.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        file.close()


def ranged_file_response(request, field_file, content_type):
    """The file, or the one byte range the request asks for (206), as players need to seek; a range past the end
    is answered 416. Several ranges, or an If-Range we cannot check, get the whole file (RFC 9110 allows it)."""
    size = field_file.size
    match = RANGE.match(request.headers.get("Range", "").strip())
    if not match or "If-Range" in request.headers or match.groups() == ("", ""):
        response = FileResponse(field_file.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    length = end - start + 1
    response = StreamingHttpResponse(_read(field_file.open("rb"), start, length), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    return response
