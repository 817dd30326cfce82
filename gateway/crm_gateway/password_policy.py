"""What makes a password acceptable: plain rules, no I/O.

The common passwords are zxcvbn's list (its `passwords` frequency list, about 30 000 passwords
most often found in leaks), compared case-insensitively.
"""
import secrets

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 10
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


def problems(password: str, login: str, current_password: str | None = None) -> list[str]:
    """Why this password will not do (empty when it will), as machine-readable English."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"must be at least {MIN_LENGTH} characters long")
    if not password.strip():
        found.append("must not be only whitespace")
    if login and login.casefold() in password.casefold():
        found.append("must not contain the login")
    if password.casefold() in COMMON_PASSWORDS:
        found.append("is one of the most common passwords")
    if current_password is not None and password == current_password:
        found.append("must differ from the current password")
    return found


def temporary_password() -> str:
    """A strong one-time password for a reset: 16 characters from the URL-safe alphabet."""
    while True:
        password = secrets.token_urlsafe(12)
        if not problems(password, login=""):
            return password
