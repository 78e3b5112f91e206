"""Media storage that holds a worker in the middle of publishing a photo, for a test to kill it there.

Every save of a public file (a photo's public variant or thumbnail, under public/) first leaves a mark, a file named
after the saving process's id in FAULTS_MARKS, then waits for as long as the file FAULTS_HOLD exists. Both are paths
the test gives the worker in its environment; without them this is plain FileSystemStorage.
"""

import os
import time
import uuid
from pathlib import Path

from django.core.files.storage import FileSystemStorage


class HeldStorage(FileSystemStorage):
    def _save(self, name, content):
        marks = os.environ.get("FAULTS_MARKS")
        if marks and name.startswith("public/"):
            Path(marks, f"{os.getpid()}-{uuid.uuid4().hex}").write_text(name)
            hold = Path(os.environ.get("FAULTS_HOLD", "/nonexistent"))
            while hold.exists():
                time.sleep(0.05)
        return super()._save(name, content)
