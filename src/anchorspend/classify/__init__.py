"""Supplier classification: lookups, matching, precedence and conflicts.

Matching works on *distinct suppliers* (one row per distinct combination of name and
identifiers in the exports), never on transactions: each distinct name is normalised once.
For each lookup, a supplier is matched by the first of these that finds an entry: company
number, charity number, VAT number, supplier id (all normalised), then the normalised name.

Precedence, documented in the README: lookups in the order given (the first ``--lookup`` wins),
then the flags published in the export itself. Where the sources disagree about a supplier the
disagreement is a *conflict*: listed in the report and in ``conflicts.csv``, never hidden, and
the value used is the one with precedence.

Where each part lives:

- ``lookup``: reading a lookup file into entries (``Lookup``, ``load_lookup``);
- ``duplicates``: one entry per key, names shared by two organisations, other names of an entry;
- ``resolve``: matching suppliers against lookups and choosing each attribute (``classify``);
- ``cic``: a community interest company known by its name;
- ``conflicts``: sources that disagree, and the name a supplier is shown by;
- ``fields``: the keys, attributes and labels the others share.
"""
