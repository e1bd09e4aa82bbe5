import pytest
from shop.models import Category

from winiadmin.importers import (
    BooleanOption,
    ChoiceOption,
    IntegerOption,
    ModelOption,
    StringOption,
)


def test_string_and_label() -> None:
    option = StringOption(name="note_text")
    assert option.parse(" as typed ") == " as typed "
    assert option.display_label == "Note text"
    assert StringOption(name="x", label="Fancy").display_label == "Fancy"


def test_integer() -> None:
    assert IntegerOption(name="n").parse(" 12 ") == 12
    with pytest.raises(ValueError, match="n: 'twelve' is not a whole number"):
        IntegerOption(name="n").parse("twelve")


@pytest.mark.parametrize(
    ("text", "value"), [("yes", True), ("1", True), ("off", False), ("", False)]
)
def test_boolean(text: str, value: bool) -> None:
    assert BooleanOption(name="b").parse(text) is value


def test_boolean_refuses_other_text() -> None:
    with pytest.raises(ValueError, match="b: 'perhaps' is not yes or no"):
        BooleanOption(name="b").parse("perhaps")


def test_choice() -> None:
    option = ChoiceOption(name="mode", choices=[("fast", "Fast"), ("safe", "Safe")])
    assert option.parse("safe") == "safe"
    with pytest.raises(ValueError, match="not one of fast, safe"):
        option.parse("slow")


@pytest.mark.django_db
def test_model_option_by_field_and_by_pk() -> None:
    books = Category.objects.create(name="Books")
    assert ModelOption(name="c", model=Category, to_field="name").parse(" Books ") == books
    assert ModelOption(name="c", model=Category).parse(str(books.pk)) == books
    with pytest.raises(ValueError, match="no category with name 'Toys'"):
        ModelOption(name="c", model=Category, to_field="name").parse("Toys")
    with pytest.raises(ValueError, match="'abc' is not a valid pk for category"):
        ModelOption(name="c", model=Category).parse("abc")


@pytest.mark.django_db
def test_model_option_limits_choices_and_reports_ambiguity() -> None:
    Category.objects.create(name="Books")
    limited = ModelOption(
        name="c", model=Category, to_field="name", limit_choices_to={"name": "Toys"}
    )
    with pytest.raises(ValueError, match="no category"):
        limited.parse("Books")
    Category.objects.create(name="Books2")
    ambiguous = ModelOption(name="c", model=Category, to_field="name__startswith")
    with pytest.raises(ValueError, match="several category objects"):
        ambiguous.parse("Books")


@pytest.mark.django_db
def test_model_option_keeps_a_stored_value_with_spaces() -> None:
    spaced = Category.objects.create(name=" Books ")
    option = ModelOption(name="c", model=Category, to_field="name")
    assert option.parse(option.to_text(spaced)) == spaced
    plain = Category.objects.create(name="Toys")
    assert option.parse(" Toys ") == plain
