"""QUANTITIES / FACTS family: amounts of a commodity tied to commodity, period,
facilities and status.

The sentences are the project's own, in the styles of the agencies factwire reads
(Trend, AzerNews, Interfax-Kazakhstan, Kazinform, Reuters 1987 and today).  The
dates and facilities families are stood in for by setting ``doc._.dates`` and
``doc._.facilities`` here, exactly as their contract describes them, so these
tests exercise only the linking rules of this family.
"""
import datetime as dt
import re

import pytest
import spacy

from extractors import extensions  # noqa: F401  (registers the Doc extensions)
from extractors.pipeline import resolve_model_name
from extractors.quantities import find_quantities
from extractors.text import normalise


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(resolve_model_name())


def run(nlp, text, published="2025-01-20", dates=(), facilities=()):
    """Quantities of ``text``; ``dates`` are (text, start, end, precision), ``facilities``
    are (name, kind, [surface forms]) located in the text as the other families would."""
    doc = nlp(normalise(text))
    doc._.published = dt.date.fromisoformat(published)
    items, pos = [], 0
    for surface, start, end, precision in dates:
        i = doc.text.index(surface, pos)
        pos = i + 1
        items.append({"text": surface, "start": start, "end": end, "precision": precision,
                      "char_start": i, "char_end": i + len(surface)})
    doc._.dates = items
    facs = []
    for name, kind, forms in facilities:
        mentions = []
        for form in forms:
            for m in re.finditer(re.escape(form), doc.text):
                if not any(s <= m.start() < e for s, e in mentions):
                    mentions.append([m.start(), m.end()])
        facs.append({"name": name, "kind": kind, "aliases": [], "mentions": sorted(mentions)})
    doc._.facilities = facs
    out = find_quantities(doc)
    for q in out:
        assert doc.text[q["char_start"]:q["char_end"]] == q["text"]
        assert q["sentence"] and 0 <= q["confidence"] <= 1
    return out


def amounts(items):
    return [(q["amount"], q["unit"], q["per"]) for q in items]


def one(items, text):
    found = [q for q in items if q["text"] == text]
    assert len(found) == 1, (text, [q["text"] for q in items])
    return found[0]


# ----------------------------------------------------------------------------- units and rates

def test_units_and_scales(nlp):
    text = ("Kazakhstan exported 2.2 million tons of grain, 3.376 million barrels of condensate, "
            "1.2mn cubic metres of gas, 450 mcm of associated gas, 10.8 bn cubic feet of gas, "
            "42,000 U.S. gallons of propane and 5.4 thousand tonnes of flour last year.")
    assert amounts(run(nlp, text)) == [
        (2_200_000, "t", None), (3_376_000, "bbl", None), (1_200_000, "m3", None),
        (450_000_000, "m3", None), (10_800_000_000, "ft3", None), (42_000, "gal", None),
        (5_400, "t", None)]


def test_rates(nlp):
    text = ("The field pumps 140,000 bpd of crude, the terminal ships 600,000 b/d and the "
            "refinery runs 136,000 bbl/day. Gas output reached 25 bcm a year, or about "
            "70 million cubic meters daily, while the plant makes 1.5 mln tonnes per annum "
            "and the LNG train has 5 MTPA. Fuel oil sales were 20 thousand tonnes a month.")
    assert amounts(run(nlp, text)) == [
        (140_000, "bbl", "day"), (600_000, "bbl", "day"), (136_000, "bbl", "day"),
        (25_000_000_000, "m3", "year"), (70_000_000, "m3", "day"),
        (1_500_000, "t", "year"), (5_000_000, "t", "year"), (20_000, "t", "month")]


def test_rate_after_of_commodity_and_not_a_year_ago(nlp):
    items = run(nlp, "The pipeline carried 1.6 billion cubic feet of gas per day, against "
                     "1.1 billion cubic feet a year ago.")
    assert amounts(items) == [(1_600_000_000, "ft3", "day"), (1_100_000_000, "ft3", None)]


def test_word_numbers_and_compound_numbers(nlp):
    items = run(nlp, "Traders expect stocks to fall three mln barrels. The port handled "
                     "2 million 895 thousand tons in 2024.")
    assert amounts(items) == [(3_000_000, "bbl", None), (2_895_000, "t", None)]


# ----------------------------------------------------------------------------- exclusions

