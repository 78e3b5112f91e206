"""Baselines for bench/web.py: views that do the least a request of each kind must do, measured beside the platform's
own views in the same run, through the same middleware, gunicorn workers and database.

Mounted under /bench/ only when settings.BENCH_BASELINES is true (HUESMART_BENCH_BASELINES=true), which nothing but
the benchmark sets: they take anonymous writes with no limit.

- bare: answers at once (GET, or a POST whose body is read and dropped);
- insert: one ORM insert (an anonymous Reporter, the first row a submission writes), in autocommit;
- sink: stores the uploaded file `media` of a multipart POST to the default storage, as it came.
"""

import uuid

from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from reports.models import Reporter

app_name = "bench"


# csrf_exempt as the public API views are (DRF exempts them): anonymous clients send no token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def bare(request):
    request.body  # noqa: B018 (read, as a view that parses it would)
    return HttpResponse(b"ok", content_type="text/plain")


@csrf_exempt
@require_http_methods(["POST"])
def insert(request):
    request.body  # noqa: B018
    reporter = Reporter.objects.create(language="vi")
    return JsonResponse({"id": reporter.pk}, status=201)


@csrf_exempt
@require_http_methods(["POST"])
def sink(request):
    upload = request.FILES.get("media")
    if upload is None:
        return HttpResponseBadRequest(b"a file named media is expected", content_type="text/plain")
    name = default_storage.save(f"bench/{uuid.uuid4().hex}.bin", upload)
    return JsonResponse({"name": name, "size": upload.size}, status=201)


urlpatterns = [
    path("bare/", bare, name="bare"),
    path("insert/", insert, name="insert"),
    path("sink/", sink, name="sink"),
]
