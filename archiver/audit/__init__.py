"""Periodic fixity audits of stored bags, with an append-only history of PREMIS-style events.

    from archiver.audit import audit_paths
    run = audit_paths([Path("store")], log=Path("audit-log"))
    run.ok, run.bags[0].outcome, run.bags[0].findings

Modules: discover (find bags), verify (one bag, read-only), schedule (rotation, budget,
sampling), events (the fixity-check event), history (the Parquet audit log), progress, run.
"""

from archiver.audit.history import BagHistory, bag_histories, default_log, read_events
from archiver.audit.model import FINDING_KINDS, AuditRun, BagAudit, Finding
from archiver.audit.run import audit_paths
from archiver.audit.verify import verify_bag

__all__ = ["FINDING_KINDS", "AuditRun", "BagAudit", "BagHistory", "Finding", "audit_paths", "bag_histories",
           "default_log", "read_events", "verify_bag"]
