"""Comparable forms of text: folded lines, agency keys, document-number keys."""

from __future__ import annotations

import re

from pipeline.agencies import normalize_agency
from pipeline.vietnamese import fold, nfc

_NON_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")


def folded(text: str) -> str:
    """Lower case without diacritics, đ → d: what line search matches against."""
    return fold(nfc(text)).lower()


def word_key(text: str) -> str:
    """Folded words separated by single spaces, punctuation dropped (`&` reads `và`)."""
    return _NON_WORD.sub(" ", folded(text.replace("&", " và "))).strip()


def agency_key(name: str) -> str:
    """One key for every spelling of an agency: `Sở KH&CN` ≡ `Sở Khoa học và Công nghệ`."""
    return word_key(normalize_agency(name))


def number_key(number: str) -> str:
    """A document number without case, diacritics or spaces: `12/2024/NĐ - CP` → `12/2024/ND-CP`."""
    return _SPACES.sub("", folded(number)).upper()


def storable(text: str) -> str:
    """Text every database accepts: undecodable bytes of a file name (lone surrogates) and
    NUL are written as backslash escapes."""
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    return data.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")
