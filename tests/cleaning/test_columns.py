from winiadmin.cleaning.columns import header_key, match_columns


def test_header_key_ignores_case_spaces_and_separators() -> None:
    assert header_key("  Available From ") == header_key("available_from") == "available_from"
    assert header_key("unit-price") == "unit_price"


def test_exact_then_loose_match() -> None:
    match = match_columns(
        ["SKU", "name", "Unit Price", "notes"], ["sku", "name", "unit_price", "qty"]
    )
    assert match.renames == {"SKU": "sku", "Unit Price": "unit_price"}
    assert match.missing == ("qty",)
    assert match.unexpected == ("notes",)


def test_an_exact_match_wins_over_a_loose_one() -> None:
    match = match_columns(["sku", "SKU"], ["sku"])
    assert match.renames == {}
    assert match.unexpected == ("SKU",)
