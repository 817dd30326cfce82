"""Phones in one form everywhere: E.164, read with `phonenumbers` (default region RU), so every
service stores, compares and sends the same number however it was typed.

`8 (900) 123-45-67`, `+7 900 123 45 67` and `79001234567` are the same Russian number.
"""
import phonenumbers

DEFAULT_REGION = "RU"


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    text = raw.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if region == "RU" and not text.startswith("+") and len(digits) == 11 and digits[0] == "7":
        text = "+" + digits  # 79001234567: the country code written without its plus
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(str(exc)) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"not a valid phone number: {raw}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
