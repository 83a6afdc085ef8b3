"""A customer's personal data: which fields hold it and how each is masked for those who need not know.

Confidentiality is a principle of complaint handling (DOMAIN.md): show a customer's name, phone,
e-mail and account only to those who work the complaint; everybody else sees a mask that still
tells two records apart (138****5678, 张**) and may ask for an explicit, logged reveal.
"""

from __future__ import annotations

from typing import Any

# The fields the forms (receive, register, appeal-register) name for personal data.
PERSONAL_FIELDS = ("customer_name", "customer_phone", "customer_email", "account")
# Where personal fields may sit inside a record: task data, audit events' before/after.
_NESTED = ("data", "before", "after", "submitted", "data_before", "data_after")


def mask_phone(phone: Any) -> str:
    """138****5678: the first three and last four digits (a mask stays the same mask)."""
    if not phone:
        return ""
    phone = str(phone)
    digits = phone.replace("-", "")
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else phone[:1] + "****"


def mask_name(name: Any) -> str:
    """张**: the first character, one star per other character (at least two)."""
    if not name:
        return ""
    name = str(name)
    return name[0] + "*" * max(2, len(name) - 1)


def mask_email(email: Any) -> str:
    """z***@example.com: the first character of the mailbox and the domain."""
    if not email:
        return ""
    local, _, domain = str(email).partition("@")
    return f"{local[:1]}***@{domain}" if domain else mask_name(local)


def mask_account(account: Any) -> str:
    """****1234: the last four characters only."""
    if not account:
        return ""
    account = str(account)
    return "****" + account[-4:] if len(account) > 4 else "****"


_MASKS = {
    "customer_name": mask_name,
    "customer_phone": mask_phone,
    "customer_email": mask_email,
    "account": mask_account,
}


def mask_record(record: Any) -> Any:
    """A copy of a record with every personal field masked, also inside its data/before/after parts."""
    if not isinstance(record, dict):
        return record
    out = dict(record)
    for key, value in record.items():
        if key in _MASKS and value not in (None, ""):
            out[key] = _MASKS[key](value)
        elif key in _NESTED and isinstance(value, dict):
            out[key] = mask_record(value)
    return out
