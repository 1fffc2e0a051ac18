"""``anchorspend.toml`` → frozen dataclasses. Unknown keys are errors naming the nearest key."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from anchorspend.errors import AnchorspendError
from anchorspend.schemas import load as load_schema

_TOP = {
    "organisation",
    "organisations",
    "columns",
    "local",
    "geography",
    "targets",
    "exclude",
    "members",
    "compare",
    "payments",
    "addressable",
}
_EXCLUDE = {"name", "supplier", "expense_type", "supplier_id", "category", "description"}
_MEMBER = {"name", "files", "short_name", "type", "aliases", "identifiers"}
_GEOGRAPHY = {"store", "deprived_decile_max"}
_COMPARE = {"close_points", "min_coverage", "place"}
_PAYMENTS = {"commencement"}
COMMENCEMENT = date(2026, 1, 1)  # Procurement Act 2023 s.69 and reg 38 apply from this day
_ADDRESSABLE = {"exclude", "basis"}
PAYEE_KINDS = ("public", "tax", "pension", "individual", "market")
"""Every payee kind (see :mod:`anchorspend.payees`), in the order reports itemise them."""
SET_ASIDE = ("public", "tax", "pension")
"""The kinds left out of addressable spend unless ``[addressable] exclude`` names others."""
BASES = ("total", "addressable")
"""What a share is of: all spend, or addressable spend."""


@dataclass(frozen=True, slots=True)
class ExcludeRule:
    """Rows matching every pattern given (regexes, searched) are excluded under ``name``."""

    name: str
    patterns: dict[str, str]  # canonical field → regex


@dataclass(frozen=True, slots=True)
class Member:
    key: str
    name: str
    files: tuple[str, ...]
    short_name: str | None = None
    type: str | None = None
    aliases: tuple[str, ...] = ()  # other names the member is paid under in exports
    identifiers: tuple[str, ...] = ()  # its company, charity or VAT numbers


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None
    organisation: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    organisations: dict[str, str] = field(default_factory=dict)  # name in the export → name used
    local_tiers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    geography_store: str | None = None
    deprived_decile_max: int = 2
    targets: dict[str, float] = field(default_factory=dict)
    target_bases: dict[str, str] = field(default_factory=dict)  # measure → basis, if not total
    set_aside: tuple[str, ...] = SET_ASIDE  # payee kinds left out of addressable spend
    headline_basis: str = "total"  # the basis At a glance leads with ([addressable] basis)
    exclude: tuple[ExcludeRule, ...] = ()
    members: tuple[Member, ...] = ()
    close_points: float | None = None  # [compare]: a target missed by at most this is "close"
    min_coverage: float | None = None  # [compare]: members below this coverage are not ranked
    place: bool = False  # [compare]: the network's pooled figures net of flows between members
    # [payments]: the first day of the first payment reporting period
    commencement: date = COMMENCEMENT


def _unknown(keys: set[str], allowed: set[str], where: str, path: Path) -> None:
    for key in sorted(keys - allowed):
        near = difflib.get_close_matches(key, sorted(allowed), n=1)
        raise AnchorspendError(
            f"unknown key {key!r} in {where}",
            path=str(path),
            hint=f"did you mean {near[0]!r}?"
            if near
            else f"valid keys: {', '.join(sorted(allowed))}",
        )


def _table(value: Any, where: str, path: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AnchorspendError(f"{where} must be a table", path=str(path))
    return value


def _section(raw: dict[str, Any], name: str, allowed: set[str], path: Path) -> dict[str, Any]:
    """The table ``[name]`` (empty when the file has none), with no keys but ``allowed``."""
    table = _table(raw.get(name, {}), f"[{name}]", path)
    _unknown(set(table), allowed, f"[{name}]", path)
    return table


def load(path: Path) -> Config:
    """``path`` read and checked, one table at a time in the order below, so that a file with
    several mistakes is told of the first."""
    raw = _read(path)
    _unknown(set(raw), _TOP, "the config", path)
    columns = _columns(raw, path)
    commencement = _payments(raw, path)
    tiers = _local(raw, path)
    geo = _section(raw, "geography", _GEOGRAPHY, path)
    close_points, min_coverage, place = _compare(raw, path)
    targets, target_bases = _targets(raw, path)
    set_aside, headline = _addressable(raw, path)
    rules = _excludes(raw, path)
    members = _members(raw, path)
    renames = _organisations(raw, path)
    org = raw.get("organisation")
    return Config(
        path=path,
        organisation=str(org) if org else None,
        columns=columns,
        organisations=renames,
        local_tiers=tiers,
        geography_store=geo.get("store"),
        deprived_decile_max=int(geo.get("deprived_decile_max", 2)),
        targets=targets,
        target_bases=target_bases,
        set_aside=set_aside,
        headline_basis=headline,
        exclude=rules,
        members=members,
        close_points=close_points,
        min_coverage=min_coverage,
        place=place,
        commencement=commencement,
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AnchorspendError(
            "config file not found",
            path=str(path),
            hint="anchorspend init writes a starter anchorspend.toml",
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AnchorspendError(f"config is not valid TOML: {exc}", path=str(path)) from exc


def _columns(raw: dict[str, Any], path: Path) -> dict[str, str]:
    """``[columns]``: field → the export's column name. One table serves spend exports and
    payments exports (whose fields include spend's)."""
    known_fields = set(load_schema("spend").names) | set(load_schema("payments").names)
    columns = _section(raw, "columns", known_fields, path)
    return {str(k): str(v) for k, v in columns.items()}


def _payments(raw: dict[str, Any], path: Path) -> date:
    """``[payments] commencement``: the first day of the first payment reporting period."""
    payments = _section(raw, "payments", _PAYMENTS, path)
    commencement = payments.get("commencement", COMMENCEMENT)
    if isinstance(commencement, datetime) or not isinstance(commencement, date):
        raise AnchorspendError(
            f"[payments] commencement = {commencement!r}: a day, written as a TOML date",
            path=str(path),
            hint="commencement = 2026-01-01",
        )
    return commencement


def _local(raw: dict[str, Any], path: Path) -> dict[str, tuple[str, ...]]:
    """``[local.tiers]``: tier name → its local authority codes."""
    local = _section(raw, "local", {"tiers"}, path)
    tiers: dict[str, tuple[str, ...]] = {}
    for name, codes in _table(local.get("tiers", {}), "[local.tiers]", path).items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise AnchorspendError(
                f"[local.tiers] {name!r} must be a list of local authority codes",
                path=str(path),
                hint=f'"{name}" = ["E08000009"]',
            )
        tiers[name] = tuple(codes)
    return tiers


def _compare(raw: dict[str, Any], path: Path) -> tuple[float | None, float | None, bool]:
    """``[compare]``: (close_points, min_coverage, place)."""
    compare = _section(raw, "compare", _COMPARE, path)
    points = "percentage points between 0 and 100"
    close_points = _number(compare, "close_points", 100, points, 2, path)
    min_coverage = _number(compare, "min_coverage", 1, "a share between 0 and 1", 0.5, path)
    place = compare.get("place", False)
    if not isinstance(place, bool):
        raise AnchorspendError(
            f"[compare] place = {place!r}: true or false",
            path=str(path),
            hint="place = true (the network's pooled figures net of payments between members)",
        )
    return close_points, min_coverage, place


def _number(
    table: dict[str, Any], key: str, top: float, what: str, example: float, path: Path
) -> float | None:
    """``[compare]``'s ``key``: a number from 0 to ``top``, or None when it is not given."""
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= top:
        raise AnchorspendError(
            f"[compare] {key} = {value!r}: {what}", path=str(path), hint=f"{key} = {example}"
        )
    return float(value)


def _targets(raw: dict[str, Any], path: Path) -> tuple[dict[str, float], dict[str, str]]:
    """``[targets]``: (measure → share, measure → basis where the basis is not total)."""
    targets: dict[str, float] = {}
    target_bases: dict[str, str] = {}
    for measure, value in _table(raw.get("targets", {}), "[targets]", path).items():
        share, basis = _target(measure, value, path)
        targets[measure] = share
        if basis != "total":
            target_bases[measure] = basis
    return targets, target_bases


def _target(measure: str, value: Any, path: Path) -> tuple[float, str]:
    """A ``[targets]`` entry: a share, or ``{ share = 0.3, basis = "addressable" }``."""
    basis = "total"
    if isinstance(value, dict):
        _unknown(set(value), {"share", "basis"}, f"[targets] {measure}", path)
        basis = value.get("basis", "total")
        if basis not in BASES:
            raise AnchorspendError(
                f"[targets] {measure}: basis = {basis!r} is not one of " + ", ".join(BASES),
                path=str(path),
                hint=f'{measure} = {{ share = 0.30, basis = "addressable" }}',
            )
        value = value.get("share")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise AnchorspendError(
            f"[targets] {measure} = {value!r}: a target is a share between 0 and 1",
            path=str(path),
            hint=f'{measure} = 0.30, or {measure} = {{ share = 0.30, basis = "addressable" }}',
        )
    return float(value), basis


def _addressable(raw: dict[str, Any], path: Path) -> tuple[tuple[str, ...], str]:
    """``[addressable]``: (the payee kinds set aside, the basis At a glance leads with)."""
    addressable = _section(raw, "addressable", _ADDRESSABLE, path)
    set_aside = addressable.get("exclude", list(SET_ASIDE))
    if not isinstance(set_aside, list) or not all(
        k in PAYEE_KINDS and k != "market" for k in set_aside
    ):
        raise AnchorspendError(
            f"[addressable] exclude = {set_aside!r}: a list of payee kinds out of "
            + ", ".join(k for k in PAYEE_KINDS if k != "market"),
            path=str(path),
            hint='exclude = ["public", "tax", "pension", "individual"]',
        )
    headline = addressable.get("basis", "total")
    if headline not in BASES:
        raise AnchorspendError(
            f"[addressable] basis = {headline!r} is not one of " + ", ".join(BASES),
            path=str(path),
            hint='basis = "addressable" (At a glance leads with shares of addressable spend)',
        )
    return tuple(dict.fromkeys(set_aside)), headline


def _excludes(raw: dict[str, Any], path: Path) -> tuple[ExcludeRule, ...]:
    """``[[exclude]]``: the exclusion rules, in the file's order."""
    excludes = raw.get("exclude", [])
    if not isinstance(excludes, list):
        raise AnchorspendError("exclude must be an array of tables: [[exclude]]", path=str(path))
    return tuple(_exclude_rule(i, rule, path) for i, rule in enumerate(excludes, 1))


def _exclude_rule(i: int, value: Any, path: Path) -> ExcludeRule:
    """The ``i``th ``[[exclude]]`` table: a name and at least one valid regex."""
    rule = _table(value, f"[[exclude]] #{i}", path)
    _unknown(set(rule), _EXCLUDE, f"[[exclude]] #{i}", path)
    rule_name = rule.get("name")
    if not isinstance(rule_name, str) or not rule_name:
        raise AnchorspendError(
            f"[[exclude]] #{i} needs a name", path=str(path), hint='name = "tax-and-pensions"'
        )
    patterns = {
        ("supplier_name" if k == "supplier" else "purpose" if k == "description" else k): v
        for k, v in rule.items()
        if k != "name"
    }
    if not patterns:
        raise AnchorspendError(
            f"[[exclude]] {rule_name!r} has no pattern",
            path=str(path),
            hint='supplier = "(?i)^hmrc"',
        )
    for k, v in patterns.items():
        try:
            re.compile(v)
        except (re.error, TypeError) as exc:
            raise AnchorspendError(
                f"[[exclude]] {rule_name!r}: bad regex for {k}: {exc}", path=str(path)
            ) from None
    return ExcludeRule(rule_name, patterns)


def _members(raw: dict[str, Any], path: Path) -> tuple[Member, ...]:
    """``[members.<key>]``: the network's members, in the file's order."""
    members = []
    for key, value in _table(raw.get("members", {}), "[members]", path).items():
        m = _table(value, f"[members.{key}]", path)
        _unknown(set(m), _MEMBER, f"[members.{key}]", path)
        aliases = _strings(m.get("aliases", []), f"[members.{key}] aliases", path)
        identifiers = _strings(m.get("identifiers", []), f"[members.{key}] identifiers", path)
        members.append(
            Member(
                key,
                str(m.get("name", key)),
                tuple(m.get("files", [])),
                m.get("short_name"),
                m.get("type"),
                aliases,
                identifiers,
            )
        )
    return tuple(members)


def _strings(value: Any, where: str, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise AnchorspendError(
            f"{where} must be a list of names or numbers, as text",
            path=str(path),
            hint='aliases = ["Trafford Metropolitan Borough Council"]',
        )
    return tuple(v.strip() for v in value)


def _organisations(raw: dict[str, Any], path: Path) -> dict[str, str]:
    """``[organisations]``: an organisation's name in the exports → the name to use."""
    renames = _table(raw.get("organisations", {}), "[organisations]", path)
    for published, used in renames.items():
        if not isinstance(used, str) or not used.strip():
            raise AnchorspendError(
                f"[organisations] {published!r} must name the organisation to use",
                path=str(path),
                hint=f'"{published}" = "Cabinet Office"',
            )
    return {str(k): str(v).strip() for k, v in renames.items()}
