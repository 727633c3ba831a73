"""Capture web pages and everything they need into WARC 1.1 files in a collection.

    from archiver.capture import capture, CaptureOptions
    result = capture(["https://news.example/"], Path("coll"), CaptureOptions(depth=1))
"""

from archiver.capture.crawler import Progress, capture
from archiver.capture.options import CaptureOptions, CaptureResult

__all__ = ["capture", "CaptureOptions", "CaptureResult", "Progress"]
