"""The staff bot's rules: one-time link codes and reading what a chat wrote."""
import secrets
from datetime import datetime, timedelta

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen, typed on a phone
CODE_LENGTH = 8
CODE_TTL = timedelta(minutes=15)
LINK_COMMANDS = ("/start", "/link")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def expires(now: datetime) -> datetime:
    return now + CODE_TTL


def command(text: str) -> tuple[str, str]:
    """`/start ABCD2345` -> ("/start", "ABCD2345"); `/deals@crm_bot stage` -> ("/deals", "stage")."""
    head, _, rest = text.strip().partition(" ")
    return head.split("@", 1)[0].lower(), rest.strip()


def link_code_in(text: str) -> str | None:
    """The code a chat sends to link itself, or None when the text is not a link command."""
    name, argument = command(text)
    code = argument.upper()
    if name in LINK_COMMANDS and len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET):
        return code
    return None
