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
import math
import os
import pickle
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pipeline.channel import CandidateIndex, CharChannel, FoldBound, token_readings
from pipeline.lm import BOS, SyllableLM
from pipeline.model import Document, Line
from pipeline.tokens import NUM, Piece, is_break, lm_unit, split_line
from pipeline.vietnamese import apply_case, fold, is_syllable_shape, strip_tone

VERSION = "1.1.0"
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "restore.pkl.gz"

# "doubt": a word the Vietnamese OCR model itself was unsure of, in a "vie" document.
Regime = Literal["eng", "stripped", "vie", "doubt"]
# Keeping a word the lexicon does not know (a name, a foreign word) costs this much.
UNKNOWN_WORD_PENALTY = -4.0
# Candidates this far (natural log) below the best channel score are not worth a look.
CHANNEL_MARGIN = 14.0
# Hypotheses and rivals scoring this far (in log-probability) below the best are dropped.
BEAM_MARGIN = 8.0
# A changed word's confidence weighs it against this many rivals, the likeliest printed so.
CONFIDENCE_RIVALS = 8
# A number printed where a word stood (16 for lệ, 6 for ở) costs this much more than
# the channel says.
NUMBER_AS_WORD_PENALTY = -2.0
_MISREAD_NUMBER = re.compile(r"1?\d")
# Marks the engine prints inside a word it misread (b;io, phu:ong, Té)ng).
_STRAY_MARKS = frozenset(";:)(]|,")
# A long token whose best reading scores below SPLIT_BELOW is tried as two syllables run
# together; the split must beat the whole by SPLIT_GAIN (natural log).
SPLIT_MIN_LENGTH = 7
SPLIT_BELOW = -8.0
SPLIT_GAIN = 8.0
# Only the likeliest readings of a token are also looked up one edit away.
FUZZY_READINGS = 2


@dataclass
class RestorationModel:
    """Everything restoration needs, trained by `pipeline.training.build`."""

    lm: SyllableLM
    index: CandidateIndex
    channel: CharChannel
    lm_weight: float = 1.0
    beam: int = 12
    max_candidates: int = 30
    code_parts: dict[str, str] = field(default_factory=dict)  # folded → as printed (QĐ)
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
    joiner: str = ""  # written before the word: " " for the second half of a split token


