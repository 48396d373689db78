from pipeline.channel import (
    CandidateIndex,
    FoldBound,
    aligned_pairs,
    learn_channel,
    token_readings,
)

PAIRS = [("đổi", "d6i"), ("số", "s6"), ("sở", "s&"), ("của", "ciia"), ("mới", "méi")] * 3


def test_alignment_pairs_each_true_letter() -> None:
    assert list(aligned_pairs("đổi", "d6i")) == [("đ", "d"), ("ổ", "6"), ("i", "i")]


def test_learned_channel_prefers_the_true_syllable() -> None:
    channel = learn_channel(PAIRS)
    assert channel.log_likelihood("d6i", "đổi") > channel.log_likelihood("d6i", "dai")
    assert channel.log_likelihood("s&", "sở") > channel.log_likelihood("s&", "sa")


def test_readings_map_stand_ins_to_letters_and_runs() -> None:
    channel = learn_channel(PAIRS)
    assert "doi" in token_readings(channel, "d6i")
    assert "cua" in token_readings(channel, "ciia")


def test_index_finds_spellings_one_edit_away() -> None:
    index = CandidateIndex.build(["đổi", "đối", "dời", "của", "cửa"])
    assert index.folds_near("doi") == {"doi"}
    assert "cua" in index.folds_near("cuaa")
    assert "doi" in index.folds_near("dai")


def test_whole_words_seen_twice_are_remembered_and_offered() -> None:
    channel = learn_channel(PAIRS)
    assert "của" in channel.seen_as("ciia")
    assert channel.log_likelihood("ciia", "của") > channel.log_likelihood("ciia", "chia")
    assert channel.seen_as("never-seen") == []


def test_capital_p_is_read_as_d_bar_more_readily_than_small_p() -> None:
    pairs = [("Đã", "Pa"), ("Đồng", "Pong"), ("đã", "da"), ("đồng", "dong"), ("pin", "pin")]
    channel = learn_channel(pairs * 3)
    assert channel.log_likelihood("Pa", "đã") > channel.log_likelihood("pa", "đã")


def test_top_candidates_equal_scoring_every_word() -> None:
    from pipeline.restore import default_model

    model = default_model()
    channel, index, lm = model.channel, model.index, model.lm

    def prior(word: str) -> float:
        return lm.unigram[lm.id(word)]

    def group_prior(key: str) -> float:
        return max(map(prior, index.by_fold[key]))

    bound = FoldBound(channel)

    for token in ["d6i", "Pic", "nghiép", "tinh", "S&", "hoach", "Iugng", "di"]:
        folds = {k for r in token_readings(channel, token)[:2] for k in index.folds_near(r)}
        groups = {k: index.by_fold[k] for k in folds}
        every = {w: channel.log_likelihood(token, w) for ws in groups.values() for w in ws}
        floor = max(every.values()) - 14
        expected = sorted(
            (w for w in every if every[w] >= floor), key=lambda w: (-every[w] - prior(w), w)
        )

        found = dict(channel.top_candidates(token, groups, [], prior, group_prior, bound, 10, 14))
        kept = sorted(
            (w for w in found if found[w] >= floor), key=lambda w: (-found[w] - prior(w), w)
        )
        assert kept[:10] == expected[:10]
