"""The vocabulary of classification: the keys a supplier is matched by, in the order they are
tried, and the attributes and evidence a lookup entry gives."""

from __future__ import annotations

from anchorspend.ingest.fields import FLAG_FIELDS, ID_KEYS

MATCH_ORDER = (*ID_KEYS, "name_key")
EXPORT_SOURCE = "export"  # the source label of the flags published in the export itself
ATTRS = (*FLAG_FIELDS, "categories", "local_authority_code", "postcode", "payee_kind")
EVIDENCE = tuple(f"{f}_{part}" for f in FLAG_FIELDS for part in ("confidence", "evidence"))
UNSTATED = "not stated"  # a lookup that gives a flag without saying how sure it is
