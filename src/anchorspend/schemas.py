"""The bundled Frictionless Table Schemas (``data/schemas/*.schema.json``).

They are the single source of the canonical field list, which fields are required, their types,
and the published header spellings (``anchorspend:aliases``) that map onto each field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from anchorspend.errors import AnchorspendError


def schema_dir() -> Path:
    """Where the schemas live: inside the installed wheel, or in the source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_schemas", here.parents[1] / "data" / "schemas"):
        if candidate.is_dir():
            return candidate
    raise AnchorspendError("bundled schemas not found; the installation is incomplete")


def available() -> list[str]:
    return sorted(p.name.removesuffix(".schema.json") for p in schema_dir().glob("*.schema.json"))


_KEY_RE = re.compile(r"[^0-9a-z]+")


def header_key(text: str) -> str:
    """The form in which headers compare: no case, spaces or punctuation.

    ``Net Amount £`` becomes ``netamount``.

    A byte-order mark, even one decoded twice (``ï»¿``), is not part of a header.
    """
    text = text.replace("\ufeff", "").replace("ï»¿", "")
    return _KEY_RE.sub("", text.lower())


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: str
    required: bool
    title: str
    description: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    path: Path
    fields: tuple[FieldSpec, ...]
    missing_values: tuple[str, ...]
    raw: dict[str, Any]

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


def load_path(path: Path) -> Schema:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnchorspendError(f"cannot read schema: {exc}", path=str(path)) from exc
    fields = []
    for f in raw.get("fields", []):
        name = f["name"]
        aliases = tuple(f.get("anchorspend:aliases", [])) or (name,)
        fields.append(
            FieldSpec(
                name=name,
                type=f.get("type", "string"),
                required=bool(f.get("constraints", {}).get("required", False)),
                title=f.get("title", name),
                description=f.get("description", ""),
                aliases=aliases if name in aliases else (name, *aliases),
            )
        )
    return Schema(
        name=raw.get("name", path.stem),
        path=path,
        fields=tuple(fields),
        missing_values=tuple(raw.get("missingValues", [""])),
        raw=raw,
    )


@cache
def load(name: str) -> Schema:
    """A bundled schema by name (``spend``, ``suppliers``) or a path to a ``.json`` file."""
    path = Path(name)
    if name.endswith(".json") and path.is_file():
        return load_path(path)
    candidate = schema_dir() / f"{name}.schema.json"
    if not candidate.is_file():
        raise AnchorspendError(
            f"unknown schema {name!r}",
            hint=f"use one of: {', '.join(available())}, or a path to a .schema.json file",
        )
    return load_path(candidate)