def test_money_prices_percentages_distances_are_not_amounts(nlp):
    text = ("The company paid 45 mln dlrs for a cargo of 30,000 tonnes priced at 212.50 U.S. dlrs "
            "per tonne, about 6 pct above last month, and shipped it 1,200 km by rail at "
            "4.20 dlrs a barrel equivalent.")
    assert amounts(run(nlp, text)) == [(30_000, "t", None)]


def test_vessel_sizes_and_counts_are_not_amounts(nlp):
    text = ("A 100,000-tonne tanker and a 45,000 dwt bulk carrier, rated at 80,000 deadweight "
            "tonnes, or 600,000 barrels of crude, berthed at the port, where 12 ships and 300 wagons "
            "waited. The 40,000-tonne cargo of wheat left on Monday.")
    assert amounts(run(nlp, text)) == [(40_000, "t", None)]


def test_pollutant_emissions_are_not_amounts(nlp):
    text = ("The plant emitted 2.3 mln tonnes of CO2 last year, while its emissions of methane "
            "fell by 40,000 tonnes, and it refined 4 mln tonnes of crude.")
    assert amounts(run(nlp, text)) == [(4_000_000, "t", None)]


# ----------------------------------------------------------------------------- ranges and borrowed units

def test_ranges_give_one_quantity_per_end(nlp):
    text = ("Exports should reach 12 to 14 mln tonnes. Throughput was 140-150,000 bpd. "
            "Stocks may drop between 1.3 and four mln barrels. Shipments were between six and "
            "seven thousand cubic metres.")
    items = run(nlp, text)
    assert amounts(items) == [
        (12_000_000, "t", None), (14_000_000, "t", None), (140_000, "bbl", "day"),
        (150_000, "bbl", "day"), (1_300_000, "bbl", None), (4_000_000, "bbl", None),
        (6_000, "m3", None), (7_000, "m3", None)]
    assert items[0]["text"] == items[1]["text"] == "12 to 14 mln tonnes"
    assert items[2]["text"] == items[3]["text"] == "140-150,000 bpd"


def test_borrowed_unit_and_scale(nlp):
    text = ("Cargo turnover grew from 67 to 81.5mn tons. Distillate stocks fell 2.1 mln barrels "
            "to 118.4 mln, and the total of all stocks stood at 1,402.6, the agency said. "
            "Exports through the port fell to 612,400 tonnes from 688,150 a year earlier, with "
            "Egypt taking 120,300 of wheat.")
    items = run(nlp, text)
    assert amounts(items) == [
        (67_000_000, "t", None), (81_500_000, "t", None), (2_100_000, "bbl", None),
        (118_400_000, "bbl", None), (612_400, "t", None), (688_150, "t", None), (120_300, "t", None)]
    assert one(items, "120,300")["commodity"] == "wheat"


def test_bare_figures_without_a_unit_are_skipped(nlp):
    items = run(nlp, "The ministry counted 4,500 applications and 2,300 permits in 2024, "
                     "when 300 companies reported 15.6 mln in revenue.")
    assert items == []


def test_qualifiers_are_kept(nlp):
    items = run(nlp, "The terminal loaded about 1.1 million tons, up to 140,000 barrels a day, "
                     "at least 130,000 bpd and over 10,000 cubic metres.")
    assert [(q["text"], q["qualifier"]) for q in items] == [
        ("about 1.1 million tons", "about"), ("up to 140,000 barrels a day", "up to"),
        ("at least 130,000 bpd", "at least"), ("over 10,000 cubic metres", "over")]


# ----------------------------------------------------------------------------- status

def test_status_actual_and_planned(nlp):
    text = ("BAKU, Azerbaijan, January 20. About 1.2 million tons of oil were shipped from Aktau "
            "in 2024, and 1.6 million tons are planned for 2025, Trend reports. KazMunayGas plans "
            "to raise shipments to 2.5 million tons a year.")
    items = run(nlp, text, "2025-01-20", dates=[("January 20", "2025-01-20", "2025-01-20", "day"),
                                               ("2024", "2024-01-01", "2024-12-31", "year"),
                                               ("2025", "2025-01-01", "2025-12-31", "year")])
    assert [q["status"] for q in items] == ["actual", "planned", "planned"]


