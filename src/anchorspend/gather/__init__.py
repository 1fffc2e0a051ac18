"""Gathering a run's spend: every input read (:mod:`anchorspend.ingest`), the rules that look
across inputs applied (organisation renames, duplicates across files), and the analysed rows
split into spend (:mod:`anchorspend.spend`) as they are read.

``options`` holds the run's options (``RunConfig``); ``inputs.ingest`` reads them into an
``ingested.Ingested``, one ``source.Gather``-ed source at a time (batch by batch, or
``streamed`` in two whole-file plans); ``duplicates`` is the duplicates rule.
"""
