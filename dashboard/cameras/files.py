"""Camera stills served to the centre: typed by their content, never cached, never sniffed by the browser."""

from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control

from reports import sniffing
from reports.media import HEAD_BYTES, PHOTO_FORMATS


def private(response):
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


def image_response(field_file):
    if not field_file:
        raise Http404("No such file.")
    try:
        file = field_file.open("rb")
    except OSError:
        raise Http404("The file cannot be read.") from None
    fmt = sniffing.sniff(file.read(HEAD_BYTES))
    file.seek(0)
    if fmt not in PHOTO_FORMATS:
        file.close()
        raise Http404("Not a photo.")
    return private(FileResponse(file, content_type=PHOTO_FORMATS[fmt][0]))