def test_status_forecast(nlp):
    text = ("Analysts expect crude inventories to rise 2.5 mln barrels. Output could reach "
            "1.9 mln bpd next year. The field is estimated to contain 380 mln barrels of oil. "
            "Proven gas reserves rose to 2.7 trillion cubic feet.")
    items = run(nlp, text, "1987-03-20")
    assert [q["status"] for q in items] == ["forecast", "forecast", "forecast", "forecast"]


def test_status_capacity(nlp):
    text = ("The refinery has a capacity of 175,000 barrels per day. The terminal can handle "
            "15 mln tonnes a year. Novak's plant (capacity 95,000 bpd) is idle. The whole "
            "120,000 bpd refinery stopped on Friday.")
    items = run(nlp, text)
    assert [q["status"] for q in items] == ["capacity"] * 4


def test_capacity_to_be_built_is_planned(nlp):
    text = ("The consortium recommended a pipeline with an eventual 400,000 bpd capacity. "
            "The expansion will add 1.2 bcm a year of capacity. The government called for "
            "a new refinery with a capacity of 10 mln tonnes a year.")
    assert [q["status"] for q in run(nlp, text)] == ["planned", "planned", "planned"]


def test_built_or_upgraded_to_carry_is_capacity_when_done_and_planned_while_under_way(nlp):
    text = ("The Kuryk line was built to carry 3 million tons a year. The Aktau terminal is being "
            "modernised to handle 5 million tons a year. The Atyrau plant, which was upgraded to process "
            "5.5 million tons a year, restarted on Monday.")
    assert [q["status"] for q in run(nlp, text)] == ["capacity", "planned", "capacity"]


def test_an_estimate_of_what_happened_is_actual(nlp):
    text = ("Grain exports through Aktau rose to nearly 2 million tons last year, analysts estimate. "
            "Analysts estimate exports could reach 3 million tons next year.")
    assert [q["status"] for q in run(nlp, text)] == ["actual", "forecast"]


def test_a_capacity_raised_by_a_finished_expansion_is_capacity(nlp):
    text = ("KazTransOil has completed an upgrade of the Atasu pumping station, raising its capacity to "
            "20 million tons a year. It plans an expansion raising capacity to 25 million tons a year.")
    assert [q["status"] for q in run(nlp, text)] == ["capacity", "planned"]


def test_status_agreed(nlp):
    text = ("Jordan bought 180,000 tonnes of Black Sea wheat in a tender. Under the deal, the "
            "company will supply 90,000 barrels a day to the refinery. The country's OPEC "
            "output quota is 1.2 mln bpd. A trading house secured a deal for a cargo of 55,000 tonnes "
            "priced at 210 dlrs per tonne fob.")
    assert [q["status"] for q in run(nlp, text)] == ["agreed", "agreed", "agreed", "agreed"]


def test_intention_and_request_are_planned(nlp):
    text = ("The importer was interested in purchasing 1.5 mln tonnes of maize. Georgia asked "
            "Azerbaijan to help by lending 40,000 barrels per day.")
    assert [q["status"] for q in run(nlp, text)] == ["planned", "planned"]


def test_sales_flows_are_actual_not_agreed(nlp):
    text = "Fuel sales eased to 3.9 mln barrels per day. The trading arm sold an average of 1.4 bcf of gas per day."
    assert [q["status"] for q in run(nlp, text)] == ["actual", "actual"]


# ----------------------------------------------------------------------------- commodity

def test_commodity_from_complement_subject_and_installation(nlp):
    text = ("Gasoline stocks fell 1.8 mln barrels and heating oil inventories rose 600,000 barrels. "
            "Shipments totalled 61,200 tonnes of wheat and maize. Crude production will slide to "
            "58 mln barrels. The refinery has a capacity of 150,000 bpd.")
    items = run(nlp, text, facilities=[("Alpha refinery", "refinery", ["Alpha refinery"])])
    assert [q["commodity"] for q in items] == [
        "gasoline", "heating oil", "wheat and maize", "crude oil", "crude oil"]


def test_commodity_not_taken_from_company_names(nlp):
    text = ("Vietnam awarded tenders for 300,000 tonnes of maize. Pacific Grain Corp took two "
            "lots totalling 80,000 tonnes.")
    items = run(nlp, text)
    assert [q["commodity"] for q in items] == ["maize", "maize"]


def test_barrels_default_to_oil(nlp):
    items = run(nlp, "The Gulf producer holds an output quota of 530,000 bpd.")
    assert items[0]["commodity"] == "oil"


