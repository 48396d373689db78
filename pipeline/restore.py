"""Diacritic restoration: legacy or damaged OCR text back to correct Vietnamese.

Each word of a line gets candidate syllables (from the candidate index, scored by the
OCR channel model); a beam search over the syllable trigram model picks the most
likely sequence across the whole document, line breaks included, and each word is
written back in its original case with the rest of the line untouched.

Three kinds of input are told apart per document: legacy English-model OCR (`eng`),
text with its diacritics stripped (`stripped`) and Vietnamese-model OCR (`vie`), where
only words the language model finds very unlikely are changed.
"""

from __future__ import annotations

import gzip
import os
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pipeline.channel import CandidateIndex, CharChannel, token_readings
from pipeline.lm import BOS, SyllableLM
from pipeline.model import Document
from pipeline.tokens import Piece, is_break, lm_unit, split_line
from pipeline.vietnamese import apply_case, fold, strip_tone

VERSION = "1.0.0"
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "restore.pkl.gz"

Regime = Literal["eng", "stripped", "vie"]
# Keeping a word the lexicon does not know (a name, a foreign word) costs this much.
UNKNOWN_WORD_PENALTY = -4.0
# Candidates this far (natural log) below the best channel score are not worth a look.
CHANNEL_MARGIN = 14.0


@dataclass
class RestorationModel:
    """Everything restoration needs, trained by `pipeline.training.build`."""

    lm: SyllableLM
    index: CandidateIndex
    channel: CharChannel
    lm_weight: float = 1.0
    beam: int = 8
    max_candidates: int = 30
    meta: dict[str, str] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wb", compresslevel=6) as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def load(path: Path) -> RestorationModel:
        with gzip.open(path, "rb") as fh:
            model = pickle.load(fh)
        if not isinstance(model, RestorationModel):
            raise TypeError(f"{path} does not hold a restoration model")
        return model


@lru_cache(maxsize=1)
def default_model() -> RestorationModel:
    """The shipped model, or the one named by $VANTHU_RESTORE_MODEL (loaded once)."""
    return RestorationModel.load(Path(os.environ.get("VANTHU_RESTORE_MODEL") or MODEL_PATH))


def detect_regime(words: list[str]) -> Regime:
    """Tell English-model OCR, stripped text and Vietnamese-model OCR apart."""
    if not words:
        return "vie"
    vn = sum(1 for w in words if any(ch in _VIE_ONLY for ch in w.lower()))
    if vn / len(words) >= 0.08:
        return "vie"
    if all(w.isascii() and w.isalpha() for w in words):
        return "stripped"
    return "eng"


# Letters that English-model OCR never prints: their presence means a Vietnamese model.
_VIE_ONLY = frozenset("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉĩịọỏốồổỗộớờởỡợụủũứừửữựỳỷỹỵ")


@dataclass
class _Slot:
    """One word to decide: where it stands and the scored candidates it may be."""

    line: int
    piece: Piece
    candidates: list[tuple[str, float, int]]  # (lower-case word, channel logp, LM id)
    fixed: bool


