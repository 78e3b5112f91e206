"""The transparency site: figures, map, open data and feeds. Everything here is public and holds no personal data."""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reports import clock
from reports.selectors import public_cases

from . import exports, mapdata, stats
from .forms import TransparencyFilterForm

HOME_CACHE_SECONDS = 60
MAP_LIST_SIZE = 50


def _home_figures():
    now = clock.now()
    cases = public_cases()
    tiles = stats.tiles(cases, now)
    months = stats.monthly(cases, now)
    return {
        "tiles": tiles,
        "months": months,
        "chart": stats.month_chart(months),
        "agencies": stats.agency_rows(now),
        "categories": stats.category_rows(cases, now),
        "wards": stats.ward_rows(cases, now),
        "checkpoint": stats.latest_checkpoint(),
    }


def home_figures():
    """The home page's figures, computed at most once a minute per language (names in the tables follow it)."""
    key = f"transparency:home:{get_language()}"
    figures = cache.get(key)
    if figures is None:
        figures = _home_figures()
        cache.set(key, figures, HOME_CACHE_SECONDS)
    return figures


def _tile_links(since):
    """The public case list filtered as each tile counts."""
    base = reverse("reports:case_list")
    links = {"all": {}, "month": {}}
    for name in stats.FIGURES:
        query = {} if name == "received" else {"figure": name}
        links["all"][name] = f"{base}?{urlencode(query)}" if query else base
        links["month"][name] = f"{base}?{urlencode({**query, 'since': since.date().isoformat()})}"
    return links


def _csv_response(filename, columns, records):
    response = StreamingHttpResponse(exports.csv_lines(records, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _agency_csv(rows):
    columns = (
        "agency_code",
        "agency_name",
        "received",
        "handled",
        "on_time_percent",
        "median_days_to_resolve",
        "overdue_now",
        "reopened_after_poor_rating",
        "satisfaction",
    )
    records = []
    for row in rows:
        f = row["figures"]
        median = f.median_to_resolve
        records.append(
            {
                "agency_code": f.agency.code,
                "agency_name": f.agency.name,
                "received": f.received,
                "handled": f.handled,
                "on_time_percent": f.on_time_percent,
                "median_days_to_resolve": None if median is None else round(median.total_seconds() / 86400, 2),
                "overdue_now": f.overdue_now,
                "reopened_after_poor_rating": f.reopened_after_poor_rating,
                "satisfaction": row["satisfaction"],
            }
        )
    return _csv_response("agencies.csv", columns, records)


def _category_csv(rows):
    columns = (
        "category_code",
        "category_name_vi",
        "category_name_en",
        *stats.FIGURES,
        "on_time_percent",
        "satisfaction",
    )
    records = [
        {
            "category_code": r["category__code"],
            "category_name_vi": r["category__name_vi"],
            "category_name_en": r["category__name_en"],
            **{name: r[name] for name in columns[3:]},
        }
        for r in rows
    ]
    return _csv_response("categories.csv", columns, records)


def _ward_csv(rows):
    columns = ("ward_code", "ward_name_vi", "ward_name_en", *stats.FIGURES)
    records = [
        {
            "ward_code": r["code"],
            "ward_name_vi": r["name_vi"],
            "ward_name_en": r["name_en"],
            **{name: r[name] for name in stats.FIGURES},
        }
        for r in rows
    ]
    return _csv_response("wards.csv", columns, records)


def _months_csv(months):
    columns = ("month", "received", "handled")
    records = [{"month": m.start.strftime("%Y-%m"), "received": m.received, "handled": m.handled} for m in months]
    return _csv_response("months.csv", columns, records)


CSV_TABLES = {
    "agencies": lambda figures: _agency_csv(figures["agencies"]),
    "categories": lambda figures: _category_csv(figures["categories"]),
    "wards": lambda figures: _ward_csv(figures["wards"]),
    "months": lambda figures: _months_csv(figures["months"]),
    "tiles": lambda figures: _csv_response(
        "figures.csv",
        ("period", *stats.FIGURES),
        [{"period": period, **figures["tiles"][period]} for period in ("all", "month")],
    ),
}


@require_GET
def home(request):
    figures = home_figures()
    if request.GET.get("format") == "csv":
        table = CSV_TABLES.get(request.GET.get("table", ""))
        if table is None:
            return HttpResponse(
                _("Name a table: %(tables)s.") % {"tables": ", ".join(CSV_TABLES)},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return table(figures)
    context = {**figures, "tile_links": _tile_links(figures["tiles"]["since"]), "figure_names": stats.FIGURES}
    return render(request, "transparency/home.html", context)


@require_GET
def map_page(request):
    context = {"filters": TransparencyFilterForm(request.GET), "city_center": settings.CITY_CENTER}
    return render(request, "transparency/map.html", context)


@require_GET
def map_json(request):
    try:
        box = mapdata.parse_bbox(request.GET.get("bbox"))
    except mapdata.BadBox as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    cases, ward = TransparencyFilterForm(request.GET).filter(public_cases())
    data = mapdata.map_data(cases, box, ward)
    response = JsonResponse(data)
    response["Cache-Control"] = "public, max-age=30"
    return response


@require_GET
def data_page(request):
    files = {}
    for name in exports.DAILY_FILES:
        found = exports.daily_file(name)
        files[name.rsplit(".", 1)[1]] = {
            "url": reverse("transparency:daily_file", args=[name]) if found else None,
            "modified": found[1] if found else None,
        }
    context = {"files": files, "columns": exports.COLUMNS}
    return render(request, "transparency/data.html", context)


@require_GET
def cases_csv(request):
    response = StreamingHttpResponse(exports.case_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response


@require_GET
def cases_geojson(request):
    response = StreamingHttpResponse(exports.case_geojson(), content_type="application/geo+json")
    response["Content-Disposition"] = 'attachment; filename="cases.geojson"'
    return response


@require_GET
def daily_file(request, name):
    found = exports.daily_file(name)
    if found is None:
        raise Http404("No daily file yet.")
    path, modified = found
    stamp = (modified or datetime.datetime.now(datetime.UTC)).date().isoformat()
    stem, extension = name.rsplit(".", 1)
    return FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=f"{stem}-{stamp}.{extension}",
        content_type=exports.DAILY_FILES[name],
    )
