"""Normalized identities: one person is one phone in E.164 (crm_chassis.phones) and one lower-cased e-mail."""
from crm_chassis.phones import InvalidPhone, normalize_phone  # the one normalizer, shared by every service

__all__ = ["InvalidPhone", "normalize_phone", "normalize_email", "identity_keys"]


def normalize_email(raw: str) -> str:
    return raw.strip().lower()


def identity_keys(phone: str | None, email: str | None) -> list[str]:
    """The keys under which a contact is found; the lock order for concurrent intake."""
    return sorted(key for key in (phone and f"phone:{phone}", email and f"email:{email}") if key)
