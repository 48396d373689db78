import math

from pipeline.lm import BOS, perplexity, train

SENTS = [
    ["chuyển", "đổi", "số"],
    ["chuyển", "đổi", "số", "quốc", "gia"],
    ["đổi", "mới", "sáng", "tạo"],
    ["khoa", "học", "và", "công", "nghệ"],
]


def test_probabilities_of_a_context_sum_to_one() -> None:
    lm = train(SENTS)
    a, b = lm.id("chuyển"), lm.id("đổi")
    total = sum(math.exp(lm.logp(a, b, w)) for w in range(len(lm.unigram)))
    assert abs(total - 1.0) < 1e-6


def test_seen_continuation_beats_unseen() -> None:
    lm = train(SENTS)
    ctx = (lm.id("chuyển"), lm.id("đổi"))
    assert lm.logp(*ctx, lm.id("số")) > lm.logp(*ctx, lm.id("mới"))


def test_lexicon_words_get_a_small_probability() -> None:
    lm = train(SENTS, extra_vocab=["ngãi"])
    bos = lm.id(BOS)
    assert lm.id("ngãi") != 0
    assert lm.logp(bos, bos, lm.id("ngãi")) < lm.logp(bos, bos, lm.id("chuyển"))


def test_perplexity_is_lower_on_training_text() -> None:
    lm = train(SENTS)
    assert perplexity(lm, SENTS[:1]) < perplexity(lm, [["sáng", "công", "gia"]])