class Restorer:
    """Restores lines with one model; caches candidate lists per token."""

    def __init__(self, model: RestorationModel) -> None:
        self.model = model
        self._cache: dict[tuple[Regime, str], tuple[list[tuple[str, float, int]], bool]] = {}

    def candidates(self, token: str, regime: Regime) -> tuple[list[tuple[str, float, int]], bool]:
        """Scored candidates for a token (with LM ids), and whether it is kept as printed."""
        key = (regime, token)
        found = self._cache.get(key)
        if found is None:
            scored, fixed = self._candidates(token, regime)
            lm = self.model.lm
            found = ([(w, c, lm.id(w)) for w, c in scored], fixed)
            self._cache[key] = found
        return found

    def _candidates(self, token: str, regime: Regime) -> tuple[list[tuple[str, float]], bool]:
        lower = token.lower()
        index = self.model.index
        if _mixed_case(token) or len(lower) > 12:
            return [(lower, 0.0)], True
        if regime == "stripped":
            words = index.by_fold.get(fold(lower), [])
            scored = [(w, 0.0) for w in words]
        elif regime == "vie":
            words = index.by_fold.get(fold(lower), [])
            if lower not in words:
                return [(lower, 0.0)], True
            scored = [(w, _vie_channel(lower, w)) for w in words]
        else:
            folds: set[str] = set()
            for reading in token_readings(self.model.channel, lower):
                folds |= index.folds_near(reading)
            channel = self.model.channel
            scored = [
                (w, channel.log_likelihood(lower, w)) for k in folds for w in index.by_fold[k]
            ]
            if lower.isascii() and lower.isalpha() and all(w != lower for w, _ in scored):
                scored.append((lower, channel.log_likelihood(lower, lower) + UNKNOWN_WORD_PENALTY))
        if not scored:
            return [(lower, 0.0)], True
        scored.sort(key=lambda c: -c[1])
        floor = scored[0][1] - CHANNEL_MARGIN
        return [c for c in scored[: self.model.max_candidates] if c[1] >= floor], False

    def restore_lines(self, lines: list[str]) -> list[str]:
        """Restored lines (same count), decoding the text as one stream."""
        pieces = [split_line(line) for line in lines]
        words = [p.text for ps in pieces for p in ps if p.kind == "word"]
        regime = detect_regime(words)
        out = list(lines)
        segment: list[_Slot | str] = []  # a slot to decide, or a fixed LM unit
        edits: dict[int, list[tuple[Piece, str]]] = {}

        def flush() -> None:
            for slot, word in self._decode(segment):
                if word != slot.piece.text.lower():
                    edits.setdefault(slot.line, []).append((slot.piece, word))
            segment.clear()

        for n, (line, ps) in enumerate(zip(lines, pieces, strict=True)):
            if not line.strip() or line.lstrip().startswith(("- ", "+ ")):
                flush()
            for p in ps:
                if is_break(p):
                    flush()
                elif p.kind == "word":
                    cands, fixed = self.candidates(p.text, regime)
                    segment.append(_Slot(n, p, cands, fixed))
                else:
                    unit = lm_unit(p)
                    if unit is not None:
                        segment.append(unit)
        flush()
        for n, changes in edits.items():
            out[n] = _apply(lines[n], changes)
        return out

    def _decode(self, segment: list[_Slot | str]) -> list[tuple[_Slot, str]]:
        """Beam search over one sentence; the chosen word for each slot."""
        lm, weight, width = self.model.lm, self.model.lm_weight, self.model.beam
        logp = lm.logp
        bos = lm.id(BOS)
        # A hypothesis: (score, previous id, current id, chosen words so far).
        beam: list[tuple[float, int, int, tuple[str, ...]]] = [(0.0, bos, bos, ())]
        slots = [s for s in segment if isinstance(s, _Slot)]
        for item in [*segment, BOS]:
            if isinstance(item, str):
                wid = lm.id(item)
                beam = [(s + weight * logp(a, b, wid), b, wid, ch) for s, a, b, ch in beam]
                continue
            options = item.candidates
            if len(options) == 1:
                word, chan, wid = options[0]
                beam = [
                    (s + chan + weight * logp(a, b, wid), b, wid, (*ch, word))
                    for s, a, b, ch in beam
                ]
                continue
            grown: dict[tuple[int, int], tuple[float, int, int, tuple[str, ...]]] = {}
            for s, a, b, ch in beam:
                for word, chan, wid in options:
                    score = s + chan + weight * logp(a, b, wid)
                    best = grown.get((b, wid))
                    if best is None or score > best[0]:
                        grown[(b, wid)] = (score, b, wid, (*ch, word))
            beam = sorted(grown.values(), key=lambda h: -h[0])[:width]
        best = max(beam, key=lambda h: h[0])
        return list(zip(slots, best[3], strict=True))


def _vie_channel(observed: str, candidate: str) -> float:
    """Vietnamese-model OCR is usually right: changing a word must be worth a lot."""
    if candidate == observed:
        return 0.0
    if strip_tone(candidate) == strip_tone(observed):
        return -9.0
    return -12.0


def _mixed_case(token: str) -> bool:
    letters = [ch for ch in token if ch.isalpha()]
    return any(ch.isupper() for ch in letters[1:]) and any(ch.islower() for ch in letters)


def _apply(line: str, changes: list[tuple[Piece, str]]) -> str:
    out = line
    for piece, word in sorted(changes, key=lambda c: -c[0].start):
        out = out[: piece.start] + apply_case(piece.text, word) + out[piece.end :]
    return out


@lru_cache(maxsize=1)
def default_restorer() -> Restorer:
    return Restorer(default_model())


def restore_lines(lines: list[str]) -> list[str]:
    """Restore lines with the shipped model; the number of lines is kept."""
    return default_restorer().restore_lines(lines)


def restore_line(text: str) -> str:
    """The restored form of one line."""
    return restore_lines([text])[0]


def restore_text(text: str) -> str:
    """Restore every line of a text; the number of lines is kept."""
    return "\n".join(restore_lines(text.split("\n")))


def restore_document(doc: Document) -> Document:
    """Restore each line's current text (the OCR text stays in `raw`); keep human edits."""
    lines = doc.lines
    restored = restore_lines([line.text for line in lines])
    for line, new in zip(lines, restored, strict=True):
        if not line.revised:
            line.text = new
    doc.stage_versions["restore"] = VERSION
    return doc