# ----------------------------------------------------------------------------- period

def test_period_of_the_clause_and_year_ago(nlp):
    text = ("Oil transportation via the pipeline in January-October 2025 amounted to 52.3 mln "
            "tonnes, compared with 49.8 mln tonnes a year earlier.")
    items = run(nlp, text, "2025-11-05",
                dates=[("January-October 2025", "2025-01-01", "2025-10-31", "range"),
                       ("a year earlier", "2024-01-01", "2024-10-31", "range")])
    assert [q["period"] for q in items] == [
        {"start": "2025-01-01", "end": "2025-10-31"}, {"start": "2024-01-01", "end": "2024-10-31"}]


def test_each_figure_takes_its_own_date(nlp):
    text = ("About 1.1 million tons were shipped in 2023, 1.4 million in 2024, and 1.7 million "
            "are planned for 2025.")
    items = run(nlp, text, "2025-01-20",
                dates=[("2023", "2023-01-01", "2023-12-31", "year"),
                       ("2024", "2024-01-01", "2024-12-31", "year"),
                       ("2025", "2025-01-01", "2025-12-31", "year")])
    assert [(q["amount"], q["period"]["start"][:4], q["status"]) for q in items] == [
        (1_100_000, "2023", "actual"), (1_400_000, "2024", "actual"), (1_700_000, "2025", "planned")]


def test_comparison_without_date_gets_the_span_one_year_earlier(nlp):
    items = run(nlp, "Wheat exports rose to 4.1 mln tonnes in 2024 from 3.6 mln tonnes.", "2025-02-01",
                dates=[("2024", "2024-01-01", "2024-12-31", "year")])
    assert [q["period"] for q in items] == [
        {"start": "2024-01-01", "end": "2024-12-31"}, {"start": "2023-01-01", "end": "2023-12-31"}]


def test_week_ended_and_rate_without_time(nlp):
    text = ("Crude inventories climbed 2.4 mln barrels in the week ended June 12. "
            "The field now pumps 80,000 barrels a day.")
    items = run(nlp, text, "1987-06-17",
                dates=[("the week ended June 12", "1987-06-06", "1987-06-12", "week")])
    assert items[0]["period"] == {"start": "1987-06-06", "end": "1987-06-12"}
    assert items[1]["period"] is None


def test_date_of_a_report_is_not_the_period(nlp):
    text = "The survey, dated June 11, said mills were interested in 640,000 tonnes of barley."
    items = run(nlp, text, "1987-04-01", dates=[("June 11", "1987-06-11", "1987-06-11", "day")])
    assert items[0]["period"] is None


def test_capacity_has_no_period(nlp):
    text = "The refinery at Sandport (capacity 88,000 bpd) will shut on May 3."
    items = run(nlp, text, "1987-04-28", dates=[("May 3", "1987-05-03", "1987-05-03", "day")])
    assert items[0]["status"] == "capacity" and items[0]["period"] is None


# ----------------------------------------------------------------------------- facilities

CPC = ("Caspian Pipeline Consortium pipeline", "pipeline", ["CPC pipeline"])
AKTAU = ("Aktau port", "port", ["port of Aktau"])
BTC = ("Baku-Tbilisi-Ceyhan pipeline", "pipeline", ["Baku-Tbilisi-Ceyhan pipeline", "BTC"])


def test_facilities_by_preposition_and_subject(nlp):
    text = ("ASTANA. Jan 14 (Interfax-Kazakhstan) - Oil transportation via the CPC pipeline reached "
            "63 mln tonnes in 2024. Kazakhstan shipped 1.1 mln tonnes of oil from the port of Aktau "
            "for onward export through the Baku-Tbilisi-Ceyhan pipeline.")
    items = run(nlp, text, "2025-01-14", facilities=[CPC, AKTAU, BTC])
    assert items[0]["facilities"] == ["Caspian Pipeline Consortium pipeline"]
    assert sorted(items[1]["facilities"]) == ["Aktau port", "Baku-Tbilisi-Ceyhan pipeline"]


def test_facility_relative_clause_and_possessive(nlp):
    text = ("BTC, which runs from Baku to the port of Aktau's twin, has a capacity of 1.2 million "
            "barrels per day. The CPC pipeline's throughput was 1.5 mln bpd.")
    items = run(nlp, text, facilities=[BTC, CPC, AKTAU])
    assert items[0]["facilities"] == ["Baku-Tbilisi-Ceyhan pipeline"]
    assert items[1]["facilities"] == ["Caspian Pipeline Consortium pipeline"]


