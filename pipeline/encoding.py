"""Decoding text files: UTF-8/UTF-16 with or without BOM; binary data and the legacy
Vietnamese 8-bit encodings (TCVN3/ABC, VNI) are refused with a clear message."""

from __future__ import annotations

import re

from pipeline.errors import InputFileError

# Characters that TCVN3 (ABC) and VNI text shows when read as Windows-1252: TCVN3 puts
# Vietnamese letters on symbol positions (ViÖt, hoµ, §éc), VNI appends Latin-1 letters
# as tone and vowel marks (Vieät, hoøa). None of them occur inside Vietnamese words.
_LEGACY_MARKS = {
    "TCVN3 (ABC)": frozenset("µ¸¶·¹¨®©ª«¬§¦¥¤£¢¡¼½¾»ºÇÆÈÉÊËÌÎÏÐÑ×ØÞß"),
    "VNI": frozenset("øäëöåïûÿõ"),
}
_WORD = re.compile(r"\S+")


def legacy_encoding(text: str) -> str | None:
    """The legacy Vietnamese encoding the text looks like, when at least 3% of words show it."""
    words = _WORD.findall(text[:200_000])
    if len(words) < 5:
        return None
    for name, marks in _LEGACY_MARKS.items():
        hits = sum(1 for w in words if any(ch in marks for ch in w[1:]))
        if hits / len(words) >= 0.03:
            return name
    return None


def decode_text(data: bytes, name: str) -> str:
    """Unicode text with `\\n` line ends, or a clear refusal naming the file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data[:4096]:
            raise InputFileError(name, "binary data, not text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            legacy = legacy_encoding(data.decode("cp1252", errors="replace"))
            if legacy:
                raise InputFileError(
                    name, f"text in the legacy {legacy} encoding; convert it to Unicode first"
                ) from None
            raise InputFileError(
                name, f"not UTF-8 text (undecodable byte at offset {err.start})"
            ) from None
    legacy = legacy_encoding(text)
    if legacy:
        raise InputFileError(
            name, f"text in the legacy {legacy} encoding; convert it to Unicode first"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")
