"""Number parsing as wires write it: digits, scale words, word numbers, ranges."""
import pytest

from extractors.numbers import borrow_scale, is_plain_integer, iter_numbers, parse_number


@pytest.mark.parametrize("text,value", [
    ("7,000", 7000),
    ("1,564.8", 1564.8),
    ("1.5 mln", 1_500_000),
    ("2.2 million", 2_200_000),
    ("3.376 million", 3_376_000),
    ("5.4 thousand", 5_400),
    ("20 thousand", 20_000),
    ("2 million 895 thousand", 2_895_000),
    ("1.2mn", 1_200_000),
    ("81.5mn", 81_500_000),
    ("10.8 bn", 10_800_000_000),
    ("10.8bn", 10_800_000_000),
    ("1.3 trillion", 1_300_000_000_000),
    ("three mln", 3_000_000),
    ("twenty-five", 25),
    ("forty two", 42),
    ("half a million", 500_000),
    ("a million", 1_000_000),
    ("one and a half mln", 1_500_000),
    ("1,5 mln", 1_500_000),          # decimal comma in translated copy
    ("0.3 bln", 300_000_000),
])
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


def test_not_a_number():
    assert parse_number("mln") is None
    assert parse_number("tonnes") is None


def test_numbers_found_in_running_text():
    text = "Loadings rose to 1.2mn tons from 950,000 tons, while bcm and b/d figures stayed at 5 m3."
    found = [(m.group(0), v) for m, v in iter_numbers(text)]
    assert ("1.2mn", 1_200_000) in found
    assert ("950,000", 950_000) in found
    # "m3" is a unit, not the scale "m" glued to a figure
    assert ("5", 5) in found


def test_word_numbers_need_word_boundaries():
    found = [m.group(0) for m, _ in iter_numbers("between six and seven thousand cubic metres")]
    assert found == ["six", "seven thousand"]      # the "an" inside "and" is not a number


def test_range_first_end_borrows_scale():
    # "12 to 14 mln tonnes"
    assert borrow_scale("12", None, 14e6, "mln", "14") == 12e6
    # "between 1.3 and four mln barrels"
    assert borrow_scale("1.3", None, 4e6, "mln", "four") == 1.3e6
    # "between 700,000 and three mln barrels": a written-out integer keeps its own size
    assert borrow_scale("700,000", None, 3e6, "mln", "three") == 700_000
    # "140-150,000 bpd": the thousands are written on the second end only
    assert borrow_scale("140", None, 150_000, None, "150,000") == 140_000
    # "from 67 to 81.5mn tons"
    assert borrow_scale("67", None, 81.5e6, "mn", "81.5") == 67e6
    # a first end with its own scale is left alone
    assert borrow_scale("1.1", "mln", 1.4e6, "mln", "1.4") == 1.1e6


def test_plain_integer():
    assert is_plain_integer("700,000")
    assert not is_plain_integer("1,564.8")
    assert not is_plain_integer("67")
