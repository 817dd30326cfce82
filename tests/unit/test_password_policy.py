import pytest

from crm_gateway.password_policy import MIN_LENGTH, problems, temporary_password


def test_a_long_uncommon_password_that_does_not_name_the_login_passes():
    assert problems("крыша-Берёза-1987", login="ivanov") == []


@pytest.mark.parametrize("password, problem", [
    ("short1!", f"must be at least {MIN_LENGTH} characters long"),
    (" " * 12, "must not be only whitespace"),
    ("\t\n  \u3000     ", "must not be only whitespace"),
    ("my-IVANOV-password", "must not contain the login"),
    ("ivanov", "must not contain the login"),
    ("qwertyuiop", "is one of the most common passwords"),
    ("Password123", "is one of the most common passwords"),
    ("1234567890", "is one of the most common passwords"),
])
def test_weak_passwords_are_refused_with_the_reason(password, problem):
    assert problem in problems(password, login="ivanov")


def test_every_reason_is_given_at_once():
    assert problems("zqxjvk", login="zqxjvk") == [f"must be at least {MIN_LENGTH} characters long",
                                                  "must not contain the login"]


def test_a_password_of_exactly_the_minimum_length_passes_and_one_shorter_does_not():
    assert MIN_LENGTH == 10
    assert problems("x7#kqZ9!mw", login="ivanov") == []
    assert problems("x7#kqZ9!m", login="ivanov") == [f"must be at least {MIN_LENGTH} characters long"]


def test_a_new_password_must_differ_from_the_current_one():
    assert problems("крыша-Берёза-1987", login="ivanov", current_password="крыша-Берёза-1987") == [
        "must differ from the current password"]
    assert problems("крыша-Берёза-1988", login="ivanov", current_password="крыша-Берёза-1987") == []


def test_temporary_passwords_meet_the_policy_and_differ_each_time():
    passwords = {temporary_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(password) >= 16 and problems(password, login="admin") == [] for password in passwords)
