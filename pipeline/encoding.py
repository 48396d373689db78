"""Decoding text files: UTF-8/UTF-16 with or without BOM, and the legacy Vietnamese 8-bit
encodings TCVN3 (ABC, TCVN 5712:1993 VN3) and VNI-Windows, converted to Unicode.

Legacy text arrives either as raw bytes (not UTF-8) or as text an earlier tool already
decoded as Windows-1252/Latin-1 (`ViÖt Nam`, `Vieät Nam` inside a UTF-8 file); both are
read as a "byte view", one character per byte, and converted word by word. Detection is
conservative: enough words must show characters that only legacy text has inside words,
and converting them must give Vietnamese syllables. Binary data and text that is neither
UTF-8 nor a recognisable legacy encoding are refused with a one-line message.

The tables are written from the published charts, each checked against a second one:
TCVN3 against the VN3 repertoire of the VSCII article of Wikipedia (67 lower-case
letters, Ă Â Ê Ô Ơ Ư Đ and no-break space), the X11/glibc TCVN 5712 chart (VN1, which
agrees with VN3 on those codes) and the Vietnamese Unicode project's chart
(vietunicode.sourceforge.net/charset); VNI-Windows against that project's chart and the
Unicode/VNI/TCVN3 comparison table "Bảng đối chiếu encoding các bộ chữ hiện hành".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from pipeline.errors import InputFileError
from pipeline.vietnamese import VIETNAMESE_ONLY, is_syllable_shape

TCVN3 = "TCVN3 (ABC)"
VNI = "VNI"

# TCVN 5712:1993 VN3. Each toned letter is listed in the order huyền, hỏi, ngã, sắc, nặng
# with its five bytes; then the bare letters ă â ê ô ơ ư đ and the seven capitals VN3
# has. VN3 has no capitals with tone marks: documents get them from an all-capitals font
# that draws the lower-case codes as capitals (see `_tcvn3_capitals`).
_TCVN3_ROWS = {
    "àảãáạ": "b5 b6 b7 b8 b9",
    "ằẳẵắặ": "bb bc bd be c6",
    "ầẩẫấậ": "c7 c8 c9 ca cb",
    "èẻẽéẹ": "cc ce cf d0 d1",
    "ềểễếệ": "d2 d3 d4 d5 d6",
    "ìỉĩíị": "d7 d8 dc dd de",
    "òỏõóọ": "df e1 e2 e3 e4",
    "ồổỗốộ": "e5 e6 e7 e8 e9",
    "ờởỡớợ": "ea eb ec ed ee",
    "ùủũúụ": "ef f1 f2 f3 f4",
    "ừửữứự": "f5 f6 f7 f8 f9",
    "ỳỷỹýỵ": "fa fb fc fd fe",
    "ăâêôơưđ": "a8 a9 aa ab ac ad ae",
    "ĂÂÊÔƠƯĐ": "a1 a2 a3 a4 a5 a6 a7",
}
_TCVN3_TABLE = {
    byte: letter
    for letters, codes in _TCVN3_ROWS.items()
    for letter, byte in zip(letters, bytes.fromhex(codes), strict=True)
}

# VNI-Windows: a few precomposed letters, the rest a base letter followed by one mark
# byte (ơ and ư, themselves precomposed, take a tone mark byte too: ớ = F4 F9).
_VNI_LETTERS = dict(
    zip(bytes.fromhex("d1f1d4f4d6f6cceccdedd3f3c6e6d2f2ceee"), "ĐđƠơƯưÌìÍíĨĩỈỉỊịỴỵ", strict=True)
)
_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT = "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
_CIRCUMFLEX, _BREVE = "\u0302", "\u0306"
# Mark byte in its lower-case form (the upper-case form, used after capitals, is 0x20
# lower) → combining marks and the base letters it goes on.
_VNI_MARK_ROWS: dict[int, tuple[str, str]] = {
    0xF8: (_GRAVE, "aeouyơư"),
    0xFB: (_HOOK, "aeouyơư"),
    0xF5: (_TILDE, "aeouyơư"),
    0xF9: (_ACUTE, "aeouyơư"),
    0xEF: (_DOT, "aeouơư"),
    0xE2: (_CIRCUMFLEX, "aeo"),
    0xE0: (_CIRCUMFLEX + _GRAVE, "aeo"),
    0xE5: (_CIRCUMFLEX + _HOOK, "aeo"),
    0xE3: (_CIRCUMFLEX + _TILDE, "aeo"),
    0xE1: (_CIRCUMFLEX + _ACUTE, "aeo"),
    0xE4: (_CIRCUMFLEX + _DOT, "aeo"),
    0xEA: (_BREVE, "a"),
    0xE8: (_BREVE + _GRAVE, "a"),
    0xFA: (_BREVE + _HOOK, "a"),
    0xFC: (_BREVE + _TILDE, "a"),
    0xE9: (_BREVE + _ACUTE, "a"),
    0xEB: (_BREVE + _DOT, "a"),
}
_VNI_MARKS = {
    chr(code - shift): (marks, frozenset(bases + bases.upper()))
    for code, (marks, bases) in _VNI_MARK_ROWS.items()
    for shift in (0, 0x20)
}

# Characters that legacy text shows inside words when read as Windows-1252: TCVN3 puts
# letters on symbol and capital positions (hoµ, §éc, lËp), VNI appends Latin-1 letters
# as marks (Vieät, hoøa). Real text in Unicode rarely has them after a word's first letter.
_LEGACY_MARKS = {
    TCVN3: frozenset("µ¸¶·¹¨®©ª«¬§¦¥¤£¢¡¼½¾»ºÇÆÈÉÊËÌÎÏÐÑ×ØÞß"),
    VNI: frozenset("øäëöåïûõ"),
}
_WORD = re.compile(r"\S+")
_LETTERS = re.compile(r"[^\W\d_]+")
_VOWELS = VIETNAMESE_ONLY - {"đ"}
# Windows-1252 puts punctuation on 0x80-0x9F; the byte view holds those bytes as the
# C1 code points, which conversion turns back into the punctuation.
_CP1252_PUNCT = {
    b: bytes([b]).decode("cp1252")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_TO_BYTE_VIEW = {ord(ch): b for b, ch in _CP1252_PUNCT.items()}
_FROM_BYTE_VIEW = {b: ch for b, ch in _CP1252_PUNCT.items()}


def _in_byte_view(word: str) -> bool:
    """Whether every character of a word stands for one byte (no Unicode-only letters)."""
    return all(ord(ch) < 0x100 for ch in word)


def _tcvn3_word(word: str) -> str:
    return word.translate(_TCVN3_TABLE)


def _vni_word(word: str) -> str:
    out: list[str] = []
    for ch in word:
        mark = _VNI_MARKS.get(ch)
        if mark and out and out[-1] in mark[1]:
            out[-1] = unicodedata.normalize("NFC", out[-1] + mark[0])
        else:
            out.append(_VNI_LETTERS.get(ord(ch), ch))
    return "".join(out)


_CONVERT_WORD: dict[str, Callable[[str], str]] = {TCVN3: _tcvn3_word, VNI: _vni_word}


def _capitals_font_word(run: str) -> bool:
    """A letter run typed in an all-capitals TCVN3 font: it holds converted lower-case
    letters but no lower-case ASCII letter, and a capital after its first letter."""
    return (
        any(ch.islower() for ch in run if not ch.isascii())
        and not any(ch.islower() for ch in run if ch.isascii())
        and any(ch.isupper() for ch in run[1:])
    )


def _tcvn3_capitals(text: str) -> str:
    """Capitals for words written in an all-capitals TCVN3 font (`CéNG HOµ` → `CỘNG HOÀ`):
    the whole line when it has such a word and no lower-case ASCII letter, else the word."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not any(_capitals_font_word(run) for run in _LETTERS.findall(line)):
            continue
        if any(ch.isascii() and ch.islower() for ch in line):
            lines[i] = _LETTERS.sub(
                lambda m: m.group().upper() if _capitals_font_word(m.group()) else m.group(),
                line,
            )
        else:
            lines[i] = line.upper()
    return "\n".join(lines)


