"""Sorting incoming calls and messages into categories by configurable rules."""
from dataclasses import dataclass

CATEGORIES = ("new_request", "existing_client", "open_order", "spam", "service_question")


@dataclass(frozen=True)
class Incoming:
    channel: str
    text: str
    duration_seconds: int | None
    blocked: bool
    known_contact: bool
    has_open_lead: bool


@dataclass(frozen=True)
class Rule:
    """Matches when every condition it sets holds; a rule that sets none never matches.

    A `spam` rule (a robocall pattern such as a call of at most 3 seconds) applies only to
    numbers we do not know: a client who hangs up quickly is not spam.
    """

    category: str
    channel: str | None = None
    keyword: str | None = None
    max_duration_seconds: int | None = None

    def matches(self, incoming: Incoming) -> bool:
        if not (self.channel or self.keyword or self.max_duration_seconds is not None):
            return False
        if self.category == "spam" and incoming.known_contact:
            return False
        if self.channel and incoming.channel != self.channel:
            return False
        if self.keyword and self.keyword.lower() not in incoming.text.lower():
            return False
        if self.max_duration_seconds is not None and (
                incoming.duration_seconds is None or incoming.duration_seconds > self.max_duration_seconds):
            return False
        return True


def categorize(incoming: Incoming, rules: list[Rule]) -> str:
    """Block list first, then the rules in order, then what we know of the sender."""
    if incoming.blocked:
        return "spam"
    for rule in rules:
        if rule.matches(incoming):
            return rule.category
    if incoming.has_open_lead:
        return "open_order"
    if incoming.known_contact:
        return "existing_client"
    return "new_request"


def creates_lead(category: str) -> bool:
    return category == "new_request"
