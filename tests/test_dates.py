"""DATES family: date phrases as spans resolved against the publication date.

Own wire-style sentences (Trend, AzerNews, Interfax-Kazakhstan, Kazinform, Reuters
1987 styles).  Each test asserts exact (text, start, end) triples.
"""
import datetime as dt

import pytest
import spacy

from extractors import dates as dates_mod
from extractors.dates import dates_in_sentence, find_dates, shift_year
from extractors.pipeline import resolve_model_name
from extractors.text import normalise


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.load(resolve_model_name())
    nlp.add_pipe("factwire_dateline")
    nlp.add_pipe("factwire_dates")
    return nlp


def run(nlp, text, published):
    doc = nlp.make_doc(normalise(text))
    doc._.published = dt.date.fromisoformat(published)
    doc = nlp(doc)
    for item in doc._.dates:
        assert doc.text[item["char_start"]:item["char_end"]] == item["text"]
        assert item["sentence"] and item["precision"]
    return [(d["text"], d["start"], d["end"]) for d in doc._.dates]


def test_days_months_years_absolute(nlp):
    text = ("ASTANA, Kazakhstan, January 14. KazTransOil pumped 1.3 million tons in December 2023 "
            "and will resume loadings on 2 February 2024, after a halt since Sept. 5, 2023. "
            "The contract signed on 29.11.2023 runs to 2030.")
    assert run(nlp, text, "2024-01-14") == [
        ("January 14", "2024-01-14", "2024-01-14"),
        ("December 2023", "2023-12-01", "2023-12-31"),
        ("2 February 2024", "2024-02-02", "2024-02-02"),
        ("Sept. 5, 2023", "2023-09-05", "2023-09-05"),
        ("29.11.2023", "2023-11-29", "2023-11-29"),
        ("2030", "2030-01-01", "2030-12-31"),
    ]


def test_dateline_date_is_an_entry_and_december_read_in_january(nlp):
    text = "BAKU, Azerbaijan, December 30. SOCAR shipped 2 million tons in December."
    out = run(nlp, text, "2024-01-02")
    assert out[0] == ("December 30", "2023-12-30", "2023-12-30")
    assert out[1] == ("December", "2023-12-01", "2023-12-31")


def test_quarters_and_halves(nlp):
    text = ("Exports in the first quarter of 2024 rose, Trend reports. Output in the second half of 2025 "
            "is planned at 3 mln tons; Q3 2023 loadings and first-half 2022 volumes were lower.")
    assert run(nlp, text, "2024-05-02") == [
        ("the first quarter of 2024", "2024-01-01", "2024-03-31"),
        ("the second half of 2025", "2025-07-01", "2025-12-31"),
        ("Q3 2023", "2023-07-01", "2023-09-30"),
        ("first-half 2022", "2022-01-01", "2022-06-30"),
    ]


def test_decades_and_seasons(nlp):
    text = ("ALGIERS, April 10 - Deliveries start next winter and will double in the 1990s. "
            "Maintenance is set for this summer, after a cold winter of 1985.")
    assert run(nlp, text, "1987-04-10") == [
        ("April 10", "1987-04-10", "1987-04-10"),
        ("next winter", "1987-12-01", "1988-02-29"),
        ("the 1990s", "1990-01-01", "1999-12-31"),
        ("this summer", "1987-06-01", "1987-08-31"),
        ("winter of 1985", "1985-12-01", "1986-02-28"),
    ]


def test_ranges_written_as_one_phrase(nlp):
    text = ("SINGAPORE, March 18 - The refinery will shut from March 25 to April 8 for repairs. "
            "Cargoes load between May 10 and October 10, with slots on July 24-26 and September 5-20. "
            "Exports in January-October rose, and January through November 2023 imports fell.")
    assert run(nlp, text, "1987-03-18")[1:] == [
        ("from March 25 to April 8", "1987-03-25", "1987-04-08"),
        ("between May 10 and October 10", "1987-05-10", "1987-10-10"),
        ("July 24-26", "1987-07-24", "1987-07-26"),
        ("September 5-20", "1987-09-05", "1987-09-20"),
        ("January-October", "1987-01-01", "1987-10-31"),
        ("January through November 2023", "2023-01-01", "2023-11-30"),
    ]


def test_two_days_of_one_month_are_two_entries(nlp):
    text = "TOKYO, March 3 - Two cargoes will load on April 5 and 20, traders said."
    assert run(nlp, text, "1987-03-03")[1:] == [
        ("April 5", "1987-04-05", "1987-04-05"),
        ("20", "1987-04-20", "1987-04-20"),
    ]


def test_weeks_ended(nlp):
    text = ("WASHINGTON, April 2 - Distillate stocks fell in the week ended March 27 and rose in the "
            "four weeks ended March 27. Gasoline stocks rose in the week ended March six.")
    assert run(nlp, text, "1987-04-02")[1:] == [
        ("the week ended March 27", "1987-03-21", "1987-03-27"),
        ("the four weeks ended March 27", "1987-02-28", "1987-03-27"),
        ("the week ended March six", "1987-02-28", "1987-03-06"),
    ]