class Restorer:
    """Restores lines with one model; caches candidate lists per token."""

    def __init__(self, model: RestorationModel) -> None:
        self.model = model
        self._cache: dict[tuple[Regime, str], tuple[list[tuple[str, float, int]], bool]] = {}
        self._priors: dict[str, float] = {}
        self._group_priors: dict[str, float] = {}
        self._bound = FoldBound(model.channel)
        self._code_letters = frozenset(model.code_parts.values())

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
        readings = token_readings(self.model.channel, token)
        if token[:1].isdigit() and (
            token[1:].isupper() or not any(r[:1].isalpha() for r in readings[:2])
        ):
            return [(lower, 0.0)], True  # 5G, 3D: a number with a unit, not a misread letter
        if _capitals(token) and not any(_is_syllable_fold(index, r) for r in readings[:4]):
            # UBND, TB, bMST: only a known abbreviation of the same letters may replace it.
            if regime in ("vie", "doubt") or token.upper() in self._code_letters:
                # Vietnamese-model OCR prints Đ as Đ, and the letters of a document code
                # (the CP of NĐ-CP broken over two lines) are printed as they stand.
                return [(lower, 0.0)], True
            stand_ins = _d_bar_readings(token) if regime == "eng" else []
            for reading in [*readings[:4], *stand_ins]:
                found = [w for w in index.by_fold.get(reading, []) if not is_syllable_shape(w)]
                if lower in found or not found:
                    continue
                return [(found[0], 0.0)], True
            return [(lower, 0.0)], True
        if _mixed_case(token) or len(lower) > 12:
            return [(lower, 0.0)], True
        if regime == "stripped":
            words = index.by_fold.get(fold(lower), [])
            scored = [(w, 0.0) for w in words]
        elif regime in ("vie", "doubt"):
            words = index.by_fold.get(fold(lower), [])
            if lower not in words:
                return [(lower, 0.0)], True
            scored = [(w, _vie_channel(lower, w, regime == "doubt")) for w in words]
        else:
            folds: set[str] = set()
            for i, reading in enumerate(readings):
                if i < FUZZY_READINGS:
                    folds |= index.folds_near(reading)
                elif reading in index.by_fold:
                    folds.add(reading)
            channel = self.model.channel
            scored = channel.top_candidates(
                token,
                {k: index.by_fold[k] for k in folds},
                channel.seen_as(lower),
                self._prior,
                self._group_prior,
                self._bound,
                self.model.max_candidates,
                CHANNEL_MARGIN,
            )
            printed_as_is = lower.isalpha() or (lower[:1].isdigit() and lower.isalnum())
            if lower.isascii() and printed_as_is and all(w != lower for w, _ in scored):
                scored.append((lower, channel.log_likelihood(token, lower) + UNKNOWN_WORD_PENALTY))
        if not scored:
            return [(lower, 0.0)], True
        floor = max(c for _, c in scored) - CHANNEL_MARGIN
        # The likeliest words by channel and unigram prior; ties broken by spelling, so the
        # output is the same on every run.
        scored.sort(key=lambda c: (-(c[1] + self._prior(c[0])), c[0]))
        kept = [c for c in scored if c[1] >= floor][: self.model.max_candidates]
        kept.sort(key=lambda c: (-c[1], c[0]))  # the decoder wants the best channel first
        return kept, False

    def _group_prior(self, key: str) -> float:
        """The best prior among the words spelled `key` without diacritics."""
        found = self._group_priors.get(key)
        if found is None:
            found = self._group_priors[key] = max(map(self._prior, self.model.index.by_fold[key]))
        return found

    def _prior(self, word: str) -> float:
        """How likely a word is before its context is seen: its weighted unigram logp."""
        found = self._priors.get(word)
        if found is None:
            lm = self.model.lm
            found = self._priors[word] = self.model.lm_weight * lm.unigram[lm.id(word)]
        return found

    def _slots(self, line: int, piece: Piece, regime: Regime) -> list[_Slot]:
        """One slot for a word, or two when OCR ran two syllables together (hiénrcéc)."""
        cands, fixed = self.candidates(piece.text, regime)
        whole = _Slot(line, piece, cands, fixed)
        text = piece.text
        if regime != "eng" or len(text) < SPLIT_MIN_LENGTH:
            return [whole]
        best_whole = -math.inf if fixed else cands[0][1]
        if best_whole > SPLIT_BELOW:
            return [whole]
        best: tuple[float, int] | None = None
        for i in range(2, len(text) - 1):
            left, lfixed = self.candidates(text[:i], regime)
            right, rfixed = self.candidates(text[i:], regime)
            if lfixed or rfixed:
                continue
            score = left[0][1] + right[0][1]
            if score > best_whole + SPLIT_GAIN and (best is None or score > best[0]):
                best = (score, i)
        if best is None:
            return [whole]
        i = best[1]
        head = Piece(piece.start, piece.start + i, text[:i], "word")
        tail = Piece(piece.start + i, piece.end, text[i:], "word")
        return [
            _Slot(line, head, self.candidates(head.text, regime)[0], False),
            _Slot(line, tail, self.candidates(tail.text, regime)[0], False, joiner=" "),
        ]

    def _number_slot(self, line: int, piece: Piece) -> _Slot:
        """A short number that may be a misread word (ty 16 for tỷ lệ, nhất 13 for nhất là):
        kept as a number unless the language model wants a word there much more."""
        number = (piece.text, 0.0, self.model.lm.id(NUM))
        words, fixed = self.candidates(piece.text, "eng")
        if fixed:
            return _Slot(line, piece, [number], True)
        misread = [(w, c + NUMBER_AS_WORD_PENALTY, i) for w, c, i in words if w != piece.text]
        return _Slot(line, piece, [number, *misread], False)

    def _join_broken_words(self, pieces: list[Piece]) -> list[Piece]:
        """Words the engine broke with a stray mark (b;io for báo, phu:ong for phương) made
        whole again when the joined letters read as a word: a mark between two letters with
        no space after it is not punctuation."""
        out: list[Piece] = []
        i = 0
        while i < len(pieces):
            a = pieces[i]
            if i + 2 < len(pieces):
                mark, b = pieces[i + 1], pieces[i + 2]
                joined = Piece(a.start, b.end, a.text + b.text, "word")
                if (
                    a.kind == b.kind == "word"
                    and mark.text in _STRAY_MARKS
                    and a.end == mark.start
                    and mark.end == b.start
                    and b.text[:1].islower()
                    and self._is_word(joined.text)
                ):
                    out.append(joined)
                    i += 3
                    continue
            out.append(a)
            i += 1
        return out

    def _is_word(self, token: str) -> bool:
        """Whether a printed token reads as some word well enough to be one on its own."""
        cands, fixed = self.candidates(token, "eng")
        return not fixed and len(token) > 1 and cands[0][1] > SPLIT_BELOW

    def restore_code(self, code: str) -> str:
        """A document number with its letter codes restored: 45/2020/Nb-CP → 45/2020/NĐ-CP."""
        parts = _CODE_PARTS.split(code)
        return "".join(self._code_part(p) if p.isalpha() else p for p in parts)

    def _code_part(self, part: str) -> str:
        known = self.model.code_parts
        if part in known.values() or len(part) < 2:
            return part
        for reading in token_readings(self.model.channel, part)[:6]:
            if reading in known:
                return known[reading]
        upper = part.upper()
        for canonical in known.values():
            if len(canonical) == len(upper) and all(
                k == u or (k == "Đ" and u in _D_STAND_INS)
                for k, u in zip(canonical, upper, strict=True)
            ):
                return canonical
        return part

    def restore_lines(self, lines: list[str]) -> list[str]:
        """Restored lines (same count), decoding the text as one stream."""
        return [_apply(line, edits) for line, edits in zip(lines, self.edits(lines), strict=True)]

    def edits(
        self, lines: list[str], doubtful: list[list[tuple[int, int]]] | None = None
    ) -> list[list[WordEdit]]:
        """For each line, the words restoration changes, with their confidence.

        `doubtful`: for each line, character spans of words the OCR engine was unsure of;
        in Vietnamese-model OCR they are easier to change than the others."""
        pieces = [split_line(line) for line in lines]
        words = [p.text for ps in pieces for p in ps if p.kind == "word"]
        regime = detect_regime(words)
        if regime == "eng":
            pieces = [self._join_broken_words(ps) for ps in pieces]
        segment: list[_Slot | str] = []  # a slot to decide, or a fixed LM unit
        edits: list[list[WordEdit]] = [[] for _ in lines]

        def flush() -> None:
            for slot, word, conf in self._decode(segment):
                if slot.joiner or word != slot.piece.text.lower():
                    edits[slot.line].append(WordEdit(slot.piece, slot.joiner + word, conf))
            segment.clear()

        for n, (line, ps) in enumerate(zip(lines, pieces, strict=True)):
            if not line.strip() or line.lstrip().startswith(("- ", "+ ")):
                flush()
            is_label, repair = _heading_label(ps)
            if is_label:
                flush()
                if repair is not None:
                    edits[n].append(repair)
                ps = ps[1:]
            for p in ps:
                if p.kind == "code" and p.text[:1].isdigit():  # a document number, not a URL
                    fixed_code = self.restore_code(p.text)
                    if fixed_code != p.text:
                        edits[n].append(WordEdit(p, fixed_code, 1.0))
                if is_break(p):
                    flush()
                elif p.kind == "word":
                    doubt = doubtful is not None and any(a <= p.start < b for a, b in doubtful[n])
                    segment.extend(
                        self._slots(n, p, "doubt" if doubt and regime == "vie" else regime)
                    )
                elif p.kind == "num" and regime == "eng" and _MISREAD_NUMBER.fullmatch(p.text):
                    segment.append(self._number_slot(n, p))
                else:
                    unit = lm_unit(p)
                    if unit is not None:
                        segment.append(unit)
        flush()
        return edits

    def _decode(self, segment: list[_Slot | str]) -> list[tuple[_Slot, str, float]]:
        """Beam search over one sentence: the chosen word for each slot, with its confidence
        when it differs from the printed word."""
        lm, weight, width = self.model.lm, self.model.lm_weight, self.model.beam
        logp = lm.logp
        size = len(lm.unigram)
        trigram, bigram, unigram = lm.trigram, lm.bigram, lm.unigram
        backoff2, backoff1 = lm.backoff2, lm.backoff1
        bos = lm.id(BOS)
        # A hypothesis: (score, previous id, current id, chosen candidate indices so far).
        beam: list[tuple[float, int, int, tuple[int, ...]]] = [(0.0, bos, bos, ())]
        items: list[_Slot | str] = [*segment, BOS]
        for item in items:
            if isinstance(item, str):
                wid = lm.id(item)
                beam = [(s + weight * logp(a, b, wid), b, wid, ch) for s, a, b, ch in beam]
                continue
            options = item.candidates
            if len(options) == 1:
                _, chan, wid = options[0]
                beam = [
                    (s + chan + weight * logp(a, b, wid), b, wid, (*ch, 0)) for s, a, b, ch in beam
                ]
                continue
            grown: dict[tuple[int, int], tuple[float, int, int, tuple[int, ...]]] = {}
            # A language-model log-probability is never above 0, so an option whose score
            # before it is under the best so far less the margin cannot make the beam.
            cutoff = -math.inf
            for s, a, b, ch in beam:
                # lm.logp(a, b, wid) inlined: this loop is where restoration spends its time.
                ctx = (a * size + b) * size
                bo2 = backoff2.get(a * size + b, 0.0)
                bctx = b * size
                bo1 = backoff1[b]
                for k, (_, chan, wid) in enumerate(options):
                    if s + chan < cutoff:
                        break  # options come best channel score first
                    lp = trigram.get(ctx + wid)
                    if lp is None:
                        lp2 = bigram.get(bctx + wid)
                        lp = bo2 + (lp2 if lp2 is not None else bo1 + unigram[wid])
                    score = s + chan + weight * lp
                    if score - BEAM_MARGIN > cutoff:
                        cutoff = score - BEAM_MARGIN
                    best = grown.get((b, wid))
                    if best is None or score > best[0]:
                        grown[(b, wid)] = (score, b, wid, (*ch, k))
            beam = sorted(grown.values(), key=lambda h: -h[0])[:width]
        chosen = iter(max(beam, key=lambda h: h[0])[3])
        ids = [bos, bos]
        picks: list[tuple[_Slot, int]] = []
        for item in items:
            if isinstance(item, str):
                ids.append(lm.id(item))
            else:
                k = next(chosen)
                picks.append((item, len(ids)))
                ids.append(item.candidates[k][2])
        ids += [bos, bos]
        out = []
        for slot, at in picks:
            word = next(w for w, _, i in slot.candidates if i == ids[at])
            unchanged = word == slot.piece.text.lower() and not slot.joiner
            out.append((slot, word, 1.0 if unchanged else self._confidence(slot, ids, at)))
        return out

    def _confidence(self, slot: _Slot, ids: list[int], at: int) -> float:
        """Posterior of the chosen word against its rivals, the neighbours held fixed."""
        if len(slot.candidates) == 1:
            return 1.0
        logp, weight = self.model.lm.logp, self.model.lm_weight
        a, b, chosen = ids[at - 2], ids[at - 1], ids[at]
        c, d = ids[at + 1], ids[at + 2]
        own = next(chan for _, chan, wid in slot.candidates if wid == chosen)
        rivals = [*slot.candidates[:CONFIDENCE_RIVALS], ("", own, chosen)]
        scores = {
            wid: chan + weight * (logp(a, b, wid) + logp(b, wid, c) + logp(wid, c, d))
            for _, chan, wid in rivals
            if chan > own - BEAM_MARGIN or wid == chosen
        }
        top = max(scores.values())
        total = sum(math.exp(v - top) for v in scores.values())
        return math.exp(scores[chosen] - top) / total