def legacy_encoding(text: str) -> str | None:
    """The legacy Vietnamese encoding the text (raw bytes read as Latin-1, or text read as
    Windows-1252) is in, or None.

    A candidate needs at least 3% of the words to show its marks after their first letter
    and convert into Vietnamese syllables, at least 80% of the marked words that convert
    into Vietnamese letters to be syllables, and more such words than words holding
    Unicode-only letters (real Unicode Vietnamese has ư, ơ, ạ … in most sentences).
    """
    words = _WORD.findall(text[:200_000].translate(_TO_BYTE_VIEW))
    if len(words) < 5:
        return None
    native = sum(1 for w in words if not _in_byte_view(w))
    best: tuple[int, str] | None = None
    for name, marks in _LEGACY_MARKS.items():
        checked = valid = 0
        for word in words:
            if not (_in_byte_view(word) and any(ch in marks for ch in word[1:])):
                continue
            runs = [
                run
                for run in _LETTERS.findall(_CONVERT_WORD[name](word).lower())
                if any(ch in _VOWELS for ch in run)
            ]
            if any(len(run) > 1 for run in runs):  # a lone letter proves little
                checked += 1
                valid += all(is_syllable_shape(run) for run in runs)
        convincing = valid >= 0.03 * len(words) and valid >= 0.8 * checked and valid > native
        if convincing and (best is None or valid > best[0]):
            best = (valid, name)
    return best[1] if best else None


def _convert_legacy(text: str, encoding: str) -> str:
    """Text in the byte view of a legacy encoding (`legacy_encoding`'s names) in Unicode NFC;
    words holding Unicode-only letters are kept as they are."""
    convert = _CONVERT_WORD[encoding]

    def word(m: re.Match[str]) -> str:
        return convert(m.group()) if _in_byte_view(m.group()) else m.group()

    out = _WORD.sub(word, text.translate(_TO_BYTE_VIEW))
    if encoding == TCVN3:
        out = _tcvn3_capitals(out)
    return out.translate(_FROM_BYTE_VIEW)


def decode_text_with_note(data: bytes, name: str) -> tuple[str, str | None]:
    """Unicode text with `\\n` line ends, and a one-line note naming the file when it was
    converted from a legacy Vietnamese encoding; or a clear refusal naming the file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    elif b"\x00" in data[:4096]:
        raise InputFileError(name, "binary data, not text")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            text = data.decode("latin-1")  # one character per byte, for legacy_encoding
            if legacy_encoding(text) is None:
                raise InputFileError(
                    name, f"not UTF-8 text (undecodable byte at offset {err.start})"
                ) from None
    note = None
    legacy = legacy_encoding(text)
    if legacy:
        text = _convert_legacy(text, legacy)
        note = f"{name}: converted from the legacy {legacy} encoding"
    return text.replace("\r\n", "\n").replace("\r", "\n"), note
