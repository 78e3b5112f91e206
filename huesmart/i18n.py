"""Strings Django itself uses but its Vietnamese catalogue lacks. Declared here so that makemessages puts them in
locale/vi, where our translation completes Django's (LOCALE_PATHS come first). Nothing imports this module."""

from django.utils.translation import ngettext_lazy

# django.utils.timesince.TIME_STRINGS, shown on the staff pages as "3 days ago".
TIME_STRINGS = (
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
)