_CODE_PARTS = re.compile(r"([^\W\d_]+)")
# Letters English-model OCR prints for a capital Đ inside document codes.
_D_STAND_INS = frozenset("DPB")

# How English-model OCR prints the labels of headings: `|.` or `L.` for `I.`, `I1.` for
# `II.`, `¢)` for `c)`.
_ROMAN_MISREADS = str.maketrans({"|": "I", "l": "I", "L": "I", "1": "I", "!": "I"})
_LETTER_MISREADS = {"¢": "c", "©": "c"}


def _heading_label(pieces: list[Piece]) -> tuple[bool, WordEdit | None]:
    """Whether the line starts with a heading label (`a)`, `II.`), and its repair if OCR
    damaged it. Labels are never decoded as words: `a)` must not become `là)`."""
    if len(pieces) < 3 or pieces[1].text not in ".)":
        return False, None
    label = pieces[0]
    if pieces[1].text == ")" and len(label.text) == 1:
        fixed = _LETTER_MISREADS.get(label.text)
        return True, WordEdit(label, fixed, 1.0) if fixed else None
    roman = label.text.translate(_ROMAN_MISREADS)
    if not (set(roman) <= set("IVX") and len(roman) <= 4 and label.text != "1"):
        return False, None
    if pieces[1].text != "." or not pieces[2].text[:1].isupper():
        return False, None
    return True, WordEdit(label, roman, 1.0) if roman != label.text else None