def test_definite_description_and_capacity_anaphora(nlp):
    text = ("Repsol will idle its Alpha refinery in April. Capacity is 180,000 bpd. "
            "The refinery ran 150,000 bpd in March.")
    alpha = ("Alpha refinery", "refinery", ["Alpha refinery"])
    items = run(nlp, text, "1987-03-12", facilities=[alpha],
                dates=[("April", "1987-04-01", "1987-04-30", "month"),
                       ("March", "1987-03-01", "1987-03-31", "month")])
    assert [q["facilities"] for q in items] == [["Alpha refinery"], ["Alpha refinery"]]


def test_a_pronoun_that_can_only_be_the_installation(nlp):
    text = ("The Kuryk port was reopened in May after dredging. It handled 1.4 million tons of cargo "
            "in June, and its capacity is to reach 6 million tons a year. Kazakhstan said its exports "
            "rose to 2 million tons.")
    kuryk = ("Kuryk port", "port", ["Kuryk port"])
    items = run(nlp, text, facilities=[kuryk])
    assert [q["facilities"] for q in items] == [["Kuryk port"], ["Kuryk port"], []]


def test_its_is_the_topic_not_an_installation_named_in_passing(nlp):
    text = ("The Atyrau refinery, which lies east of the Kuryk port, processed 2.9 million tons in "
            "January-June. Its capacity is 5.5 million tons a year.")
    atyrau = ("Atyrau refinery", "refinery", ["Atyrau refinery"])
    kuryk = ("Kuryk port", "port", ["Kuryk port"])
    items = run(nlp, text, facilities=[atyrau, kuryk])
    assert [q["facilities"] for q in items] == [["Atyrau refinery"], ["Atyrau refinery"]]


def test_a_total_does_not_inherit_the_installation_named_before(nlp):
    text = ("The Atyrau refinery processed 2.9 million tons in January-June. Total refining in the "
            "country rose to 8.1 million tons.")
    atyrau = ("Atyrau refinery", "refinery", ["Atyrau refinery"])
    items = run(nlp, text, facilities=[atyrau])
    assert [q["facilities"] for q in items] == [["Atyrau refinery"], []]


def test_facility_of_another_clause_is_not_tied(nlp):
    text = ("Under the accord, the supplier will deliver 90,000 barrels a day to the Alpha refinery "
            "with an option to sell 30,000 bpd more through its own retail network.")
    alpha = ("Alpha refinery", "refinery", ["Alpha refinery"])
    items = run(nlp, text, facilities=[alpha])
    assert items[0]["facilities"] == ["Alpha refinery"]
    assert items[1]["facilities"] == []


# ----------------------------------------------------------------------------- more rule families

def test_rate_written_as_adjective_and_shared_by_coordination(nlp):
    text = ("The country's daily output averaged 610,000 barrels. The port can handle 9 million tons "
            "of cargo and 50,000 TEU of containers a year. The terminal has a capacity of 12 bcm a "
            "year, of which 4 bcm is reserved for Georgia and 8 bcm for Turkey.")
    assert amounts(run(nlp, text)) == [
        (610_000, "bbl", "day"), (9_000_000, "t", "year"), (12_000_000_000, "m3", "year"),
        (4_000_000_000, "m3", "year"), (8_000_000_000, "m3", "year")]


def test_parts_and_conversions_share_the_whole(nlp):
    text = ("Ukraine shipped 4.1 mln tonnes of grain in March, including 2.3 mln tonnes of corn "
            "and 1.4 mln tonnes of wheat. Kazakhstan plans to deliver 1.5 million tonnes of oil "
            "this year, or about 125,000 tonnes a month.")
    items = run(nlp, text, "2025-04-02",
                dates=[("March", "2025-03-01", "2025-03-31", "month"),
                       ("this year", "2025-01-01", "2025-12-31", "year")])
    march = {"start": "2025-03-01", "end": "2025-03-31"}
    assert [(q["commodity"], q["period"]) for q in items[:3]] == [
        ("grain", march), ("corn", march), ("wheat", march)]
    assert [(q["status"], q["per"], q["period"]["start"]) for q in items[3:]] == [
        ("planned", None, "2025-01-01"), ("planned", "month", "2025-01-01")]


