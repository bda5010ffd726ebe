import pytest

from synco_shopify.planning import notes

TEXTS = notes.register(
    {
        "test.short": notes._lt("%(sku)s ships %(qty)s"),
        "test.list": notes._lt("Cannot push: %(parts)s"),
    }
)


def test_a_note_is_english_by_default_and_translated_when_rendered():
    note = notes.note("test.short", sku="SKU A", qty=2)
    assert str(note) == "SKU A ships 2"
    seen = []

    def translate(source, **values):
        seen.append(source)
        return ("<" + source + ">") % values

    assert note.render(translate) == "<SKU A ships 2>"
    assert seen == ["%(sku)s ships %(qty)s"]


def test_parts_are_rendered_and_joined_inside_their_note():
    parts = (notes.note("test.short", sku="A", qty=1), notes.note("test.short", sku="B", qty=2))
    whole = notes.Note("test.list", parts=parts)
    assert str(whole) == "Cannot push: A ships 1; B ships 2"
    assert notes.render([parts[0], "plain"]) == "A ships 1; plain"


def test_notes_compare_by_code_and_values():
    assert notes.note("test.short", sku="A", qty=1) == notes.note("test.short", sku="A", qty=1)
    assert notes.note("test.short", sku="A", qty=1) != notes.note("test.short", sku="A", qty=2)


def test_an_unknown_code_or_a_second_text_for_a_code_is_refused():
    with pytest.raises(KeyError):
        notes.note("test.nothing")
    with pytest.raises(ValueError):
        notes.register({"test.short": "another text"})
