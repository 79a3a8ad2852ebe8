"""DATELINE family: place and date at the head of wire reports (own wire-style sentences)."""
import datetime as dt

import pytest

from extractors.dateline import find_dateline

D = dt.date


def _pd(text, published):
    r = find_dateline(text, published)
    return None if r is None else (r["place"], r["date"])


def test_trend_dateline_with_country():
    text = "BAKU, Azerbaijan, November 29. Kazakhstan is sending more crude along the Middle Corridor, Trend reports."
    r = find_dateline(text, D(2023, 11, 29))
    assert (r["place"], r["date"]) == ("BAKU", "2023-11-29")
    assert text[r["char_start"]:r["char_end"]] == "BAKU, Azerbaijan, November 29"
    assert text[r["date_char_start"]:r["date_char_end"]] == "November 29"


def test_december_dateline_read_in_january_is_previous_year():
    text = "ASTANA, Kazakhstan, December 30. Grain loadings at Aktau port slowed before the holidays."
    assert _pd(text, D(2024, 1, 2)) == ("ASTANA", "2023-12-30")
    # and the other way round: a January 1 dateline published on December 31
    assert _pd("LONDON, January 1 - Brent opened flat.", D(2023, 12, 31)) == ("LONDON", "2024-01-01")


def test_reuters_1987_dateline_and_multiword_place():
    assert _pd("NEW YORK, March 2 - Heating oil futures rose in early trade.", D(1987, 3, 2)) == \
        ("NEW YORK", "1987-03-02")
    assert _pd("RIO DE JANEIRO, MARCH 13 - Petrobras cut its crude imports.", D(1987, 3, 13)) == \
        ("RIO DE JANEIRO", "1987-03-13")
    assert _pd("Caracas, march 17 - venezuela raised fuel oil prices.", D(1987, 3, 17)) == \
        ("Caracas", "1987-03-17")
    assert _pd("STAVANGER, Norway, March 24 - Statoil found oil in a new block.", D(1987, 3, 24)) == \
        ("STAVANGER", "1987-03-24")


def test_menafn_tag_before_dateline():
    text = ("(MENAFN- Trend News Agency) ASTANA, Kazakhstan, January 14. KazMunayGas raised "
            "shipments through the CPC terminal.")
    r = find_dateline(text, D(2024, 1, 14))
    assert (r["place"], r["date"]) == ("ASTANA", "2024-01-14")
    assert r["char_start"] == text.index("ASTANA")


def test_interfax_kazakhstan_dateline():
    text = "ASTANA. Jan 14 (Interfax-Kazakhstan) - Oil output in Kazakhstan fell in the first week of the year."
    assert _pd(text, D(2024, 1, 15)) == ("ASTANA", "2024-01-14")


def test_undated_datelines_take_the_publication_date():
    assert _pd("ALMATY. KAZINFORM - Kazakhstan will build a new grain terminal.", D(2024, 2, 7)) == \
        ("ALMATY", "2024-02-07")
    assert _pd("LONDON (Reuters) - Oil prices edged higher on Tuesday.", D(2024, 2, 6)) == \
        ("LONDON", "2024-02-06")


def test_headline_and_byline_before_dateline():
    text = ("Azerbaijan lifts gas exports to Europe\n\nBy Vugar Khalilov\n\n"
            "BAKU, Azerbaijan, November 29. Gas exports to Europe grew again, the ministry said.")
    assert _pd(text, D(2023, 11, 29)) == ("BAKU", "2023-11-29")
    # a headline joined to the dateline by a wrapped line break
    text = "Turkmen gas reaches Baku BAKU, Azerbaijan, May 3. Swap deliveries began."
    assert _pd(text, D(2024, 5, 3)) == ("BAKU", "2024-05-03")


def test_no_dateline():
    assert find_dateline("By Azernews\n\nAzerbaijan's oil exports rose in October, the customs said.",
                         D(2023, 11, 20)) is None
    assert find_dateline("Oil prices rose on Monday as traders eyed OPEC+.", D(2024, 1, 8)) is None
    far = "x " * 400 + "BAKU, Azerbaijan, November 29. Late text."
    assert find_dateline(far, D(2023, 11, 29)) is None
    assert find_dateline("", D(2023, 11, 29)) is None


@pytest.mark.parametrize("published", [None])
def test_dated_dateline_without_publication_date_keeps_place(published):
    r = find_dateline("TAIPEI, March 18 - Taiwan bought U.S. maize.", published)
    assert r["place"] == "TAIPEI" and r["date"] is None


def test_day_month_order_accents_and_comma_agency():
    assert _pd("TÜRKMENBAŞY, 14 January. /Kazinform/ - The port loaded a record volume.", D(2024, 1, 14)) == \
        ("TÜRKMENBAŞY", "2024-01-14")
    assert _pd("ALMATY, KAZINFORM - Wheat prices rose.", D(2024, 3, 1)) == ("ALMATY", "2024-03-01")
    assert _pd("MOSCOW, Jan 14 (Interfax) - Russia raised its export duty.", D(2024, 1, 15)) == \
        ("MOSCOW", "2024-01-14")


def test_place_and_dash_without_date_or_agency():
    assert _pd("ASTANA - Kazakhstan's wheat exports rose in March.", D(2024, 4, 2)) == ("ASTANA", "2024-04-02")
    assert _pd("BAKU, Azerbaijan, Nov.29 /Trend/ - SOCAR raised output.", D(2023, 11, 29)) == \
        ("BAKU", "2023-11-29")
    # a sentence that starts with a title-case country and a dash is no dateline
    assert find_dateline("Kazakhstan - the largest producer - raised output.", D(2024, 4, 2)) is None
