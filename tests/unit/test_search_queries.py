"""The one search box: what a typed query means to leads and to deals, and how their answers merge."""
import pytest

from crm_chassis.search import corrections
from crm_chassis.sql import fold, words_of
from crm_deals.domain.search import corrected as corrected_deal
from crm_deals.domain.search import read_query as read_deal_query
from crm_gateway.routes.search import merged
from crm_leads.domain.search import NAME_SCORE, corrected, read_query


def leads_reading(typed: str):
    return read_query(fold(typed), words_of(fold(typed)))


def deals_reading(typed: str):
    return read_deal_query(fold(typed), words_of(fold(typed)))


@pytest.mark.parametrize("typed", ["8 916 123-45-67", "+7 (916) 1234567", "79161234567", "8(916)123 45 67"])
def test_a_phone_typed_any_way_is_its_e164_and_its_last_ten_digits(typed):
    reading = leads_reading(typed)
    assert reading.phones == ("+79161234567",)
    assert reading.phone_suffix == "9161234567"
    assert reading.words == () and reading.email is None


@pytest.mark.parametrize("typed, suffix", [("4567", "4567"), ("45-67", "4567"), ("123-45-67", "1234567")])
def test_the_last_digits_are_a_suffix_of_a_phone(typed, suffix):
    reading = leads_reading(typed)
    assert reading.phone_suffix == suffix and reading.phones == ()


def test_fewer_than_four_digits_are_no_phone():
    assert leads_reading("123").phone_suffix is None


def test_a_longer_suffix_ranks_above_a_shorter_and_below_an_exact_phone():
    four, seven, exact = (leads_reading(typed) for typed in ("4567", "1234567", "+7 916 123 45 67"))
    assert four.suffix_score < seven.suffix_score < exact.suffix_score < 1.0


def test_an_email_is_read_lower_cased_and_is_not_a_name():
    reading = leads_reading("  Ivan.Petrov@Mail.RU ")
    assert reading.email == "ivan.petrov@mail.ru" and reading.words == ()


@pytest.mark.parametrize("typed, inn", [("7707083893", "7707083893"), ("500100732259", "500100732259"),
                                        ("77070838931", None), ("7707 083893", None)])
def test_ten_or_twelve_digits_as_typed_may_be_an_inn(typed, inn):
    assert leads_reading(typed).inn == inn


def test_names_are_folded_words_of_three_letters_or_more():
    reading = leads_reading("  Пётр  ИВАНОВ ан ")
    assert reading.words == ("петр", "иванов")
    assert reading.phones == () and reading.phone_suffix is None and reading.inn is None


@pytest.mark.parametrize("typed, number", [("#123", 123), ("№ 45", 45), ("123", 123), ("12a", None),
                                           ("ремонт 123", None)])
def test_a_deal_number_is_digits_with_or_without_its_sign(typed, number):
    assert deals_reading(typed).number == number


def test_deal_titles_are_searched_by_their_words():
    assert deals_reading("Ремонт Ёлки").words == ("ремонт", "елки")


def test_a_mistyped_word_is_replaced_by_the_closest_word_the_records_hold():
    closest = {"анна": ("анна", 1.0), "каралева": ("королева", 0.5)}
    assert corrections(("анна", "каралева"), closest) == (("анна", "королева"), 0.5)


@pytest.mark.parametrize("second, closest", [
    ("королева", ("королева", 1.0)),  # nothing mistyped
    ("кавалер", None),  # nothing near
    ("кралька", ("королева", 0.3)),  # too far to be a typo
])
def test_no_correction_when_nothing_was_mistyped_or_nothing_is_close(second, closest):
    near = {"анна": ("анна", 1.0)} | ({second: closest} if closest else {})
    assert corrections(("анна", second), near) is None


def test_a_corrected_query_ranks_below_one_whose_words_the_records_hold():
    lead_query, deal_query = leads_reading("каралева"), deals_reading("ремонд")
    assert corrected(lead_query, ("королева",), 0.5).name_score < NAME_SCORE
    assert corrected_deal(deal_query, ("ремонт",), 0.6).title_score < deal_query.title_score


def test_answers_merge_into_one_list_best_first_and_counts_add_up():
    leads = {"results": [{"type": "contact", "id": 7, "score": 0.72}, {"type": "lead", "id": 3, "score": 0.6}],
             "counts": {"contact": 1, "company": 0, "lead": 1}}
    deals = {"results": [{"type": "deal", "id": 4567, "score": 1.0}, {"type": "deal", "id": 9, "score": 0.72}],
             "counts": {"deal": 2}}
    answer = merged([leads, deals], limit=3)
    assert [(line["type"], line["id"]) for line in answer["results"]] == [("deal", 4567), ("contact", 7), ("deal", 9)]
    assert answer["counts"] == {"contact": 1, "company": 0, "lead": 1, "deal": 2}
