"""A bag's audit as a PREMIS-style fixity-check event, validated before anyone writes it.

PREMIS 3 semantic units used: eventIdentifier, eventType (LoC vocabulary "fixity check"),
eventDateTime, eventOutcomeInformation (outcome + detail), linkingAgentIdentifier (the software),
linkingObjectIdentifier (the bag). The JSON shape is schemas/audit-event.schema.json.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from archiver import __version__
from archiver.audit.model import BagAudit
from archiver.errors import ArchiverError
from archiver.schemas import validate_document

SCHEMA_ID = "urn:archiver:schema:audit-event:1.0.0"
# Library of Congress preservation event types: https://id.loc.gov/vocabulary/preservation/eventType
FIXITY_CHECK = {"label": "fixity check", "uri": "http://id.loc.gov/vocabulary/preservation/eventType/fix"}


def utc_now() -> str:
    """An RFC 3339 UTC timestamp with microseconds (sortable as text)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fixity_event(audit: BagAudit, run_id: str) -> dict[str, Any]:
    """Build the event for *audit* and validate it against the audit-event schema.

    Raises ArchiverError if the event does not validate: a malformed event is never logged.
    """
    detail: dict[str, Any] = {
        "scope": audit.scope,
        "algorithms": list(audit.algorithms),
        "counts": {
            "payloadFiles": audit.payload_files,
            "filesChecked": audit.files_checked,
            "bytesChecked": audit.bytes_checked,
            "tagFilesChecked": audit.tag_files_checked,
            "findings": len(audit.findings),
        },
        "findings": [f.to_dict() for f in audit.findings],
    }
    if audit.sample is not None:
        detail["sample"] = dict(audit.sample)
    if audit.stopped_by:
        detail["stoppedBy"] = audit.stopped_by
    event = {
        "$schema": SCHEMA_ID,
        "eventIdentifier": {"eventIdentifierType": "UUID", "eventIdentifierValue": str(uuid.uuid4())},
        "eventType": dict(FIXITY_CHECK),
        "eventDateTime": audit.started,
        "eventEndDateTime": audit.ended,
        "runIdentifier": run_id,
        "eventOutcomeInformation": {"eventOutcome": audit.outcome, "eventOutcomeDetail": detail},
        "linkingAgent": {"agentType": "software", "agentName": "archiver", "agentVersion": __version__,
                         "agentRole": "executing program"},
        "linkingObject": {"bagPath": str(audit.path), "bagIdentifier": audit.identifier,
                          "payloadOxum": audit.payload_oxum},
    }
    violations = validate_document(event)
    if violations:
        raise ArchiverError(f"internal error: audit event for {audit.path} breaks its schema: "
                            f"{violations[0]}")
    return event
