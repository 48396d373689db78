"""The one Vietnamese number reader: `1.692` is 1692, `78,52` is 78.52, `7.482,6` is 7482.6."""

from __future__ import annotations

import re

# A number as written in Vietnamese text: thousands grouped by '.', decimals after ','.
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"


def read_number(text: str) -> float | None:
    """The value of one written number, or None when `text` is not one.

    A '.' followed by exactly three digits groups thousands; a ',' starts decimals.
    A lone '.' followed by other than three digits is read as a decimal point
    (English-style figures slip into OCR output).
    """
    s = text.strip().replace(" ", "")
    if not s or not re.fullmatch(r"[\d.,]+", s) or not s[0].isdigit():
        return None
    if "," in s:
        whole, _, frac = s.partition(",")
        if "," in frac or "." in frac:
            return None
        if "." in whole and not re.fullmatch(r"\d{1,3}(?:\.\d{3})+", whole):
            return None
        return float(whole.replace(".", "") + "." + frac) if frac else None
    if "." in s:
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s):
            return float(s.replace(".", ""))
        if s.count(".") == 1 and not s.endswith("."):
            return float(s)
        return None
    return float(s)
