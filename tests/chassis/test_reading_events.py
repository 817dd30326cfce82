"""How a consumer reads an event, without a broker or a database: the envelope is checked,
the data loaded with the consumer's reading, and what does not load is refused with its reason."""
import pytest
from marshmallow import fields

from crm_chassis.events import Reading, Unreadable, make_envelope, read_event


class NoteReading(Reading):
    text = fields.String(required=True)
    pages = fields.Integer(load_default=1)


def test_the_data_is_loaded_by_the_reading_ignoring_fields_it_does_not_know():
    envelope = make_envelope("note.written.v1", {"text": "hello", "colour": "red"}, "probe", None)
    assert read_event(envelope, NoteReading()) == {"text": "hello", "pages": 1}


def test_data_the_reading_refuses_is_unreadable_with_the_reading_s_errors():
    envelope = make_envelope("note.written.v1", {"text": "hello", "pages": "many"}, "probe", None)
    with pytest.raises(Unreadable, match=r"^unreadable data: \{'pages': \['Not a valid integer.'\]\}$"):
        read_event(envelope, NoteReading())


@pytest.mark.parametrize("envelope", [{"event_id": "not-a-uuid", "data": {"text": "hello"}}, "not a dict"])
def test_a_malformed_envelope_is_unreadable_whatever_its_data(envelope):
    with pytest.raises(Unreadable, match="^malformed envelope: "):
        read_event(envelope, NoteReading())
