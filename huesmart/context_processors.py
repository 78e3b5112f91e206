from django.conf import settings


def platform(request):
    """What every page needs to know about the city and the person looking at it."""
    from agencies.selectors import agency_of
    from reports.permissions import is_operator

    user = request.user
    return {
        "CITY_NAME": settings.CITY_NAME,
        # Scripts show times on the city's clock, not the phone's (static/js/report-form.js, my-reports.js).
        "TIME_ZONE": settings.TIME_ZONE,
        # An empty tile URL (tests, offline installs) means maps show the pin without a background.
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "MEDIA_MAX_FILES": settings.MEDIA_MAX_FILES,
        "MEDIA_MAX_PHOTO_BYTES": settings.MEDIA_MAX_PHOTO_BYTES,
        "MEDIA_MAX_VIDEO_BYTES": settings.MEDIA_MAX_VIDEO_BYTES,
        "MEDIA_MAX_VIDEO_MINUTES": max(1, settings.MEDIA_MAX_VIDEO_SECONDS // 60),
        "is_operator": user.is_authenticated and is_operator(user),
        "staff_agency": agency_of(user) if user.is_authenticated else None,
    }