def test_relative_to_publication_date(nlp):
    # published Wednesday 2024-01-17
    text = ("Kazakhstan exported more grain last year than it plans this year or next year, the ministry "
            "said today. Shipments fell last month and again earlier this month, and rose last week. "
            "A tanker ran aground last night; a second one docked yesterday and a third arrives tonight. "
            "The pipeline opened two years ago.")
    assert run(nlp, text, "2024-01-17") == [
        ("last year", "2023-01-01", "2023-12-31"),
        ("this year", "2024-01-01", "2024-12-31"),
        ("next year", "2025-01-01", "2025-12-31"),
        ("today", "2024-01-17", "2024-01-17"),
        ("last month", "2023-12-01", "2023-12-31"),
        ("earlier this month", "2024-01-01", "2024-01-31"),
        ("last week", "2024-01-08", "2024-01-14"),
        ("last night", "2024-01-16", "2024-01-16"),
        ("yesterday", "2024-01-16", "2024-01-16"),
        ("tonight", "2024-01-17", "2024-01-17"),
        ("two years ago", "2022-01-01", "2022-12-31"),
    ]


def test_weekdays_resolve_by_tense(nlp):
    # published Wednesday 2024-01-17
    text = ("The minister said on Monday that talks will resume on Friday. The deal was first "
            "discussed last Thursday and will be signed next Wednesday.")
    assert run(nlp, text, "2024-01-17") == [
        ("Monday", "2024-01-15", "2024-01-15"),
        ("Friday", "2024-01-19", "2024-01-19"),
        ("last Thursday", "2024-01-11", "2024-01-11"),
        ("next Wednesday", "2024-01-24", "2024-01-24"),
    ]


def test_year_ago_comparisons(nlp):
    text = ("Kazakhstan exported 5.1 mln tonnes of wheat in 2023, up from 4.2 mln tonnes a year earlier. "
            "Exports in January-October 2023 rose 12 pct compared with the same period last year. "
            "Aktau port handled 3 mln tonnes in the 1986/87 (Nov/Oct) season against 2.5 mln a year ago.")
    out = run(nlp, text, "2024-01-17")
    assert out == [
        ("2023", "2023-01-01", "2023-12-31"),
        ("a year earlier", "2022-01-01", "2022-12-31"),
        ("January-October 2023", "2023-01-01", "2023-10-31"),
        ("the same period last year", "2022-01-01", "2022-10-31"),
        ("the 1986/87 (Nov/Oct) season", "1986-11-01", "1987-10-31"),
        ("a year ago", "1985-11-01", "1986-10-31"),
    ]


def test_previous_year_takes_the_year_compared_with(nlp):
    text = ("NEW YORK, March 31 - Exxon said output rose in 1986 from the previous year. "
            "Refining earnings rose to two billion dlrs in 1986, up from 872 mln dlrs in 1985. "
            "Crude runs were 3.0 mln bpd against 2.9 mln bpd the previous year.")
    out = run(nlp, text, "1987-03-31")
    assert out[1:] == [
        ("1986", "1986-01-01", "1986-12-31"),
        ("the previous year", "1985-01-01", "1985-12-31"),
        ("1986", "1986-01-01", "1986-12-31"),
        ("1985", "1985-01-01", "1985-12-31"),
        ("the previous year", "1985-01-01", "1985-12-31"),
    ]


def test_crop_and_marketing_years(nlp):
    text = ("Kazakhstan exported 10 mln tons of wheat in the 2023/24 marketing year, Kazinform said. "
            "Corn exports in 1986/87 were lower.")
    assert run(nlp, text, "2024-07-10") == [
        ("the 2023/24 marketing year", "2023-07-01", "2024-06-30"),
        ("1986/87", "1986-09-01", "1987-08-31"),
    ]


def test_modifiers_are_dropped(nlp):
    text = ("LONDON, March 12 - The unit restarts early April; another shuts in early April until "
            "mid-June. Repairs last until end-July and prices ease by mid-April. "
            "Capacity reaches 2 mln tons by the end of 2025.")
    assert run(nlp, text, "1987-03-12")[1:] == [
        ("early April", "1987-04-01", "1987-04-30"),
        ("early April until mid-June", "1987-04-01", "1987-06-30"),
        ("end-July", "1987-07-01", "1987-07-31"),
        ("mid-April", "1987-04-01", "1987-04-30"),
        ("the end of 2025", "2025-01-01", "2025-12-31"),
    ]


def test_numbers_written_as_words_and_month_year_inference(nlp):
    text = ("BANGKOK, March 5 - The March five earthquake cut output. The association cut its crop "
            "estimate in November. Exporters expect delivery in October.")
    assert run(nlp, text, "1987-03-05")[1:] == [
        ("March five", "1987-03-05", "1987-03-05"),
        ("November", "1986-11-01", "1986-11-30"),
        ("October", "1987-10-01", "1987-10-31"),
    ]


