"""The OCR channel: how a true Vietnamese syllable comes out of an OCR engine.

`CharChannel` holds P(observed characters | true character), learned from aligned
(true syllable, OCR token) pairs; `log_likelihood` aligns a token with a candidate
syllable under those costs. `CandidateIndex` finds the syllables a token may stand for:
those whose diacritic-free form is at most one edit from a reading of the token.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import product

from rapidfuzz.distance import Levenshtein

from pipeline.vietnamese import TONE_ROWS, fold, strip_tone

EPS = ""  # the empty observation: a true character the engine dropped
WORD_WEIGHT = 0.5  # share of the whole-word observations in P(token | word)


@dataclass
class CharChannel:
    """Substitution, deletion and insertion log-probabilities between characters."""

    sub: dict[str, dict[str, float]] = field(default_factory=dict)  # true → observed → logp
    insert: dict[str, float] = field(default_factory=dict)  # observed → logp
    insert_default: float = -9.0
    unseen: float = -12.0
    readings: dict[str, list[str]] = field(default_factory=dict)  # observed → folded letters
    multi: dict[str, list[str]] = field(default_factory=dict)  # observed run → folded run
    # Whole words seen printed the same way at least twice: observed → true → P(observed|true).
    words: dict[str, dict[str, float]] = field(default_factory=dict)
    # A capital at the start of a word: true first letter → printed capital → logp. The
    # engine prints Đ as P or B far more often than its small đ as p or b.
    initial: dict[str, dict[str, float]] = field(default_factory=dict)

    def sub_logp(self, true: str, observed: str) -> float:
        row = self.sub.get(true)
        if row is None:
            row = self.sub[true] = {}
        found = row.get(observed)
        if found is None:
            found = row[observed] = _prior_logp(true, observed, self.unseen)
        return found

    def log_likelihood(self, printed: str, syllable: str) -> float:
        """log P(printed | syllable), the syllable in lower case: the letter-by-letter
        alignment, mixed with how often the whole word was seen printed so when that is
        known; a printed capital first letter is scored by what capitals stand for."""
        token = printed.lower()
        by_letter = _align(self, token, syllable)
        if printed[:1].isupper() and syllable:
            capital = self.initial.get(syllable[0], {}).get(printed[0])
            if capital is not None:
                by_letter += capital - self.sub_logp(syllable[0], token[0])
        seen = self.words.get(token, {}).get(syllable)
        if seen is None:
            return by_letter
        return math.log(WORD_WEIGHT * seen + (1 - WORD_WEIGHT) * math.exp(by_letter))

    def seen_as(self, token: str) -> list[str]:
        """True words this printed token was seen standing for."""
        return list(self.words.get(token, ()))

    def top_candidates(
        self,
        printed: str,
        by_fold: dict[str, list[str]],
        always: Iterable[str],
        prior: Callable[[str], float],
        group_prior: Callable[[str], float],
        bound: FoldBound,
        limit: int,
        margin: float,
    ) -> list[tuple[str, float]]:
        """(word, log P(printed | word)) for the `limit` words with the best channel score
        plus `prior`, among those no more than `margin` below the best channel score;
        words come grouped by folded spelling (`group_prior`: the best prior in a group),
        and the `always` words are scored first. `bound` holds this channel's costs of
        folded letters.

        A group is scored word by word only while its bound (each letter at its least
        costly toned form, with the group's best prior) can still make the list, so the
        result is the same as scoring every word, at a fraction of the cost."""
        scores = {w: self.log_likelihood(printed, w) for w in always}
        token = printed.lower()
        lift = bound.capital_lift(printed[0]) if printed[:1].isupper() else 0.0
        groups = []
        for key in by_fold:
            channel_bound = _align(bound, token, key) + lift
            groups.append((channel_bound + group_prior(key), channel_bound, key))
        groups.sort(reverse=True)
        best_keys = heapq.nlargest(limit, (c + prior(w) for w, c in scores.items()))
        heapq.heapify(best_keys)  # a heap of the `limit` best, the worst of them first
        best = max(scores.values(), default=-math.inf)
        for top, channel_bound, key in groups:
            if len(best_keys) >= limit and top < best_keys[0]:
                break
            if channel_bound < best - margin:
                continue
            for w in by_fold[key]:
                if w not in scores:
                    score = scores[w] = self.log_likelihood(printed, w)
                    best = max(best, score)
                    heapq.heappush(best_keys, score + prior(w))
                    if len(best_keys) > limit:
                        heapq.heappop(best_keys)
        return list(scores.items())


class FoldBound:
    """Character costs for folded spellings: each folded letter at the cost of its least
    costly toned form, so an alignment with a folded spelling bounds all its words."""

    def __init__(self, channel: CharChannel) -> None:
        self.channel = channel
        self.insert = channel.insert
        self.insert_default = channel.insert_default
        self._cache: dict[tuple[str, str], float] = {}
        self._lifts: dict[str, float] = {}

    def capital_lift(self, capital: str) -> float:
        """How much a printed capital can raise a word's score over its small letter."""
        found = self._lifts.get(capital)
        if found is None:
            small = capital.lower()
            found = self._lifts[capital] = max(
                [0.0]
                + [
                    row[capital] - self.channel.sub_logp(t, small)
                    for t, row in self.channel.initial.items()
                    if capital in row
                ]
            )
        return found

    def sub_logp(self, folded: str, observed: str) -> float:
        found = self._cache.get((folded, observed))
        if found is None:
            found = max(
                self.channel.sub_logp(t, observed) for t in _TONED_FORMS.get(folded, folded)
            )
            self._cache[(folded, observed)] = found
        return found


def _toned_forms() -> dict[str, str]:
    """Each bare letter → every lower-case letter that folds to it (a → aàảãáạăằ…)."""
    forms: dict[str, str] = {}
    for base, row in TONE_ROWS.items():
        key = fold(base)
        forms[key] = forms.get(key, key) + (base if base != key else "") + row
    forms["d"] = "dđ"
    return forms


def _prior_logp(true: str, observed: str, unseen: float) -> float:
    """Back-off for pairs never seen in training: shape similarity of the letters."""
    if observed == true:
        return -0.1
    if observed == EPS:
        return unseen
    if fold(observed) == fold(true):
        same_shape = strip_tone(observed) == strip_tone(true)
        return -3.0 if same_shape else -4.5
    return unseen


_TONED_FORMS = _toned_forms()


def _align(channel: CharChannel | FoldBound, token: str, syllable: str) -> float:
    sub = channel.sub_logp
    n, m = len(syllable), len(token)
    if n == m:
        # Letter for letter is nearly always the best alignment of equal lengths; the
        # dynamic programme below only runs when the engine dropped or added letters.
        total = 0.0
        for t, o in zip(syllable, token, strict=True):
            total += sub(t, o)
        return total
    inserts = [channel.insert.get(o, channel.insert_default) for o in token]
    prev = [0.0] * (m + 1)
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + inserts[j - 1]
    for t in syllable:
        drop = sub(t, EPS)
        cur = [prev[0] + drop] + [0.0] * m
        for j in range(1, m + 1):
            best = prev[j - 1] + sub(t, token[j - 1])
            dropped = prev[j] + drop
            if dropped > best:
                best = dropped
            inserted = cur[j - 1] + inserts[j - 1]
            cur[j] = inserted if inserted > best else best
        prev = cur
    return prev[m]


def alignment(
    source: Sequence[str], target: Sequence[str]
) -> Iterator[tuple[int | None, int | None]]:
    """Index pairs of a minimal edit alignment: (i, j) matched or replaced, (i, None)
    deleted, (None, j) inserted."""
    i = j = 0
    for op in Levenshtein.editops(source, target):
        while i < op.src_pos and j < op.dest_pos:
            yield i, j
            i, j = i + 1, j + 1
        if op.tag == "replace":
            yield i, j
            i, j = i + 1, j + 1
        elif op.tag == "delete":
            yield i, None
            i += 1
        else:
            yield None, j
            j += 1
    while i < len(source) and j < len(target):
        yield i, j
        i, j = i + 1, j + 1


def aligned_pairs(syllable: str, token: str) -> Iterator[tuple[str, str]]:
    """(true char, observed char or EPS) pairs, and (EPS, inserted char) for insertions."""
    for i, j in alignment(fold(syllable), fold(token)):
        yield (EPS if i is None else syllable[i]), (EPS if j is None else token[j])


def learn_channel(pairs: Iterable[tuple[str, str]], smoothing: float = 0.5) -> CharChannel:
    """Estimate a character channel from (true word, observed token) pairs.

    Substitutions are learned in lower case; readings keep the printed case too, since a
    capital often stands for a different letter than its small form (P for Đ).
    """
    sub_counts: dict[str, Counter[str]] = defaultdict(Counter)
    ins_counts: Counter[str] = Counter()
    reading_counts: dict[str, Counter[str]] = defaultdict(Counter)
    multi_counts: Counter[tuple[str, str]] = Counter()
    initial_counts: dict[str, Counter[str]] = defaultdict(Counter)
    word_counts: Counter[tuple[str, str]] = Counter()
    total_observed = 0
    for true_word, printed in pairs:
        syllable, token = true_word.lower(), printed.lower()
        word_counts[(syllable, token)] += 1
        run = _differing_run(fold(syllable), fold(token))
        if run is not None:
            multi_counts[run] += 1
        aligned = list(aligned_pairs(syllable, token))
        for t, o in aligned:
            if t == EPS:
                ins_counts[o] += 1
                continue
            sub_counts[t][o] += 1
            if o != EPS:
                reading_counts[o][fold(t)] += 1
                total_observed += 1
        if printed[:1].isupper() and aligned and aligned[0][0] != EPS and aligned[0][1] != EPS:
            reading_counts[printed[0]][fold(aligned[0][0])] += 1
            initial_counts[aligned[0][0]][printed[0]] += 1
    channel = CharChannel()
    for t, row in sub_counts.items():
        total = sum(row.values())
        channel.sub[t] = {
            o: math.log((c + smoothing * math.exp(_prior_logp(t, o, channel.unseen))) / (total + 1))
            for o, c in row.items()
        }
    for t, row in initial_counts.items():
        total = sum(row.values())
        channel.initial[t] = {
            o: math.log(
                (c + smoothing * math.exp(_prior_logp(t, o.lower(), channel.unseen))) / (total + 1)
            )
            for o, c in row.items()
        }
    channel.insert = {o: math.log((c + 0.5) / (total_observed + 1)) for o, c in ins_counts.items()}
    for o, row in reading_counts.items():
        total = sum(row.values())
        channel.readings[o] = [r for r, c in row.most_common(3) if c / total >= 0.08]
    for (observed, true), c in multi_counts.most_common():
        if c >= 2:
            channel.multi.setdefault(observed, []).append(true)
    true_totals: Counter[str] = Counter()
    for (syllable, _), c in word_counts.items():
        true_totals[syllable] += c
    for (syllable, token), c in word_counts.items():
        if c >= 2:
            channel.words.setdefault(token, {})[syllable] = c / true_totals[syllable]
    return channel


def _differing_run(true: str, observed: str) -> tuple[str, str] | None:
    """(observed run, true run) where spellings of unequal length differ: (ii, u) in ciia/cua."""
    if len(true) == len(observed):
        return None
    start = 0
    while start < min(len(true), len(observed)) and true[start] == observed[start]:
        start += 1
    end = 0
    while (
        end < min(len(true), len(observed)) - start
        and true[len(true) - 1 - end] == observed[len(observed) - 1 - end]
    ):
        end += 1
    obs_run = observed[start : len(observed) - end]
    true_run = true[start : len(true) - end]
    if not obs_run or len(obs_run) > 3 or len(true_run) > 3:
        return None
    return obs_run, true_run


@dataclass
class CandidateIndex:
    """Known words (syllables, abbreviations) grouped by their folded spelling."""

    by_fold: dict[str, list[str]]
    by_delete: dict[str, list[str]]

    @classmethod
    def build(cls, words: Iterable[str]) -> CandidateIndex:
        by_fold: dict[str, list[str]] = defaultdict(list)
        for w in sorted(set(words)):
            by_fold[fold(w)].append(w)
        by_delete: dict[str, list[str]] = defaultdict(list)
        for key in by_fold:
            for d in _deletes(key):
                by_delete[d].append(key)
        return cls(dict(by_fold), dict(by_delete))

    def folds_near(self, key: str) -> set[str]:
        """Folded spellings at most one edit away from `key`."""
        out = {key} if key in self.by_fold else set()
        for d in _deletes(key):
            if d in self.by_fold:
                out.add(d)
            for k in self.by_delete.get(d, ()):
                if Levenshtein.distance(k, key, score_cutoff=1) <= 1:
                    out.add(k)
        out.update(k for k in self.by_delete.get(key, ()))
        return out


def _deletes(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))} if len(key) > 1 else set()


def token_readings(channel: CharChannel, token: str, limit: int = 12) -> list[str]:
    """Folded spellings the token may stand for, most likely first."""
    options: list[list[str]] = []
    for i, ch in enumerate(token):
        # Capitals are read on their own only at the start, where they were learned.
        learned = (channel.readings.get(ch) if i == 0 else None) or channel.readings.get(ch.lower())
        base = fold(ch).lower()
        opts = list(learned) if learned else []
        if base.isalpha() and base not in opts:
            opts.append(base)
        options.append(opts or [""])
    out: list[str] = []
    for combo in product(*options):
        out.append("".join(combo))
        if len(out) >= limit:
            break
    for observed, trues in channel.multi.items():
        at = token.find(observed)
        if at >= 0:
            head, tail = fold(token[:at]), fold(token[at + len(observed) :])
            out.extend(head + true + tail for true in trues)
    return out
