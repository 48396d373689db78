"""Steps for executor tests, in a module light enough for a worker to import quickly."""

from __future__ import annotations

import os
import time


def nap(seconds: float) -> int:
    """Sleep, then say which process slept."""
    time.sleep(seconds)
    return os.getpid()


def crash(code: int) -> int:
    """End the process at once, as a crashing OCR engine would take its worker down."""
    os._exit(code)
