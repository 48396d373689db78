"""Vietnamese letters and syllables: folding diacritics, tones, case, syllable shape.

The one place that knows Vietnamese orthography; restoration, search and extraction
all fold and compare text through it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters carrying one of the five marked tones, grouped by base vowel (index = tone 1..5:
# huyền, hỏi, ngã, sắc, nặng).
TONE_ROWS = {
    "a": "àảãáạ",
    "ă": "ằẳẵắặ",
    "â": "ầẩẫấậ",
    "e": "èẻẽéẹ",
    "ê": "ềểễếệ",
    "i": "ìỉĩíị",
    "o": "òỏõóọ",
    "ô": "ồổỗốộ",
    "ơ": "ờởỡớợ",
    "u": "ùủũúụ",
    "ư": "ừửữứự",
    "y": "ỳỷỹýỵ",
}
_UNTONE: dict[str, tuple[str, int]] = {}
for _base, _row in TONE_ROWS.items():
    _UNTONE[_base] = (_base, 0)
    for _i, _ch in enumerate(_row, start=1):
        _UNTONE[_ch] = (_base, _i)


VIETNAMESE_ONLY = frozenset(ch for ch in _UNTONE if ch not in "aeiouy") | {"đ"}

_ONSETS = (
    "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x|f|j|w|z"  # f j w z: loans
)
_SYLLABLE = re.compile(
    rf"^(?:{_ONSETS})?"
    r"(?:oa|oă|oe|uâ|uê|uơ|uy|ươ|iê|yê|ưa|ia|ua|ưu|ai|ao|au|âu|ay|ây|eo|êu|ia|iu|oi|ôi|ơi|ui|ưi"
    r"|uôi|ươi|ươu|iêu|yêu|oai|oay|oeo|uây|uyê|uya|uôi|oo|uô|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y)"
    r"(?:ch|ng|nh|c|m|n|p|t|i|o|u|y)?$"
)


def untone(ch: str) -> tuple[str, int]:
    """Split a lower-case letter into its toneless form and tone number (0 = none)."""
    return _UNTONE.get(ch, (ch, 0))


def _fold_table(*, lower: bool) -> dict[int, str]:
    """Each Latin letter with diacritics → its bare letter (đ → d), one character for one."""
    table: dict[int, str] = {}
    for cp in [*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        base = base.lower() if lower else base
        if base != ch:
            table[cp] = base
    table[ord("đ")] = "d"
    table[ord("Đ")] = "d" if lower else "D"
    if lower:
        table[ord("Ð")] = "d"  # Latin capital eth: an OCR stand-in for Đ in matching keys
    return table


_FOLD = _fold_table(lower=False)
_FOLD_KEY = _fold_table(lower=True)


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Text with every diacritic removed and đ → d: `Quảng Ngãi` → `Quang Ngai`."""
    return text.translate(_FOLD)


@lru_cache(maxsize=1 << 16)
def fold_key(text: str) -> str:
    """`fold` in lower case: the key rules match on. One character per character, so an
    offset into the key is the same offset into the text."""
    return text.translate(_FOLD_KEY)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def tone_of(syllable: str) -> int:
    """The tone number of a lower-case syllable (0 = ngang)."""
    for ch in syllable:
        t = untone(ch)[1]
        if t:
            return t
    return 0


def strip_tone(syllable: str) -> str:
    """The syllable with its tone mark removed but vowel shapes kept: `tiếng` → `tiêng`."""
    return "".join(untone(ch)[0] for ch in syllable)


@lru_cache(maxsize=100_000)
def is_syllable_shape(word: str) -> bool:
    """Whether a lower-case word has the shape of one Vietnamese syllable."""
    return bool(_SYLLABLE.match(strip_tone(word)))


def has_vietnamese_marks(text: str) -> bool:
    """Whether the text uses letters that only Vietnamese writing has (ư, ơ, đ, ạ …)."""
    return any(ch in VIETNAMESE_ONLY for ch in text.lower())


def apply_case(pattern: str, word: str) -> str:
    """`word` in the case of `pattern`: all capitals, a capital initial, or lower case."""
    letters = [ch for ch in pattern if ch.isalpha()]
    if not letters:
        return word
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return word.upper()
    if len(letters) > 2 and all(ch.isupper() for ch in letters[1:]):
        return word.upper()  # bMST: capitals after one misread letter
    if pattern[:1].isupper() or (not pattern[:1].isalpha() and letters[0].isupper()):
        return word[:1].upper() + word[1:]
    return word


_OLD_TONE_PLACE = re.compile(r"(?<![qQ])([oO])([àáảãạèéẻẽẹ])$|(?<![qQ])([uU])([ỳýỷỹỵ])$")


def modern_tone(word: str) -> str:
    """Tone mark placed in the modern style on open oa/oe/uy syllables: hoá → hóa, thuỷ → thủy."""

    def move(m: re.Match[str]) -> str:
        glide, toned = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        base, tone = untone(toned)
        row = TONE_ROWS[untone(glide.lower())[0]]
        marked = row[tone - 1]
        return (marked.upper() if glide.isupper() else marked) + base

    return _OLD_TONE_PLACE.sub(move, word)


_WORD_RUN = re.compile(r"\w+")


def normalize_spelling(text: str) -> str:
    """NFC with modern tone placement, the form every model and comparison uses."""
    return _WORD_RUN.sub(lambda m: modern_tone(m.group()), nfc(text))