def test_is_to_and_capacity_expansion_are_planned(nlp):
    text = ("Transit through the corridor is to reach 3 million tons per year. The pipeline has a "
            "capacity of 10 bcm per year, which will be expanded to 20 bcm.")
    items = run(nlp, text, facilities=[("Delta pipeline", "pipeline", ["The pipeline"])])
    assert [(q["amount"], q["per"], q["status"]) for q in items] == [
        (3_000_000, "year", "planned"), (10_000_000_000, "year", "capacity"),
        (20_000_000_000, "year", "planned")]


def test_relative_clause_keeps_its_own_tense(nlp):
    text = "Exxon will cut output by 50,000 bpd at its Gamma refinery, which processes 400,000 bpd."
    items = run(nlp, text, "1987-03-02", facilities=[("Gamma refinery", "refinery", ["Gamma refinery"])])
    assert [q["status"] for q in items] == ["planned", "actual"]
    assert [q["facilities"] for q in items] == [["Gamma refinery"], ["Gamma refinery"]]


def test_comparison_with_previous_period_and_conversion(nlp):
    text = ("Seaborne exports fell to 3.1 million bpd in the four weeks to April 6 from 3.4 million "
            "bpd in the previous period. Imports in May fell to 3.15 mln kilolitres, equivalent to "
            "661,000 bpd, from 3.39 mln a year earlier.")
    items = run(nlp, text, "2025-06-04",
                dates=[("the four weeks to April 6", "2025-03-10", "2025-04-06", "range"),
                       ("May", "2025-05-01", "2025-05-31", "month"),
                       ("a year earlier", "2024-05-01", "2024-05-31", "month")])
    assert [(q["amount"], q["unit"], q["period"]["start"]) for q in items] == [
        (3_100_000, "bbl", "2025-03-10"), (3_400_000, "bbl", "2025-02-10"),
        (3_150_000, "m3", "2025-05-01"), (661_000, "bbl", "2025-05-01"), (3_390_000, "m3", "2024-05-01")]


def test_reserves_and_seen_projections_are_forecasts(nlp):
    text = ("The audit recorded a drop in proven oil reserves to 3.1 billion barrels. "
            "Purchases are seen climbing to 44 mln tonnes. Today's output of 95 mln tonnes a year "
            "should increase to 120 mln tonnes a year.")
    assert [q["status"] for q in run(nlp, text)] == ["forecast", "forecast", "actual", "forecast"]


def test_deal_clause_and_transport_work(nlp):
    text = ("Turkey signed a swap deal that allows up to 1.3 billion cubic metres to flow this year. "
            "Demand for shipping fell by 200 billion tonne-miles.")
    items = run(nlp, text)
    assert [(q["amount"], q["status"]) for q in items] == [(1_300_000_000, "agreed")]


def test_possessive_comparison_and_baseline_date(nlp):
    text = ("The producer expects its oil output to slip about four pct this year from last year's "
            "88 mln barrels. Egypt's 1987 rice output is expected to grow 6 pct over 1986 to "
            "2.6 mln tonnes.")
    items = run(nlp, text, "1987-04-10",
                dates=[("this year", "1987-01-01", "1987-12-31", "year"),
                       ("last year's", "1986-01-01", "1986-12-31", "year"),
                       ("1987", "1987-01-01", "1987-12-31", "year"),
                       ("1986", "1986-01-01", "1986-12-31", "year")])
    assert [(q["status"], q["period"]["start"]) for q in items] == [
        ("actual", "1986-01-01"), ("forecast", "1987-01-01")]


def test_elliptical_figures_share_clause_installation_and_own_date(nlp):
    text = ("About 1.1 million tons were shipped from Aktau toward BTC in 2023, 1.4 million in 2024, "
            "1.7 million planned for 2025. The port of Aktau, which handles 4.5 million tons of oil a "
            "year, will be expanded.")
    items = run(nlp, text, "2025-01-20", facilities=[BTC, AKTAU],
                dates=[("2023", "2023-01-01", "2023-12-31", "year"),
                       ("2024", "2024-01-01", "2024-12-31", "year"),
                       ("2025", "2025-01-01", "2025-12-31", "year")])
    assert [(q["amount"], q["period"] and q["period"]["start"][:4], q["status"]) for q in items] == [
        (1_100_000, "2023", "actual"), (1_400_000, "2024", "actual"), (1_700_000, "2025", "planned"),
        (4_500_000, None, "actual")]
    assert items[0]["facilities"] == items[1]["facilities"] == ["Baku-Tbilisi-Ceyhan pipeline"]
    assert items[3]["facilities"] == ["Aktau port"]


