"""What erasing a contact removes: the person's names and every way to reach them."""
from crm_chassis.erasure import Personal

ERASED_NAME = "Данные удалены"


def personal_data(people: list[dict], identities: list[tuple[str, str]]) -> Personal:
    """The names, phones, e-mails and Telegram ids of a contact and the contacts merged into it,
    from their rows and their identities (a phone that could not be parsed counts as written)."""
    values: dict[str, list[str]] = {"phone": [], "email": [], "telegram": []}
    for person in people:
        values["phone"] += [person["phone"], person["phone_unparsed"]]
        values["email"].append(person["email"])
    for kind, value in identities:
        values.setdefault(kind, []).append(value)
    return Personal.read({
        "names": [person["name"] for person in people if person["name"] != ERASED_NAME],
        "phones": [phone for phone in values["phone"] if phone],
        "emails": [email for email in values["email"] if email],
        "telegram_ids": [str(chat) for chat in values["telegram"] if chat],
    })
