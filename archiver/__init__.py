"""archiver: capture news-article pages into WARC, describe, seal in BagIt and audit fixity."""

__version__ = "0.1.0"
SOFTWARE = f"archiver/{__version__}"