def test_abbreviation_before_rate_installation_modifier_and_participle(nlp):
    text = ("The field produced 4.2 million cubic meters (mcm) of gas per day in January. A 5.2 mtpa "
            "LNG plant shipped its first cargo. The country overshot its quota of 1.21 million bpd, "
            "pumping 1.45 million bpd in March.")
    items = run(nlp, text, "2025-04-05",
                dates=[("January", "2025-01-01", "2025-01-31", "month"),
                       ("March", "2025-03-01", "2025-03-31", "month")])
    assert amounts(items) == [(4_200_000, "m3", "day"), (5_200_000, "t", "year"),
                              (1_210_000, "bbl", "day"), (1_450_000, "bbl", "day")]
    assert [q["status"] for q in items] == ["actual", "capacity", "agreed", "actual"]


def test_more_vessel_sizes_and_emission_subjects(nlp):
    text = ("The tanker Sapphire, 104,500 tonnes dw, was damaged. Yards won two ships of 61,200 tons. "
            "The barges range in size from 2,000 to 3,500 tonnes. The wreck of the 5,300 ton "
            "roll-on ferry was lifted. The emission level of sulphur dioxide is expected to fall to 1.1 mln "
            "tonnes a year. The tug sank with a cargo of 3,500 tonnes of gravel.")
    assert amounts(run(nlp, text)) == [(3_500, "t", None)]


def test_completed_expansion_is_capacity_and_passive_can_is_not(nlp):
    text = ("The unit was upgraded to a capacity of 410,000 bpd last year. A further "
            "300,000 tonnes of corn can be shipped from August. Pakistan aims to produce 52 mln tonnes "
            "of foodgrains by 2030.")
    items = run(nlp, text)
    assert [(q["status"], q["commodity"]) for q in items] == [
        ("capacity", "oil"), ("forecast", "corn"), ("planned", "grain")]


def test_bracketed_comparison_takes_the_baseline_span(nlp):
    text = ("Oil production in January-September 2025 rose 13% to 71.6 mln tonnes compared to the "
            "same period of 2024 (63.4 mln tonnes), the ministry said.")
    items = run(nlp, text, "2025-10-05",
                dates=[("January-September 2025", "2025-01-01", "2025-09-30", "range"),
                       ("the same period of 2024", "2024-01-01", "2024-09-30", "range")])
    assert [q["period"] for q in items] == [
        {"start": "2025-01-01", "end": "2025-09-30"}, {"start": "2024-01-01", "end": "2024-09-30"}]


def test_robust_on_empty_and_unparsed_docs(nlp):
    assert find_quantities(nlp("")) == []
    doc = nlp.make_doc("Kazakhstan exported 5 mln tonnes of oil in 2024.")
    items = find_quantities(doc)
    assert [(q["amount"], q["unit"], q["commodity"]) for q in items] == [(5_000_000, "t", "oil")]


def test_installation_sizes_quota_participle_and_projected_outcomes(nlp):
    text = ("The group will acquire its partner's 95,000 barrel-per-day refinery. The 12,000 barrel per day "
            "heavy oil project will be built next year. The agency expects the feed market will expand "
            "to 2.7 mln tonnes. Oman will cover Yemen's output quota, set at 185,000 barrels per day.")
    items = run(nlp, text, "1987-03-10")
    assert [(q["amount"], q["per"], q["status"]) for q in items] == [
        (95_000, "day", "capacity"), (12_000, "day", "planned"), (2_700_000, None, "forecast"),
        (185_000, "day", "agreed")]


def test_participle_after_comma_describes_the_installation_before_it(nlp):
    text = ("Plans call for subsea wells to drain the Omega field's main sandstone, estimated to hold "
            "420 mln barrels of oil, and a floating unit to store it.")
    omega = ("Omega field", "field", ["Omega field"])
    items = run(nlp, text, facilities=[omega])
    assert [(q["status"], q["facilities"]) for q in items] == [("forecast", ["Omega field"])]


