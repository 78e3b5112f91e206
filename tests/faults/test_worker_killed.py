"""A worker killed in the middle of publishing a photo: another takes the task over, and the photo is published
once, with one set of public files, whichever way the worker died."""

import os
import signal
from collections import Counter

import pytest
import requests
from django.db.models import Exists, OuterRef

from reports.models import CaseEvent, LedgerLeaf, Media
from tests.conftest import jpeg_bytes

from .conftest import FAULTS, wait_until

pytestmark = FAULTS

WORKER_SETTINGS = "tests.faults.worker_settings"
# A new pool process takes a requeued task at once; a new worker, once the broker's visibility timeout
# (8 s in tests/faults/worker_settings.py) gives the dead worker's message back.
PUBLISHED_SECONDS = 40


def files_under(folder):
    """Names of the files under a folder of the media root, as FileFields name them."""
    return {path.relative_to(folder.parent).as_posix() for path in folder.rglob("*") if path.is_file()}


def leaves_missing():
    leafed = LedgerLeaf.objects.filter(event=OuterRef("pk"))
    return CaseEvent.objects.filter(~Exists(leafed), is_public=True).count()


@pytest.mark.parametrize("killed", ["pool process", "whole worker"])
def test_a_photo_whose_worker_is_killed_mid_task_is_published_once_by_another(stack, category, tmp_path, killed):
    marks = tmp_path / "marks"
    marks.mkdir()
    hold = tmp_path / "hold"
    hold.touch()
    held = {"FAULTS_MARKS": str(marks), "FAULTS_HOLD": str(hold)}
    stack.redis()
    first = stack.worker(settings=WORKER_SETTINGS, **held)
    stack.relay()
    stack.web()

    response = requests.post(
        stack.web_url + "/api/v1/reports/",
        data={
            "description": "Cây đổ chắn đường",
            "latitude": "16.47",
            "longitude": "107.59",
            "category": category.code,
        },
        files={"media": ("photo.jpg", jpeg_bytes(size=(640, 480)), "image/jpeg")},
        timeout=30,
    )
    assert response.status_code == 201
    [mark] = wait_until(lambda: list(marks.iterdir()), 30, "the worker is saving the photo's public variant")
    held_pid = int(mark.name.split("-")[0])
    if killed == "pool process":
        # The worker's parent sees its pool process die and puts the message back (task_reject_on_worker_lost).
        os.kill(held_pid, signal.SIGKILL)
        hold.unlink()
    else:
        # Nothing is left to put it back: the broker does, once the message's visibility timeout passes.
        first.kill()
        hold.unlink()
        stack.worker(settings=WORKER_SETTINGS, **held)
    wait_until(
        lambda: Media.objects.get().status != Media.Status.PENDING and not leaves_missing(),
        PUBLISHED_SECONDS,
        "the photo is published and the ledger complete",
    )

    media = Media.objects.get()
    assert media.status == Media.Status.READY
    public = stack.media_root / "public"
    assert files_under(public) == {media.public.name, media.thumbnail.name}
    # The killed process began one save and never finished it; one other process made both variants, once.
    saves = Counter(int(path.name.split("-")[0]) for path in marks.iterdir())
    assert saves.pop(held_pid) == 1
    assert list(saves.values()) == [2]
    assert LedgerLeaf.objects.count() == CaseEvent.objects.filter(is_public=True).count()
