import polars as pl
import pytest

from winiadmin.cleaning.mapping import (
    ColumnAliases,
    ColumnMapping,
    MappingError,
    MatchReason,
    headers_fingerprint,
    match_file_columns,
    normalised,
    sample_values,
)

EXPECTED = ["sku", "name", "price", "quantity", "category", "available_from"]


def pairs(
    headers: list[str],
    expected: list[str] = EXPECTED,
    aliases: ColumnAliases | None = None,
    chosen: ColumnMapping | None = None,
) -> dict[str, tuple[str | None, MatchReason]]:
    matches = match_file_columns(headers, expected, aliases, chosen)
    return {c.header: (c.target, c.reason) for c in matches.columns}


def test_normalised_ignores_case_accents_and_separators() -> None:
    assert normalised("  Catégorie ") == normalised("CATEGORIE") == "categorie"
    assert normalised("Available-From") == normalised("available.from") == "available_from"
    assert normalised("Prix  Unitaire") == "prix_unitaire"


def test_exact_names_match_first_and_win_over_loose_ones() -> None:
    found = pairs(["sku", "SKU", "name"])
    assert found["sku"] == ("sku", MatchReason.EXACT)
    assert found["SKU"] == (None, MatchReason.UNMATCHED)
    assert found["name"] == ("name", MatchReason.EXACT)


def test_case_spacing_and_accents_match_as_normalised() -> None:
    found = pairs([" SKU ", "Náme", "Available From", "PRICE"])
    assert found == {
        " SKU ": ("sku", MatchReason.NORMALISED),
        "Náme": ("name", MatchReason.NORMALISED),
        "Available From": ("available_from", MatchReason.NORMALISED),
        "PRICE": ("price", MatchReason.NORMALISED),
    }


def test_declared_aliases_match_ignoring_case_and_accents() -> None:
    aliases = {"price": ["Prix"], "category": ["Catégorie produit"]}
    found = pairs(["PRIX", "categorie produit"], aliases=aliases)
    assert found == {
        "PRIX": ("price", MatchReason.ALIAS),
        "categorie produit": ("category", MatchReason.ALIAS),
    }


def test_close_spellings_match_with_their_score() -> None:
    matches = match_file_columns(["prce", "quantiy", "colour"], EXPECTED)
    close = {c.header: (c.target, c.reason, c.score) for c in matches.columns}
    assert close["prce"][:2] == ("price", MatchReason.CLOSE)
    assert close["quantiy"][:2] == ("quantity", MatchReason.CLOSE)
    assert close["prce"][2] is not None and 0.8 <= close["prce"][2] < 1
    assert close["colour"] == (None, MatchReason.UNMATCHED, None)
    assert matches.needs_review


def test_ambiguous_close_spellings_are_not_guessed() -> None:
    # "code_c" is as close to code_a as to code_b.
    assert pairs(["code_c"], ["code_a", "code_b"]) == {"code_c": (None, MatchReason.UNMATCHED)}
    # Two headers as close to one column: neither gets it.
    assert pairs(["pricea", "priceb"], ["price"]) == {
        "pricea": (None, MatchReason.UNMATCHED),
        "priceb": (None, MatchReason.UNMATCHED),
    }


def test_winiadmin_reason_columns_are_never_close_matched() -> None:
    assert pairs(["reason"], ["reasons"])["reason"] == (None, MatchReason.UNMATCHED)


def test_a_chosen_mapping_comes_first_and_can_ignore_columns() -> None:
    chosen = ColumnMapping({"Label": "name", "name": None, "code": "sku"})
    matches = match_file_columns(["code", "name", "Label", "PRICE"], EXPECTED, chosen=chosen)
    assert {c.header: (c.target, c.reason) for c in matches.columns} == {
        "code": ("sku", MatchReason.CHOSEN),
        "name": (None, MatchReason.IGNORED),
        "Label": ("name", MatchReason.CHOSEN),
        "PRICE": ("price", MatchReason.NORMALISED),
    }
    assert matches.unmatched == ("quantity", "category", "available_from")
    frame = pl.DataFrame({"code": ["A"], "name": ["x"], "Label": ["Lamp"], "PRICE": ["2"]})
    assert matches.apply(frame).to_dicts() == [{"sku": "A", "name": "Lamp", "price": "2"}]


