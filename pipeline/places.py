"""Places: Vietnamese administrative units named in text, checked against a gazetteer.

The gazetteer (provinces and wards after the 2025 reorganisation, and the provinces
before it) comes from the `vietnamadminunits` package and is read on first use only,
so that importing the pipeline stays fast.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pipeline.vietnamese import fold_key as fold
from pipeline.vietnamese import nfc

_UNIT = re.compile(
    r"(?<!\w)(?P<level>(?i:tỉnh|thành phố|tp\.?|xã|phường|đặc khu|huyện|quận|thị xã))"
    r"\s+(?P<name>[A-ZĐÀ-Ỹ][\w'’-]*(?:\s+[A-ZĐÀ-Ỹ][\w'’-]*){0,3})"
)


@dataclass(frozen=True)
class Place:
    start: int
    end: int
    text: str
    normalized: str


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(nfc(name)))


def _exact(name: str) -> str:
    return "=" + re.sub(r"[\W_]", "", nfc(name).lower())


@cache
def gazetteer() -> dict[str, str]:
    """Folded key of a place name (with and without its unit word) → its full name."""
    out: dict[str, str] = {}
    try:
        root = resources.files("vietnamadminunits").joinpath("data")
        new = json.loads(root.joinpath("parser_from_2025.json").read_text(encoding="utf-8"))
        legacy = json.loads(root.joinpath("parser_legacy.json").read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError):
        return out
    for table in (new, legacy):
        for prov in table.get("DICT_PROVINCE", {}).values():
            full, short = prov.get("province"), prov.get("provinceShort")
            if full and short:
                for key in (_exact(full), _exact(short), _key(full), _key(short)):
                    out.setdefault(key, full)
    for wards in new.get("DICT_PROVINCE_WARD_NO_ACCENTED", {}).values():
        for ward in wards.values():
            full = ward.get("ward")
            if full:
                out.setdefault(_exact(full), full)
                out.setdefault(_key(full), full)
    return out


def find_places(text: str) -> list[Place]:
    """Units named with their level word (`tỉnh Quảng Ngãi`, `Xã Ba Đông`) that exist."""
    text = nfc(text)
    table = None
    out = []
    for m in _UNIT.finditer(text):
        table = table if table is not None else gazetteer()
        words = m.group("name").split()
        # the longest run of capitalised words that the gazetteer knows
        for n in range(len(words), 0, -1):
            name = " ".join(words[:n])
            full = None
            for key in (f"{m.group('level')} {name}", name):
                full = full or table.get(_exact(key)) or table.get(_key(key))
            if full:
                end = m.start("name") + len(name)
                out.append(Place(m.start(), end, text[m.start() : end], full))
                break
    return out
