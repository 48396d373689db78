"""A syllable trigram language model with interpolated Kneser–Ney smoothing.

Trained from token streams (lower-case syllables, with `<s>` between sentences) and
stored in backoff form: a log-probability for every seen n-gram and a backoff weight
for every seen context, so scoring an unseen trigram is two dictionary look-ups.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

BOS = "<s>"
UNK = "<unk>"
DISCOUNT = 0.75


@dataclass
class SyllableLM:
    """Trigram log-probabilities (natural log) in backoff form, keyed by syllable ids."""

    vocab: dict[str, int]
    unigram: list[float]
    bigram: dict[int, float] = field(default_factory=dict)
    trigram: dict[int, float] = field(default_factory=dict)
    backoff1: list[float] = field(default_factory=list)
    backoff2: dict[int, float] = field(default_factory=dict)

    def id(self, syllable: str) -> int:
        return self.vocab.get(syllable, 0)

    def logp(self, w1: int, w2: int, w3: int) -> float:
        """log P(w3 | w1 w2)."""
        size = len(self.unigram)
        ctx = w1 * size + w2
        found = self.trigram.get(ctx * size + w3)
        if found is not None:
            return found
        bo = self.backoff2.get(ctx, 0.0)
        found = self.bigram.get(w2 * size + w3)
        if found is not None:
            return bo + found
        return bo + self.backoff1[w2] + self.unigram[w3]


def train(
    sentences: Iterable[Sequence[str]],
    extra_vocab: Iterable[str] = (),
    min_trigram_count: int = 1,
) -> SyllableLM:
    """Estimate an interpolated Kneser–Ney trigram model from sentences of syllables."""
    tri: Counter[tuple[str, str, str]] = Counter()
    for sent in sentences:
        seq = [BOS, BOS, *sent, BOS]
        for i in range(2, len(seq)):
            tri[(seq[i - 2], seq[i - 1], seq[i])] += 1
    words = {w for gram in tri for w in gram} | set(extra_vocab)
    vocab = {UNK: 0}
    for w in sorted(words):
        vocab.setdefault(w, len(vocab))
    size = len(vocab)

    # Continuation counts: how many distinct left contexts precede each lower-order n-gram.
    bi_cont: Counter[tuple[str, str]] = Counter()
    for _w1, w2, w3 in tri:
        bi_cont[(w2, w3)] += 1
    uni_cont: Counter[str] = Counter()
    for _w2, w3 in bi_cont:
        uni_cont[w3] += 1

    total_cont = sum(uni_cont.values())
    floor = 0.5  # pseudo continuation count for words known only from the lexicon
    denom = total_cont + floor * size
    uni_p = [math.log(floor / denom)] * size
    for w, c in uni_cont.items():
        uni_p[vocab[w]] = math.log((c + floor) / denom)

    def interpolate(
        counts: Counter[tuple[str, ...]], lower: dict[tuple[str, ...], float]
    ) -> tuple[dict[tuple[str, ...], float], dict[tuple[str, ...], float]]:
        """Interpolated probabilities for seen n-grams and backoff weights of contexts."""
        ctx_total: Counter[tuple[str, ...]] = Counter()
        ctx_types: Counter[tuple[str, ...]] = Counter()
        for gram, c in counts.items():
            ctx_total[gram[:-1]] += c
            ctx_types[gram[:-1]] += 1
        probs: dict[tuple[str, ...], float] = {}
        gammas = {ctx: DISCOUNT * ctx_types[ctx] / ctx_total[ctx] for ctx in ctx_total}
        for gram, c in counts.items():
            ctx = gram[:-1]
            p = max(c - DISCOUNT, 0.0) / ctx_total[ctx] + gammas[ctx] * lower[gram[1:]]
            probs[gram] = p
        return probs, gammas

    uni_lin = {(w,): math.exp(uni_p[i]) for w, i in vocab.items()}
    bi_probs, bi_gammas = interpolate(bi_cont, uni_lin)  # type: ignore[arg-type]
    kept = Counter({g: c for g, c in tri.items() if c >= min_trigram_count})
    tri_probs, tri_gammas = interpolate(kept, bi_probs)  # type: ignore[arg-type]

    lm = SyllableLM(vocab=vocab, unigram=uni_p, backoff1=[0.0] * size)
    for (w2, w3), p in bi_probs.items():
        lm.bigram[vocab[w2] * size + vocab[w3]] = math.log(p)
    for (w2,), g in bi_gammas.items():
        lm.backoff1[vocab[w2]] = math.log(g)
    for (w1, w2, w3), p in tri_probs.items():
        lm.trigram[(vocab[w1] * size + vocab[w2]) * size + vocab[w3]] = math.log(p)
    for (w1, w2), g in tri_gammas.items():
        lm.backoff2[vocab[w1] * size + vocab[w2]] = math.log(g)
    return lm


def perplexity(lm: SyllableLM, sentences: Iterable[Sequence[str]]) -> float:
    """Per-token perplexity of held-out sentences."""
    total, count = 0.0, 0
    bos = lm.id(BOS)
    for sent in sentences:
        ids = [bos, bos, *(lm.id(w) for w in sent), bos]
        for i in range(2, len(ids)):
            total += lm.logp(ids[i - 2], ids[i - 1], ids[i])
            count += 1
    return math.exp(-total / max(1, count))
