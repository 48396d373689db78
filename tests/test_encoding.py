import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.encoding import decode_text_with_note, legacy_encoding
from pipeline.errors import InputFileError
from pipeline.ingest import read_text

TCVN3_AS_CP1252 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam §éc lËp - Tù do - H¹nh phóc"
VNI_AS_CP1252 = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam Ñoäc laäp - Töï do - Haïnh phuùc"
MOTTO = "Cộng hòa xã hội chủ nghĩa Việt Nam Độc lập - Tự do - Hạnh phúc"
MOTTO_TCVN3 = MOTTO.replace("hòa", "hoà")  # the sample puts the tone on the last vowel

# Written byte by byte from the published VNI-Windows table, not from pipeline.encoding:
# a base letter then a mark byte (F8 huyền, FB hỏi, F5 ngã, F9 sắc, EF nặng, E2 â/ê/ô,
# EA ă, E1/E0/E5/E3/E4 circumflex with a tone, C1 … the same after capitals: 0x20 lower),
# and precomposed đ F1, Đ D1, ơ F4, ư F6, ỉ E6, Ị D2.
VNI_BYTES = (
    b"QUYE\xc1T \xd1\xd2NH\r\n"  # QUYẾT ĐỊNH
    b"O\xc2ng Nguye\xe3n Va\xean \xd1\xf6\xf9c \xf1\xf6\xf4\xefc bo\xe5 nhie\xe4m "
    b"gi\xf6\xf5 ch\xf6\xf9c Pho\xf9 Gia\xf9m \xf1o\xe1c S\xf4\xfb T\xf6 pha\xf9p "
    b"t\xe6nh Qua\xfbng Nga\xf5i ke\xe5 t\xf6\xf8 nga\xf8y ky\xf9.\r\n"
    b"U\xdby ban nha\xe2n da\xe2n t\xe6nh ch\xf6\xf9ng nha\xe4n.\r\n"
)
VNI_UNICODE = (
    "QUYẾT ĐỊNH\n"
    "Ông Nguyễn Văn Đức được bổ nhiệm giữ chức Phó Giám đốc Sở Tư pháp "
    "tỉnh Quảng Ngãi kể từ ngày ký.\n"
    "Ủy ban nhân dân tỉnh chứng nhận.\n"
)

# Lower case but for Ô, Ư, Đ and ASCII capitals, all six tones, đ, ư, ơ, ă, â, ê: glibc's
# TCVN5712-1 is VN1, a superset of the VN3 that TCVN3 (ABC) files use; the two agree on
# the lower-case letters and on Ă Â Ê Ô Ơ Ư Đ, while toned capitals exist only in VN1.
TCVN3_UNICODE = (
    "Ông Nguyễn Văn Đức được bổ nhiệm giữ chức phó giám đốc sở tư pháp tỉnh Quảng Ngãi.\n"
    "Điều 2. Ưu tiên bố trí kinh phí để thực hiện nhiệm vụ kể từ ngày ký; chánh văn phòng "
    "và thủ trưởng các cơ quan, đơn vị liên quan chịu trách nhiệm thi hành quyết định này.\n"
)