@dataclass(frozen=True)
class WordEdit:
    """A word restoration changed: where it stood, what it became, how sure it is (0..1)."""

    piece: Piece
    word: str
    confidence: float


def _vie_channel(observed: str, candidate: str, doubtful: bool = False) -> float:
    """Vietnamese-model OCR is usually right: changing a word must be worth a lot, less
    when the engine itself gave the word a low confidence."""
    if candidate == observed:
        return 0.0
    if strip_tone(candidate) == strip_tone(observed):
        return -4.0 if doubtful else -9.0
    return -6.0 if doubtful else -12.0


def _capitals(token: str) -> bool:
    """Written in capitals, perhaps after one misread first letter (bMST)."""
    letters = [ch for ch in token if ch.isalpha()]
    if len(letters) < 2 or not all(ch.isupper() for ch in letters[1:]):
        return False
    return len(letters) > 2 or letters[0].isupper()


def _is_syllable_fold(index: CandidateIndex, folded: str) -> bool:
    """Whether some Vietnamese syllable is spelled like this without its diacritics."""
    return any(is_syllable_shape(w) for w in index.by_fold.get(folded, ()))


def _mixed_case(token: str) -> bool:
    """VNeID, eKYC: capitals inside a word on purpose. One capital among small letters
    (tAm for tâm) is a misreading and does not count."""
    letters = [ch for ch in token if ch.isalpha()]
    inner_caps = sum(1 for ch in letters[1:] if ch.isupper())
    return inner_caps >= 2 and any(ch.islower() for ch in letters)


