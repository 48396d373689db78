import pytest

from pipeline.encoding import decode_text, legacy_encoding
from pipeline.errors import InputFileError

TCVN3_AS_CP1252 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam §éc lËp - Tù do - H¹nh phóc"
VNI_AS_CP1252 = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam Ñoäc laäp - Töï do - Haïnh phuùc"


def test_unicode_vietnamese_is_not_mistaken_for_a_legacy_encoding() -> None:
    text = "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc. Sở Khoa học"
    assert legacy_encoding(text) is None
    assert legacy_encoding("S& Khoa hoc va Cong nghé bao cao két qua thuc hién") is None


def test_tcvn3_and_vni_are_recognised() -> None:
    assert legacy_encoding(TCVN3_AS_CP1252) == "TCVN3 (ABC)"
    assert legacy_encoding(VNI_AS_CP1252) == "VNI"


@pytest.mark.parametrize("text", [TCVN3_AS_CP1252, VNI_AS_CP1252])
def test_legacy_bytes_are_refused_with_the_encoding_named(text: str) -> None:
    with pytest.raises(InputFileError, match=r"legacy .* encoding"):
        decode_text(text.encode("cp1252"), "old.txt")


def test_line_endings_and_bom_are_normalised() -> None:
    assert decode_text("\ufeffmột\r\nhai\rba".encode(), "x.txt") == "một\nhai\nba"
    assert decode_text("một\nhai".encode("utf-16"), "x.txt") == "một\nhai"