def _iconv_tcvn(text: str) -> bytes:
    if shutil.which("iconv") is None:
        pytest.skip("no iconv")
    done = subprocess.run(
        ["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input=text.encode(), capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("iconv has no TCVN5712-1")
    return done.stdout


def test_unicode_vietnamese_is_not_mistaken_for_a_legacy_encoding() -> None:
    text = "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc. Sở Khoa học"
    assert legacy_encoding(text) is None
    assert legacy_encoding(text.upper()) is None
    assert legacy_encoding(VNI_UNICODE * 3) is None
    assert legacy_encoding("S& Khoa hoc va Cong nghé bao cao két qua thuc hién") is None
    assert legacy_encoding("d6i méi cong tac Tinh ty va cac so nganh trong tinh") is None


def test_tcvn3_and_vni_are_recognised() -> None:
    assert legacy_encoding(TCVN3_AS_CP1252) == "TCVN3 (ABC)"
    assert legacy_encoding(VNI_AS_CP1252) == "VNI"


@pytest.mark.parametrize(
    ("text", "unicode"), [(TCVN3_AS_CP1252, MOTTO_TCVN3), (VNI_AS_CP1252, MOTTO)]
)
def test_legacy_bytes_are_converted(text: str, unicode: str) -> None:
    assert decode_text_with_note(text.encode("cp1252"), "old.txt")[0] == unicode


def test_tcvn3_bytes_from_iconv_round_trip() -> None:
    data = _iconv_tcvn(TCVN3_UNICODE)
    assert not set(data) & set(range(0xB0, 0xB5))  # precomposed letters, no VN1 combining marks
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, note = decode_text_with_note(data, "cu.txt")
    assert text == TCVN3_UNICODE
    assert note == "cu.txt: converted from the legacy TCVN3 (ABC) encoding"


def test_tcvn3_all_capitals_font_gives_capitals() -> None:
    # VN3 has no toned capitals: headings are typed in a capitals font over lower-case codes.
    heading = (
        "CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM\nSè: 12/Q§-UBND\nQUYÕT §ÞNH cña Chñ tÞch UBND tØnh"
    )
    text, note = decode_text_with_note(heading.encode("cp1252"), "cu.txt")
    assert note and "TCVN3" in note
    assert text == (
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 12/QĐ-UBND\nQUYẾT ĐỊNH của Chủ tịch UBND tỉnh"
    )


def test_vni_bytes_built_from_the_table_round_trip() -> None:
    text, note = decode_text_with_note(VNI_BYTES, "cu.txt")
    assert text == VNI_UNICODE
    assert text.count("\n") == VNI_BYTES.count(b"\r\n")
    assert note == "cu.txt: converted from the legacy VNI encoding"


def test_mojibake_in_utf8_is_converted() -> None:
    # An earlier tool read the legacy bytes as Windows-1252 and saved the result as UTF-8.
    vni = VNI_BYTES.decode("cp1252").encode("utf-8")
    assert decode_text_with_note(vni, "x.txt") == (
        VNI_UNICODE,
        "x.txt: converted from the legacy VNI encoding",
    )
    tcvn3 = _iconv_tcvn(TCVN3_UNICODE).decode("cp1252").encode("utf-8-sig")
    assert decode_text_with_note(tcvn3, "x.txt")[0] == TCVN3_UNICODE
    latin1 = ("“" + TCVN3_AS_CP1252 + "”").encode("cp1252").decode("latin-1").encode()
    assert decode_text_with_note(latin1, "x.txt")[0] == f"“{MOTTO_TCVN3}”"


def test_unicode_text_keeps_its_letters_and_gets_no_note() -> None:
    for text in (VNI_UNICODE, TCVN3_UNICODE, "Économie française : l'été à Paris, où …\n"):
        assert decode_text_with_note(text.encode(), "x.txt") == (text, None)


def test_binary_and_other_8_bit_text_are_refused_as_before() -> None:
    with pytest.raises(InputFileError, match="binary data, not text"):
        decode_text_with_note(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "x.txt")[0]
    french = "L'économie française a progressé de 2 % cette année grâce à l'été. " * 3
    german = "Die Größe der Straße in Köln ist schön für Mädchen und Jungen. " * 3
    for text in (french, german):
        with pytest.raises(InputFileError, match=r"not UTF-8 text \(undecodable byte at offset"):
            decode_text_with_note(text.encode("cp1252"), "x.txt")[0]
        assert (
            decode_text_with_note(text.encode(), "x.txt")[0] == text
        )  # in UTF-8 it stays as written
        assert legacy_encoding(text.upper()) is None
    # Shift_JIS puts half-width katakana on the bytes where TCVN3 has its toned letters.
    japanese = "<p>今日はミニチュアダックスのオフ会です。</p> <p>予約が多かったです。</p> <br> " * 3
    with pytest.raises(InputFileError, match="not UTF-8 text"):
        decode_text_with_note(japanese.encode("shift_jis"), "x.txt")[0]


def test_line_endings_and_bom_are_normalised() -> None:
    assert decode_text_with_note("\ufeffmột\r\nhai\rba".encode(), "x.txt")[0] == "một\nhai\nba"
    assert decode_text_with_note("một\nhai".encode("utf-16"), "x.txt")[0] == "một\nhai"
    crlf = (TCVN3_AS_CP1252 + "\r\n") * 3 + "\r\n"
    assert (
        decode_text_with_note(crlf.encode("cp1252"), "x.txt")[0] == (MOTTO_TCVN3 + "\n") * 3 + "\n"
    )


def test_restore_command_converts_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cu.txt"
    path.write_bytes(VNI_BYTES)
    result = CliRunner().invoke(cli, ["restore", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"vanthu: {path}: converted from the legacy VNI encoding\n"
    assert "QUYẾT ĐỊNH" in result.stdout and "Nguyễn Văn Đức được bổ nhiệm" in result.stdout
    assert result.stdout.count("\n") == 3


def test_restore_command_still_refuses_undecodable_text(tmp_path: Path) -> None:
    path = tmp_path / "fr.txt"
    path.write_bytes(("Une année très chargée à l'hôpital. " * 3).encode("cp1252"))
    result = CliRunner().invoke(cli, ["restore", str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"vanthu: {path}: not UTF-8 text (undecodable byte at offset 7)\n"


def test_ingest_logs_the_conversion(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "cu.txt"
    path.write_bytes(VNI_BYTES)
    with caplog.at_level(logging.WARNING):
        assert read_text(path) == VNI_UNICODE
    assert caplog.messages == [f"vanthu: {path}: converted from the legacy VNI encoding"]
