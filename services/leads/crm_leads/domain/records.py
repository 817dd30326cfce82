"""What a person may write on a contact or a company: the rules an edit passes, as strict as creation.

A contact is reached by several phones and e-mails (its identities); the first of each list is
the primary one, shown as `phone` / `email`. A company's INN is checked by its check digits.
"""
from crm_leads.domain.identity import InvalidPhone, normalize_email, normalize_phone


class InvalidRecord(ValueError):
    def __init__(self, details: dict[str, list[str]]):
        super().__init__(details)
        self.details = details


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def wanted_reach(current: dict, edit: dict, region: str) -> dict:
    """The contact's phones, e-mails and Telegram after an edit, normalized (E.164, lower case).

    `phones` / `emails` replace the whole list; `phone` / `email` replace only the primary one,
    keeping the others; null removes it. Raises InvalidRecord with the problems by field."""
    problems: dict[str, list[str]] = {}
    reach = {"phones": current["phones"], "emails": current["emails"], "telegram": current["telegram"]}
    for many, one, normalize in (("phones", "phone", lambda raw: normalize_phone(raw, region)),
                                 ("emails", "email", normalize_email)):
        if many in edit and one in edit:
            problems[one] = [f"give either {one} or {many}"]
            continue
        if many in edit:
            raw = edit[many]
        elif one in edit:
            raw = ([edit[one]] if edit[one] else []) + current[many][1:]
        else:
            continue
        normalized = []
        for value in raw:
            try:
                normalized.append(normalize(value))
            except InvalidPhone:
                problems.setdefault(many if many in edit else one, []).append(
                    f"not a valid phone number: {value}")
        reach[many] = _unique(normalized)
    if "telegram" in edit:
        reach["telegram"] = str(edit["telegram"]).strip() if edit["telegram"] else None
    if problems:
        raise InvalidRecord(problems)
    return reach


def identity_keys(reach: dict) -> set[tuple[str, str]]:
    """The (kind, value) rows under which identity resolution finds the contact."""
    keys = {("phone", phone) for phone in reach["phones"]} | {("email", email) for email in reach["emails"]}
    return keys | ({("telegram", reach["telegram"])} if reach["telegram"] else set())


INN_WEIGHTS = {10: [(2, 4, 10, 3, 5, 9, 4, 6, 8)],
               12: [(7, 2, 4, 10, 3, 5, 9, 4, 6, 8), (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)]}


def inn_problem(inn: str) -> str | None:
    """Why an INN (10 digits for an organisation, 12 for a sole trader) is not valid, or None."""
    if not inn.isdigit() or len(inn) not in INN_WEIGHTS:
        return "10 or 12 digits"
    digits = [int(ch) for ch in inn]
    for weights in INN_WEIGHTS[len(inn)]:
        position = len(weights)
        if sum(w * d for w, d in zip(weights, digits)) % 11 % 10 != digits[position]:
            return "the check digits do not match"
    return None
