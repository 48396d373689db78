from pipeline.vietnamese import (
    apply_case,
    fold,
    has_vietnamese_marks,
    is_syllable_shape,
    modern_tone,
    normalize_spelling,
    strip_tone,
    tone_of,
)


def test_fold_removes_every_diacritic_and_dbar() -> None:
    assert fold("Quảng Ngãi, Đắk Lắk, phường Ưu") == "Quang Ngai, Dak Lak, phuong Uu"


def test_tone_and_shape_are_separated() -> None:
    assert tone_of("tiếng") == 4
    assert strip_tone("tiếng") == "tiêng"
    assert tone_of("ngang") == 0


def test_syllable_shape_accepts_vietnamese_and_rejects_abbreviations() -> None:
    for word in ["nghiêng", "khuyến", "quốc", "giữ", "ươn", "thủy", "oanh"]:
        assert is_syllable_shape(word), word
    for word in ["ubnd", "skhcn", "cntt", "hqc"]:
        assert not is_syllable_shape(word), word


def test_modern_tone_placement() -> None:
    assert modern_tone("hoá") == "hóa"
    assert modern_tone("Thuỷ") == "Thủy"
    assert modern_tone("quý") == "quý"
    assert normalize_spelling("Tỉnh uỷ hoà") == "Tỉnh ủy hòa"


def test_case_follows_the_printed_word() -> None:
    assert apply_case("BAO", "báo") == "BÁO"
    assert apply_case("S&", "sở") == "Sở"
    assert apply_case("ty", "ủy") == "ủy"


def test_vietnamese_marks_are_told_from_latin1() -> None:
    assert has_vietnamese_marks("được")
    assert not has_vietnamese_marks("cafe")
