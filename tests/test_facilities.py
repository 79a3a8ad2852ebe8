"""Facilities: gazetteer, head-word patterns per kind, alias merging, rejections.

Sentences are the project's own, in wire style.
"""
import datetime as dt

import pytest

from extractors import load_pipeline
from extractors.facilities import find_facilities
from extractors.text import normalise


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def run(nlp, text, published=dt.date(2024, 11, 29)):
    doc = nlp.make_doc(normalise(text))
    doc._.published = published
    return nlp(doc, disable=["factwire_quantities"])


def facs(doc):
    return {f["name"]: f for f in doc._.facilities}


def test_gazetteer_aliases_merge_with_every_mention(nlp):
    text = ("BAKU, Azerbaijan, January 9. Azerbaijan shipped 2.1 million tons via the Baku-Tbilisi-Ceyhan "
            "(BTC) oil pipeline in December. BTC also carried Turkmen oil.")
    doc = run(nlp, text)
    btc = facs(doc)["Baku-Tbilisi-Ceyhan pipeline"]
    assert btc["kind"] == "pipeline"
    assert set(btc["aliases"]) == {"Baku-Tbilisi-Ceyhan", "BTC"}
    assert [text[s:e] for s, e in btc["mentions"]] == ["Baku-Tbilisi-Ceyhan", "BTC", "BTC"]
    assert len(doc._.facilities) == 1


def test_cpc_is_an_organisation_unless_a_pipeline_word_names_the_installation(nlp):
    doc = run(nlp, "ASTANA. KAZINFORM - CPC shipped 5 million tons in May. Repairs on the CPC pipeline "
                   "will end in June, the Caspian Pipeline Consortium said.")
    f = facs(doc)
    assert list(f) == ["Caspian Pipeline Consortium pipeline"]
    assert f["Caspian Pipeline Consortium pipeline"]["aliases"] == ["CPC pipeline"]
    assert len(f["Caspian Pipeline Consortium pipeline"]["mentions"]) == 1
    orgs = {o["name"]: o for o in doc._.organizations}
    assert len(orgs["Caspian Pipeline Consortium"]["mentions"]) == 2


def test_port_of_x_gives_x_port_and_the_place(nlp):
    doc = run(nlp, "PARIS, March 5 - Wheat exports through the port of Sete rose, and loadings at "
                   "Tartous port fell, traders said.", dt.date(1987, 3, 5))
    f = facs(doc)
    assert f["Sete port"]["kind"] == "port" and f["Sete port"]["aliases"] == ["port of Sete"]
    assert f["Tartous port"]["kind"] == "port"
    places = {p["name"] for p in doc._.places}
    assert "Sete" in places            # the port of X names the city too
    assert "Tartous" not in places     # "X port" is the facility's own name


def test_field_patterns_and_bare_name_mentions(nlp):
    text = ("OSLO, June 3 - Statoil will develop the Gullveig oil field next year. Gullveig holds "
            "heavy crude, and the nearby Hild oilfield is also planned.")
    doc = run(nlp, text, dt.date(1987, 6, 3))
    f = facs(doc)
    g = f["Gullveig field"]
    assert g["kind"] == "field" and "Gullveig oil field" in g["aliases"]
    assert [text[s:e] for s, e in g["mentions"]] == ["Gullveig oil field", "Gullveig"]
    assert f["Hild field"]["kind"] == "field"
    assert "Gullveig" not in {p["name"] for p in doc._.people + doc._.places + doc._.organizations}


def test_refinery_named_by_its_place(nlp):
    doc = run(nlp, "ROME, March 12 - Agip's refinery at Falconara will close for two weeks, while "
                   "the Sarroch refinery keeps running.", dt.date(1987, 3, 12))
    f = facs(doc)
    assert f["Falconara refinery"]["kind"] == "refinery"
    assert f["Sarroch refinery"]["kind"] == "refinery"
    assert "Falconara" in {p["name"] for p in doc._.places}


def test_state_qualified_refinery_and_generic_plant_merge(nlp):
    text = ("HOUSTON, April 2 - The company will buy half of a Port Arthur, Texas refinery. The Texas "
            "refinery needs repairs, and the Port Arthur plant runs 90,000 bpd.")
    doc = run(nlp, text, dt.date(1987, 4, 2))
    f = facs(doc)
    assert list(f) == ["Port Arthur refinery"]
    pa = f["Port Arthur refinery"]
    assert {"Port Arthur, Texas refinery", "Texas refinery", "Port Arthur plant"} <= set(pa["aliases"])
    assert len(pa["mentions"]) == 3
    places = {p["name"] for p in doc._.places}
    assert not places & {"Texas", "Port Arthur"}


def test_hyphenated_pipeline_and_terminal_and_platform(nlp):
    doc = run(nlp, "ASTANA, Kazakhstan, May 3. Oil moved through the Kenkiyak-Atyrau pipeline to the "
                   "Taman grain terminal, and the West Chirag platform resumed output.")
    f = facs(doc)
    assert f["Kenkiyak-Atyrau pipeline"]["kind"] == "pipeline"
    assert f["Taman terminal"]["kind"] == "terminal"
    assert f["West Chirag platform"]["kind"] == "platform"


