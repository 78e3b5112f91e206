"""What every benchmark records about the machine it ran on, so a result can be read against its hardware."""

import platform
from pathlib import Path


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe(**versions):
    """Python, the platform and the CPU, plus the versions of what this benchmark measures."""
    return {"python": platform.python_version(), **versions, "platform": platform.platform(), "cpu": cpu_name()}
