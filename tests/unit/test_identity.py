import pytest

from crm_leads.domain.identity import InvalidPhone, identity_keys, normalize_email, normalize_phone


@pytest.mark.parametrize("raw", ["8 (900) 123-45-67", "+7 900 123 45 67", "79001234567", "89001234567",
                                 "+7(900)1234567", " 8-900-123-45-67 "])
def test_russian_numbers_written_any_way_are_one_number(raw):
    assert normalize_phone(raw) == "+79001234567"


def test_foreign_numbers_keep_their_country():
    assert normalize_phone("+49 30 901820") == "+4930901820"


@pytest.mark.parametrize("raw", ["8 (000) 000", "не телефон", "", "+7 900"])
def test_invalid_numbers_are_refused(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_emails_are_compared_lower_cased():
    assert normalize_email("  Anna.Smirnova@Example.RU ") == "anna.smirnova@example.ru"


def test_identity_keys_are_sorted_so_concurrent_intakes_lock_in_one_order():
    assert identity_keys("+79001234567", "a@b.ru") == ["email:a@b.ru", "phone:+79001234567"]
    assert identity_keys(None, "a@b.ru") == ["email:a@b.ru"]
    assert identity_keys(None, None) == []