def test_moorings_pumping_stations_and_storage(nlp):
    doc = run(nlp, "NOVOROSSIYSK, Russia, March 2. Loadings resumed at single-point mooring unit VPU-2 "
                   "while the SPM-3 single-point mooring stayed shut. A pumping station at Kropotkinskaya "
                   "was repaired. The Strategic Petroleum Reserve (SPR) was not tapped; SPR stocks held.")
    f = facs(doc)
    assert f["VPU-2"]["kind"] == "mooring"
    assert f["SPM-3"]["kind"] == "mooring"
    assert f["Kropotkinskaya pumping station"]["kind"] == "other"
    spr = f["Strategic Petroleum Reserve"]
    assert spr["kind"] == "storage" and spr["aliases"] == ["SPR"] and len(spr["mentions"]) == 3


def test_unnamed_owner_named_and_regional_mentions_are_rejected(nlp):
    doc = run(nlp, "LYON, France, June 2 - A fire hit a Shell storage unit in Lyon. The pipeline was shut, "
                   "a Colombian pipeline was attacked, and North Sea fields kept pumping. A refinery "
                   "in Texas closed and Kazakh oil fields were idle.", dt.date(1987, 6, 2))
    assert doc._.facilities == []


def test_ships_and_routes_are_not_facilities(nlp):
    doc = run(nlp, "BAKU, Azerbaijan, May 5. The tanker Kapitan Ivanov sailed on the Aktau-Baku route "
                   "along the Middle Corridor.")
    assert doc._.facilities == []


def test_find_facilities_is_callable_without_the_component(nlp):
    doc = nlp.make_doc(normalise("The Atyrau refinery processed more crude."))
    doc._.published = None
    for name, proc in nlp.pipeline:
        if name.startswith("factwire_") and name not in ("factwire_gazetteer_exact", "factwire_gazetteer_lower"):
            continue
        doc = proc(doc)
    items = find_facilities(doc)
    assert [(i["name"], i["kind"]) for i in items] == [("Atyrau refinery", "refinery")]
    assert items[0]["confidence"] >= 0.8 and items[0]["mentions"] == [[4, 19]]


def test_coordinated_names_share_a_plural_head_and_join_the_gazetteer(nlp):
    doc = run(nlp, "ASTANA. KAZINFORM - Containers moved via Aktau and Kuryk ports in May. Kuryk port "
                   "will expand, and the port of Aktau got new cranes.")
    f = facs(doc)
    assert set(f) == {"Aktau port", "Kuryk port"}
    assert len(f["Aktau port"]["mentions"]) == 2 and len(f["Kuryk port"]["mentions"]) == 2
    # only "the port of Aktau" names the city as well
    assert [p["name"] for p in doc._.places if p["name"] in ("Aktau", "Kuryk")] == ["Aktau"]


def test_headline_and_owner_named_plants(nlp):
    doc = run(nlp, "SAUDI EXPORTS FALL AS YANBU AND JUBAIL REFINERIES SHUT\n"
                   "RIYADH, May 3 - Cuts at the Yanbu and Jubail export refineries lowered exports, "
                   "while Champlin Petroleum Co said the Champlin refinery ran normally.", dt.date(1987, 5, 3))
    f = facs(doc)
    assert f["Yanbu refinery"]["kind"] == "refinery" and f["Jubail refinery"]["kind"] == "refinery"
    assert "Champlin refinery" not in f


def test_acronym_after_facility_and_also_known_as(nlp):
    text = ("BAKU, Azerbaijan, May 2. Output began at the Gunashli West platform (GWP). GWP will pump "
            "crude to the single-point mooring SPM-1, also known as VPU-1, at the terminal.")
    doc = run(nlp, text)
    f = facs(doc)
    gwp = f["Gunashli West platform"]
    assert gwp["kind"] == "platform" and gwp["aliases"] == ["GWP"]
    assert [text[s:e] for s, e in gwp["mentions"]] == ["Gunashli West platform", "GWP", "GWP"]
    assert f["SPM-1"]["aliases"] == ["VPU-1"] and f["SPM-1"]["kind"] == "mooring"
    assert "GWP" not in {o["name"] for o in doc._.organizations}


def test_facility_named_by_owner_and_city(nlp):
    doc = run(nlp, "ASTANA, Kazakhstan, May 3. Kazakh oil reached the MVK refinery in Leuna, while an "
                   "oil terminal in Novorossiysk was idle.")
    f = facs(doc)
    assert list(f) == ["Leuna refinery"]
    assert f["Leuna refinery"]["aliases"] == ["MVK refinery"]
    places = {p["name"] for p in doc._.places}
    assert {"Leuna", "Novorossiysk"} <= places


@pytest.mark.parametrize("text, name, short", [
    ("AKTAU, Kazakhstan, March 3. The Aktau International Sea Commercial Port handled 1.2 million tons "
     "of cargo in January-February. The port of Aktau expects more grain this year.",
     "Aktau International Sea Commercial Port", "Aktau port"),
    ("ASTANA, Kazakhstan, March 3. The Shymkent Oil Refinery processed 1.1 million tons in January. "
     "The Shymkent refinery plans a maintenance stop in May.",
     "Shymkent Oil Refinery", "Shymkent refinery"),
])
def test_a_facility_is_named_by_the_fullest_proper_name_written_for_it(nlp, text, name, short):
    found = facs(run(nlp, text))
    assert list(found) == [name]
    assert short in found[name]["aliases"] or short.replace(" port", "") in str(found[name]["aliases"])


def test_descriptions_and_port_of_forms_do_not_become_names(nlp):
    found = facs(run(nlp, "ROME, March 3. The Priolo crude refining units were shut. The Port of Aktau "
                          "and the port of Kuryk loaded grain."))
    assert "Priolo crude refining units" not in found
    assert "Aktau port" in found and "Port of Aktau" not in found