def test_destination_in_a_participle_phrase_of_the_amount(nlp):
    omega = ("Omega terminal", "terminal", ["Omega terminal"])
    text = "Exports rose to 1.2 mln bpd in May, with most of the crude shipped through the Omega terminal."
    items = run(nlp, text, facilities=[omega])
    assert items[0]["facilities"] == ["Omega terminal"]
    text = "Exports rose to 1.2 mln bpd in May, while the rest of the crude was shipped through the Omega terminal."
    items = run(nlp, text, facilities=[omega])
    assert items[0]["facilities"] == []


def test_main_figure_does_not_take_a_comparison_span(nlp):
    text = ("Soybean estimates ranged from 9 mln to 12 mln bushels, compared with 10.5 mln bushels a week "
            "ago and 7.7 mln bushels a year ago.")
    items = run(nlp, text, "1987-04-06",
                dates=[("a week ago", "1987-03-30", "1987-04-05", "week"),
                       ("a year ago", "1986-01-01", "1986-12-31", "year")])
    assert [q["period"] and q["period"]["start"] for q in items] == [None, None, "1987-03-30", "1986-01-01"]


def test_comparison_figure_of_a_plan_is_actual_and_goods_stay_in_their_clause(nlp):
    text = ("The company plans to ship 2.5 mln tonnes through the port of Aktau next year, up from "
            "1.9 mln tonnes. The port of Aktau handled 3.9 mln tonnes of cargo, while the Atyrau "
            "refinery processed 5.3 mln tonnes.")
    atyrau = ("Atyrau refinery", "refinery", ["Atyrau refinery"])
    items = run(nlp, text, facilities=[AKTAU, atyrau])
    assert [(q["status"], q["commodity"], q["facilities"]) for q in items] == [
        ("planned", None, ["Aktau port"]), ("actual", None, ["Aktau port"]),
        ("actual", "cargo", ["Aktau port"]), ("actual", "crude oil", ["Atyrau refinery"])]


def test_amount_on_an_installation_noun_belongs_to_that_installation(nlp):
    text = ("The refinery at Kumkol (capacity 60,000 bpd) will close on May 4, and the state-owned "
            "refinery at Pavlodar, capacity 110,000 bpd, will restart in June.")
    kumkol = ("Kumkol refinery", "refinery", ["refinery at Kumkol"])
    pavlodar = ("Pavlodar refinery", "refinery", ["refinery at Pavlodar"])
    items = run(nlp, text, facilities=[kumkol, pavlodar])
    assert [(q["status"], q["facilities"]) for q in items] == [
        ("capacity", ["Kumkol refinery"]), ("capacity", ["Pavlodar refinery"])]


def test_capacity_owner_and_part_of_a_whole(nlp):
    text = ("Talks continue on Line E of the Trans-Steppe gas pipeline, which would add 20 bcm a year. "
            "Line E would bring the total capacity of the Trans-Steppe gas pipeline to 75 bcm per year.")
    line = ("Line E", "pipeline", ["Line E"])
    whole = ("Trans-Steppe gas pipeline", "pipeline", ["Trans-Steppe gas pipeline"])
    items = run(nlp, text, facilities=[line, whole])
    assert [q["facilities"] for q in items] == [["Line E"], ["Trans-Steppe gas pipeline"]]


def test_doubling_a_capacity_keeps_its_rate_basis(nlp):
    text = ("The refinery can process 4 million tons of oil a year, and the owner plans to double "
            "its capacity to 8 million tons.")
    items = run(nlp, text)
    assert [(q["amount"], q["per"], q["status"]) for q in items] == [
        (4_000_000, "year", "capacity"), (8_000_000, "year", "planned")]


def test_a_part_of_a_rate_named_with_including_is_a_rate(nlp):
    text = ("The Kuryk line can carry up to 30 million tons a year, including 12 million tons from "
            "Turkmenistan. Aktau handled 5 million tons in 2024, including 2 million tons of grain.")
    assert amounts(run(nlp, text)) == [(30e6, "t", "year"), (12e6, "t", "year"),
                                       (5e6, "t", None), (2e6, "t", None)]


def test_a_gapped_clause_shares_the_rate_and_a_full_clause_does_not(nlp):
    text = ("The Aktau terminal can load 8 million tons a year, and the Kuryk terminal about 4 million tons. "
            "Aktau loaded 3 million tons a year earlier, and Kuryk handled 1 million tons.")
    assert [q["per"] for q in run(nlp, text)] == ["year", "year", None, None]
