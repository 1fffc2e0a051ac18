"""Readers: every supported file becomes a :class:`~anchorspend.ingest.raw.RawTable`."""
