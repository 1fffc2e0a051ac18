"""How a header's text names a canonical field: by one of the field's aliases (the schema's,
compared by :func:`~anchorspend.schemas.header_key`), by starting with one (``Payment Date
(dd/mm/yyyy)``), or, for a required field, by a word of the field (``Payment GL Date``)."""

from __future__ import annotations

from functools import cache

from anchorspend.ingest.content import header_words
from anchorspend.schemas import FieldSpec, Schema, header_key

MIN_PREFIX_ALIAS = 5  # shorter aliases ("ref", "date") are too loose to match as prefixes


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split(" "))


# Words that, in a header no alias knows, point at a required field. Weak evidence: a column is
# only taken for the field if its cells read as it too.
FIELD_WORDS: dict[str, frozenset[str]] = {
    "supplier_name": _words(
        "name supplier suppliers payee vendor creditor beneficiary contractor merchant "
        "recipient trader provider company nm"
    ),
    "payment_date": _words("date paid payment posted posting cleared gl dated dt pmt pymt"),
    "amount": _words(
        "amount value net gross total paid spend cost sum gbp £ expenditure price amt amnt val"
    ),
}
# An "… Amount"/"Net …" header that counts something other than the payment's pounds.
NOT_AMOUNT = _words("no number ref reference id code line vat tax qty quantity count units rate")
# A "… Name" or "Supplier …" header that says something other than who was paid.
NOT_SUPPLIER = _words(
    "account cost centre center department service directorate expense expenditure item file "
    "user card cardholder holder officer budget project scheme area team approver employee "
    "staff organisation body authority entity description type category group class status "
    "number no code id ref reference postcode address town city county country vat sector size"
)


def alias_index(schema: Schema) -> dict[str, tuple[str, int]]:
    """header key → (field, rank); a key listed under two fields goes to the first listed."""
    return _index_of(schema.fields)


@cache
def _index_of(fields: tuple[FieldSpec, ...]) -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}
    for spec in fields:
        for rank, alias in enumerate(spec.aliases):
            index.setdefault(header_key(alias), (spec.name, rank))
    return index


def prefixes(schema: Schema) -> tuple[tuple[str, str, int], ...]:
    """(alias key, field, rank) for the aliases long enough to match as a header's start."""
    return _prefixes_of(schema.fields)


@cache
def _prefixes_of(fields: tuple[FieldSpec, ...]) -> tuple[tuple[str, str, int], ...]:
    return tuple(
        (header_key(a), spec.name, rank)
        for spec in fields
        for rank, a in enumerate(spec.aliases)
        if len(header_key(a)) >= MIN_PREFIX_ALIAS
    )


def word_fields(header: str) -> set[str]:
    """The required fields a header's words point at (see :data:`FIELD_WORDS`)."""
    words = header_words(header)
    found = {f for f, w in FIELD_WORDS.items() if words & w}
    if "supplier_name" in found and words & NOT_SUPPLIER:
        found.discard("supplier_name")
    if "amount" in found and words & NOT_AMOUNT:
        found.discard("amount")
    return found


def starts_with(key: str, header: str, alias_key: str, fieldname: str) -> bool:
    """Whether a header (``key``: its :func:`header_key`) starts with an alias of
    ``fieldname`` and is more than it, unless its other words say it is something else
    (``Supplier Type``, ``Amount VAT``)."""
    return (
        key.startswith(alias_key)
        and key != alias_key
        and (fieldname not in FIELD_WORDS or fieldname in word_fields(header))
    )