def test_left_out_durations_times_and_vague_spans(nlp):
    text = ("The project will take two years and has grown in recent years. The fire broke out around "
            "1330 local time (1130 GMT) and burned 2000 tonnes of fuel; storage is currently 1,986 tonnes "
            "and shipments in the coming months may be lower. Output over the next five years will rise.")
    assert run(nlp, text, "2024-03-01") == []


def test_shift_year_and_sentence_helper():
    assert shift_year({"start": "2024-01-01", "end": "2024-02-29", "text": "x"}) == \
        {"start": "2023-01-01", "end": "2023-02-28", "text": "x"}
    assert shift_year({"start": "2023-02-01", "end": "2023-02-28"}, years=1) == \
        {"start": "2024-02-01", "end": "2024-02-29"}
    assert shift_year({"start": "2023-03-21", "end": "2023-03-27"}, years=-2)["start"] == "2021-03-21"
    items = [
        {"char_start": 10, "char_end": 14, "sentence_start": 0, "sentence": "x" * 60, "text": "2023"},
        {"char_start": 40, "char_end": 49, "sentence_start": 0, "sentence": "x" * 60, "text": "last year"},
        {"char_start": 70, "char_end": 74, "sentence_start": 61, "sentence": "x" * 30, "text": "2022"},
    ]
    near = dates_in_sentence(items, 35, 38)
    assert [d["text"] for d in near] == ["last year", "2023"]
    assert [d["text"] for d in dates_in_sentence(items, 80)] == ["2022"]


def test_find_dates_without_parse_or_publication_date():
    nlp = spacy.blank("en")
    doc = nlp.make_doc("Exports rose in March 2023 and last year.")
    doc._.published = None
    out = [(d["text"], d["start"], d["end"]) for d in find_dates(doc)]
    assert out == [("March 2023", "2023-03-01", "2023-03-31")]
    assert dates_mod.VERSION


def test_caspian_agency_period_styles(nlp):
    text = ("BAKU, Azerbaijan, Nov. 29. Azerbaijan exported 22.1 million tons of oil in 10M2023, Trend "
            "reports. Gas exports in the first decade of December will rise. The 2024–2025 marketing "
            "year starts on July 1. Deliveries in December 2023 – January 2024 were lower, and the "
            "target is reached between 2025 and 2030.")
    assert run(nlp, text, "2023-11-29")[1:] == [
        ("10M2023", "2023-01-01", "2023-10-31"),
        ("the first decade of December", "2023-12-01", "2023-12-10"),
        ("The 2024–2025 marketing year", "2024-07-01", "2025-06-30"),
        ("July 1", "2024-07-01", "2024-07-01"),
        ("December 2023 – January 2024", "2023-12-01", "2024-01-31"),
        ("between 2025 and 2030", "2025-01-01", "2030-12-31"),
    ]


def test_quarter_by_month_week_beginning_and_year_end(nlp):
    text = ("SYDNEY, April 30 - BHP output fell in the March quarter. Shipments in the week beginning "
            "May 4 rose, and the plant should be complete by year-end. Stocks at year-end 1986 were high.")
    assert run(nlp, text, "1987-04-30")[1:] == [
        ("the March quarter", "1987-01-01", "1987-03-31"),
        ("the week beginning May 4", "1987-05-04", "1987-05-10"),
        ("year-end", "1987-01-01", "1987-12-31"),
        ("year-end 1986", "1986-01-01", "1986-12-31"),
    ]


def test_may_the_verb_is_not_a_month(nlp):
    text = "Exports may rise, traders said. May be. Deliveries are due in May, and the deal may be signed on May 5."
    assert run(nlp, text, "2024-03-01") == [
        ("May", "2024-05-01", "2024-05-31"),
        ("May 5", "2024-05-05", "2024-05-05"),
    ]


def test_weekends(nlp):
    # published Wednesday 2024-01-17
    text = "Talks continue this weekend after a pause last weekend; storms are forecast next weekend."
    assert run(nlp, text, "2024-01-17") == [
        ("this weekend", "2024-01-20", "2024-01-21"),
        ("last weekend", "2024-01-13", "2024-01-14"),
        ("next weekend", "2024-01-27", "2024-01-28"),
    ]


def test_year_ago_month_and_previous_year_after_a_day(nlp):
    text = ("CHICAGO, March 2 - Volume in February totalled 8.2 mln contracts. Trade declined 14 pct "
            "from the year-ago month. Stocks on December 31, 1986 were 7.87 billion dlrs, down from the "
            "previous year's 7.9 billion dlrs.")
    assert run(nlp, text, "1987-03-02")[1:] == [
        ("February", "1987-02-01", "1987-02-28"),
        ("the year-ago month", "1986-02-01", "1986-02-28"),
        ("December 31, 1986", "1986-12-31", "1986-12-31"),
        ("the previous year", "1985-01-01", "1985-12-31"),
    ]
