"""The transparency site: figures, map, open data and feeds. Everything here is public and holds no personal data."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huesmart.ratelimit import unless_cache_down
from reports import clock, praise_selectors
from reports.selectors import public_cases

from . import exports, mapdata, stats
from .forms import TransparencyFilterForm

HOME_CACHE_SECONDS = 60
MAP_LIST_SIZE = 50


def _home_figures():
    now = clock.now()
    months = stats.monthly(now)
    return {
        "tiles": stats.tiles(now),
        "months": months,
        "chart": stats.month_chart(months),
        "agencies": stats.agency_rows(),
        "categories": stats.category_rows(),
        "wards": stats.ward_rows(),
        "checkpoint": stats.latest_checkpoint(),
        # Good deeds and thanks: counted apart from the figures, which count problems only.
        "praise": {
            "counts": praise_selectors.counts(),
            "latest": list(praise_selectors.published()[: praise_selectors.LATEST]),
        },
    }


def home_figures():
    """The home page's figures, computed at most once a minute per language (names in the tables follow it)."""
    # The version changes with the shape of what is cached, so a deploy never reads another release's objects.
    key = f"transparency:home:v3:{get_language()}"
    # With the cache down the page is computed for each reader (a few rollup rows): slower, never an error.
    figures = unless_cache_down(lambda: cache.get(key), what="Transparency figures")
    if figures is None:
        figures = _home_figures()
        unless_cache_down(lambda: cache.set(key, figures, HOME_CACHE_SECONDS), what="Transparency figures")
    return figures


def _tile_links(since):
    """The public case list filtered as each tile counts."""
    base = reverse("reports:case_list")
    links = {"all": {}, "month": {}}
    for name in stats.FIGURES:
        # "received" too: the figures count problems only, the list without a figure good deeds and thanks as well.
        query = {"figure": name}
        links["all"][name] = f"{base}?{urlencode(query)}"
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
    filters = TransparencyFilterForm(request.GET)
    data = mapdata.map_data(filters.filter(public_cases()), box, filters.cell_filter())
    response = JsonResponse(data)
    response["Cache-Control"] = "public, max-age=30"
    return response


@require_GET
def data_page(request):
    files = {}
    for name in exports.DAILY_FILES:
        found = exports.daily_file(name)
        files[name.rsplit(".", 1)[1]] = {
            "url": reverse("transparency:daily_file", args=[name]),
            "written_at": found[1] if found else None,
        }
    context = {"files": files, "columns": exports.COLUMNS}
    return render(request, "transparency/data.html", context)


@require_GET
def cases_csv(request):
    return exports.daily_file_response("cases.csv")


@require_GET
def cases_geojson(request):
    return exports.daily_file_response("cases.geojson")


@require_GET
def daily_file(request, name):
    return exports.daily_file_response(name)
