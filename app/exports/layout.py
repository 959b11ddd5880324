"""Names inside a disclosure package, shared by the writer and the offline verifier."""

from __future__ import annotations

FORMAT = "likeness-disclosure/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "public_key.pem"
AUDIT_EXTRACT = "audit.jsonl"
INTERVIEW = "interview.json"
REPORT = "report.html"
