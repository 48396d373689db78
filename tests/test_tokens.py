from pipeline.tokens import CODE, NUM, sentences, split_line


def kinds(line: str) -> list[tuple[str, str]]:
    return [(p.text, p.kind) for p in split_line(line)]


def test_document_numbers_dates_and_urls_are_single_pieces() -> None:
    got = kinds("Số: 3540/BC-SKHCN ngày 08/4/2025 tại https://dichvucong.gov.vn.")
    assert ("3540/BC-SKHCN", "code") in got
    assert ("08/4/2025", "num") in got
    assert ("https://dichvucong.gov.vn", "code") in got


def test_ocr_stand_in_characters_stay_inside_their_word() -> None:
    assert kinds("S& Khoa hoc, B¢ Chinh tri")[:1] == [("S&", "word")]
    assert ("B¢", "word") in kinds("S& Khoa hoc, B¢ Chinh tri")


def test_offsets_point_into_the_line() -> None:
    line = "Tổng số 1.692 hồ sơ"
    for p in split_line(line):
        assert line[p.start : p.end] == p.text


def test_sentences_join_wrapped_lines_and_split_at_breaks() -> None:
    text = "Sở Khoa học và\nCông nghệ báo cáo 57-NQ/TW. Đạt 99,77%\n\n- Mục mới"
    assert sentences(text) == [
        ["sở", "khoa", "học", "và", "công", "nghệ", "báo", "cáo", CODE],
        ["đạt", NUM],
        ["mục", "mới"],
    ]
