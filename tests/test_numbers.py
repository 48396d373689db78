import pytest

from pipeline.numbers import read_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.692", 1692),
        ("957.600", 957600),
        ("674.242", 674242),
        ("78,52", 78.52),
        ("7.482,6", 7482.6),
        ("06", 6),
        ("20", 20),
    ],
)
def test_vietnamese_number_formats_are_read(text: str, value: float) -> None:
    assert read_number(text) == value


def test_a_dot_not_grouping_thousands_is_a_decimal_point() -> None:
    assert read_number("2.5") == 2.5


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1.23,4.5", "12a"])
def test_what_is_not_a_number_gives_none(text: str) -> None:
    assert read_number(text) is None