def _d_bar_readings(token: str) -> list[str]:
    """Folded spellings with Đ restored where English-model OCR printed D, P or B for it
    in capitals (CBS, bMST for CĐS, ĐMST); at most two places."""
    upper = token.upper()
    places = [i for i, ch in enumerate(upper) if ch in _D_STAND_INS]
    out = []
    for i in places:
        out.append(fold(upper[:i] + "D" + upper[i + 1 :]).lower())
        for j in places:
            if j > i:
                both = upper[:i] + "D" + upper[i + 1 : j] + "D" + upper[j + 1 :]
                out.append(fold(both).lower())
    return out


def _apply(line: str, edits: list[WordEdit]) -> str:
    out = line
    for e in sorted(edits, key=lambda e: -e.piece.start):
        out = out[: e.piece.start] + apply_case(e.piece.text, e.word) + out[e.piece.end :]
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
    """Restore every line from its OCR text (`raw`), keeping lines a person corrected.

    Tokens follow their line: each changed token gets its restored text and the
    confidence of the least certain change inside it.
    """
    lines = doc.lines
    doubtful = [_doubtful_spans(line) for line in lines]
    all_edits = default_restorer().edits([line.raw for line in lines], doubtful)
    for line, edits in zip(lines, all_edits, strict=True):
        if line.revised:
            continue
        line.text = _apply(line.raw, edits)
        spans = [m.span() for m in _TOKEN_SPAN.finditer(line.raw)]
        if len(spans) != len(line.tokens):
            continue
        for token, (start, end) in zip(line.tokens, spans, strict=True):
            inside = [e for e in edits if start <= e.piece.start < end]
            token.text = _apply(line.raw[start:end], [_shift(e, -start) for e in inside])
            token.restore_conf = min((e.confidence for e in inside), default=None)
    doc.stage_versions["restore"] = VERSION
    return doc


_TOKEN_SPAN = re.compile(r"\S+")
# Below this OCR confidence (0..1) a word counts as doubtful.
DOUBTFUL_OCR_CONF = 0.6


def _doubtful_spans(line: Line) -> list[tuple[int, int]]:
    """Character spans in `line.raw` of the words the OCR engine was unsure of."""
    spans = [m.span() for m in _TOKEN_SPAN.finditer(line.raw)]
    if len(spans) != len(line.tokens):
        return []
    return [
        span
        for span, token in zip(spans, line.tokens, strict=True)
        if token.ocr_conf is not None and token.ocr_conf < DOUBTFUL_OCR_CONF
    ]


def _shift(edit: WordEdit, by: int) -> WordEdit:
    p = edit.piece
    return WordEdit(Piece(p.start + by, p.end + by, p.text, p.kind), edit.word, edit.confidence)
