"""Article metadata extraction: from captured HTML (or WARCs) to schema-validated article documents.

    from archiver.extract import extract_collection, extract_html, ExtractResult
"""

from archiver.extract.collection import ExtractResult, extract_collection
from archiver.extract.document import SCHEMA_ID, analyse_html, extract_html

__all__ = ["ExtractResult", "SCHEMA_ID", "analyse_html", "extract_collection", "extract_html"]
