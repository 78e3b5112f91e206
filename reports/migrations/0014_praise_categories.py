"""The two praise categories (Category.Kind.PRAISE): a good deed seen in the city, and thanks to an agency.

A category must name the agency kind that handles it. A praise case is never routed nor handled (verifying it
publishes it), so the kind is only a formality; it is the ward people's committee, the body that recognises good deeds
in its ward (the "Người tốt, việc tốt" movement), should the city one day want to route recognitions. It is created
with the code the demo city uses when no such kind exists yet. A category with one of these codes that already exists
(the demo's "good-deed" was a problem until now) becomes a praise category; its names are kept.
"""

from django.db import migrations

KIND = ("ward-committee", "Ủy ban nhân dân phường", "Ward People's Committee")
CATEGORIES = (
    (
        "good-deed",
        "Việc tốt",
        "Good deed",
        "Kể về một việc tốt bạn đã thấy trong thành phố: sau khi Trung tâm kiểm tra, việc tốt được đăng công khai.",
        "Tell the city about a good deed you saw: once the centre has checked it, it is published.",
    ),
    (
        "thanks",
        "Cảm ơn cơ quan",
        "Thanks to an agency",
        "Gửi lời cảm ơn đến một cơ quan đã làm tốt: sau khi Trung tâm kiểm tra, lời cảm ơn được đăng công khai.",
        "Thank an agency for good work: once the centre has checked it, your thanks is published.",
    ),
)


def create(apps, schema_editor):
    AgencyKind = apps.get_model("agencies", "AgencyKind")
    Category = apps.get_model("reports", "Category")
    code, name_vi, name_en = KIND
    kind, _created = AgencyKind.objects.get_or_create(code=code, defaults={"name_vi": name_vi, "name_en": name_en})
    for code, name_vi, name_en, description_vi, description_en in CATEGORIES:
        category, created = Category.objects.get_or_create(
            code=code,
            defaults={
                "name_vi": name_vi,
                "name_en": name_en,
                "description_vi": description_vi,
                "description_en": description_en,
                "agency_kind": kind,
                "kind": "praise",
            },
        )
        if not created:
            # Verified by a person, always (moderation), and never sent to an agency.
            category.kind = "praise"
            category.auto_assign = False
            category.auto_verify = False
            category.save(update_fields=["kind", "auto_assign", "auto_verify"])


def remove(apps, schema_editor):
    """Back to problems: the categories stay (cases may name them), as the demo's good-deed was before."""
    Category = apps.get_model("reports", "Category")
    codes = [code for code, *_rest in CATEGORIES]
    Category.objects.filter(code__in=codes).update(kind="problem")


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_routing_rules"),
        ("reports", "0013_subscriptions"),
    ]

    operations = [migrations.RunPython(create, remove)]
