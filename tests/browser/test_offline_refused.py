"""A report that waited on the phone and that the server then refuses: the citizen sees the server's reason, corrects
the report in the form with nothing lost, and sends it."""

import pytest
from django.utils import translation

from reports.forms import ReportForm
from reports.models import Case
from tests.browser.test_offline import compose, installed, small_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_waiting_report_refused_by_the_server_shows_why_and_can_be_corrected(
    phone, category, other_category, tmp_path
):
    installed(phone)
    phone.context.set_offline(True)
    phone.reload()
    compose(phone, category, "Quán bán giá gấp ba trên đường Nguyễn Huệ")
    phone.fill("#id_address", "12 Nguyễn Huệ")
    phone.set_input_files("#id_media_gallery", str(small_photo(tmp_path / "IMG_0004.jpg")))
    phone.wait_for_selector("#media-list li.upload-kept")
    phone.click("#submit-report")
    phone.wait_for_selector("#offline-queue-list li[data-state='waiting']")
    # While the phone was offline, the city stopped taking reports of that kind.
    category.is_active = False
    category.save()

    phone.context.set_offline(False)
    refused = phone.locator("#offline-queue-list li[data-state='refused']")
    refused.wait_for(timeout=20_000)
    # The server's own words, from its error summary, in the phone's language.
    with translation.override("vi"):
        reason = str(ReportForm().fields["category"].error_messages["invalid_choice"])
    assert refused.locator(".errorlist").inner_text() == reason
    assert Case.objects.count() == 0

    refused.get_by_role("button", name=phone.get_attribute("#offline-queue", "data-msg-edit")).click()
    phone.locator("#report-form").wait_for()
    assert phone.locator("#offline-queue-list li").count() == 0
    assert phone.input_value("#id_description") == "Quán bán giá gấp ba trên đường Nguyễn Huệ"
    assert phone.input_value("#id_address") == "12 Nguyễn Huệ"
    assert phone.input_value("#id_latitude") != ""
    assert phone.locator("#media-list li.upload-kept").count() == 1

    phone.select_option("#id_category", str(other_category.pk))
    phone.click("#submit-report")
    phone.wait_for_url("**/report/sent/**")
    case = Case.objects.get()
    assert case.category == other_category
    assert case.address == "12 Nguyễn Huệ"
    assert case.media.count() == 1
