"""Which delimiter separates a text file's cells, and how wide its records are: sniffed from
the first records with the standard ``csv`` module (a bounded sample)."""

from __future__ import annotations

import csv
import io

SAMPLE_BYTES = 256 * 1024
SAMPLE_RECORDS = 60
CANDIDATE_DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "commas", "\t": "tabs", ";": "semicolons", "|": "bars"}


def sample_records(text: str, delimiter: str) -> list[list[str]]:
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and len(text) >= SAMPLE_BYTES - 4:
        lines = lines[:-1]  # the last line of a cut sample is partial
    reader = csv.reader(io.StringIO("".join(lines)), delimiter=delimiter)
    out: list[list[str]] = []
    try:
        for record in reader:
            out.append(record)
            if len(out) >= SAMPLE_RECORDS:
                break
    except csv.Error:
        pass  # a quote left open by the cut; what was read is enough for a sample
    return out


def sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter whose records have the most consistent width greater than one."""
    if suffix == ".tsv":
        return "\t"
    best, best_score = ",", -1.0
    for delim in CANDIDATE_DELIMITERS:
        widths = [len(r) for r in sample_records(text, delim) if any(c.strip() for c in r)]
        if not widths:
            continue
        common = max(set(widths), key=lambda w: (widths.count(w), w))
        if common < 2:
            continue
        score = widths.count(common) * common
        if score > best_score:
            best, best_score = delim, score
    return best