def test_a_chosen_mapping_finds_headers_by_normalised_name() -> None:
    chosen = ColumnMapping({"prix": "price"})
    found = pairs(["PRIX"], chosen=chosen)
    assert found == {"PRIX": ("price", MatchReason.CHOSEN)}


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ({"nope": "sku"}, "'nope', which is not a column of the file"),
        ({"code": "barcode"}, "'barcode', which the importer does not expect"),
        ({"code": "sku", "sku": "sku"}, "feeds 'sku' from more than one file column"),
    ],
)
def test_a_wrong_chosen_mapping_is_refused(chosen: dict[str, str], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        match_file_columns(["code", "sku"], EXPECTED, chosen=ColumnMapping(chosen))


def test_exact_headers_need_no_review_and_normalised_ones_neither() -> None:
    assert not match_file_columns(EXPECTED, EXPECTED).needs_review
    upper = [h.upper() for h in EXPECTED]
    matches = match_file_columns(upper, EXPECTED)
    assert not matches.needs_review
    assert len(matches.guessed) == len(EXPECTED)
    # A column missing and a spare file column that could be it: worth a look.
    assert match_file_columns([*EXPECTED[:-1], "other"], EXPECTED).needs_review
    # Nothing in the file could be it: the problems say what is missing.
    assert not match_file_columns(EXPECTED[:-1], EXPECTED).needs_review
    assert not match_file_columns([*EXPECTED[:-1], "reason"], EXPECTED).needs_review
    # Nothing matches at all: more likely the wrong sheet or header row than a mapping.
    assert not match_file_columns(["A-1", "Lamp", "2"], EXPECTED).needs_review


def test_closest_headers_for_messages() -> None:
    matches = match_file_columns(["Prix HT", "av from", "notes"], ["price", "available_from"])
    assert matches.unmatched == ("price", "available_from")
    assert matches.closest_headers("available_from") == ["av from"]
    assert matches.closest_headers("price") == ["Prix HT"]
    assert matches.closest_headers("sku") == []


def test_mapping_from_pairs_and_json() -> None:
    mapping = ColumnMapping.from_pairs(["Prix HT = price", "Notes="])
    assert mapping.as_json() == {"Prix HT": "price", "Notes": None}
    assert ColumnMapping.from_json({"a": "sku", "b": "", "c": None}).columns == {
        "a": "sku",
        "b": None,
        "c": None,
    }
    with pytest.raises(MappingError, match="File header=column"):
        ColumnMapping.from_pairs(["price"])


def test_fingerprint_ignores_order_case_and_accents() -> None:
    assert headers_fingerprint(["Prix", "Catégorie"]) == headers_fingerprint(["categorie", "PRIX"])
    assert headers_fingerprint(["Prix"]) != headers_fingerprint(["Prix", "Notes"])


def test_sample_values_skip_blanks() -> None:
    frame = pl.DataFrame({"a": [None, " ", "x", "y", "z", "w"], "b": [1, 2, None, 3, 4, 5]})
    assert sample_values(frame) == {"a": ["x", "y", "z"], "b": ["1", "2", "3"]}


def test_a_cleaned_column_is_shown_by_the_file_header_that_fed_it() -> None:
    # The cleaning class renames name → "Product name"; the file says "PRODUCT NAME".
    matches = match_file_columns(["sku", "PRODUCT NAME", "notes"], ["sku", "Product name"])
    labels = matches.headers_by_column({"sku": "sku", "name": "Product name", "price": "price"})
    assert labels == {"sku": "sku", "name": "PRODUCT NAME"}
