"""Who delivers a notification: the log (default), SMTP for e-mail, or a plug-in named by NOTIFY_SENDER.

A sender has a ``name`` and ``send(message) -> str`` (the provider's reference); it raises on failure.
Every message carries its idempotency key: SMTP sends it as the Message-ID, and an SMS gateway plug-in
should pass it as the client message id, so that a retry after a crash between the send and the commit
can be recognised by the provider instead of reaching the customer twice.
"""

from __future__ import annotations

import importlib
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any, Mapping, Protocol

log = logging.getLogger("complaintflow.notifications")


@dataclass(frozen=True)
class Message:
    key: str  # idempotency key: the same message always has the same key
    channel: str  # sms | email
    recipient: str
    subject: str | None
    body: str


class Sender(Protocol):
    name: str

    def send(self, message: Message) -> str: ...


class LogSender:
    """Write each message to the log (the default: nothing leaves the machine)."""

    name = "log"

    def send(self, message: Message) -> str:
        log.info(
            "notification %s via %s to %s: %s%s",
            message.key,
            message.channel,
            _masked(message.recipient),
            f"[{message.subject}] " if message.subject else "",
            message.body,
        )
        return f"log:{message.key}"


class SmtpSender:
    """Send e-mail through an SMTP server; the idempotency key becomes the Message-ID."""

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int = 25,
        sender: str = "complaints@localhost",
        user: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10.0,
    ):
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    def send(self, message: Message) -> str:
        mail = EmailMessage()
        mail["From"] = formataddr(("客服中心", self.sender))
        mail["To"] = message.recipient
        mail["Subject"] = message.subject or ""
        domain = self.sender.rsplit("@", 1)[-1] or "complaintflow"
        mail["Message-ID"] = f"<{_safe(message.key)}@{domain}>"
        mail.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(mail)
        return mail["Message-ID"]


class ChannelSender:
    """Route each channel to its own sender (e-mail by SMTP, SMS to the log until a gateway is plugged in)."""

    def __init__(self, by_channel: Mapping[str, Sender], default: Sender):
        self.by_channel, self.default = dict(by_channel), default
        self.name = "+".join(sorted({s.name for s in [*self.by_channel.values(), default]}))

    def send(self, message: Message) -> str:
        return self.by_channel.get(message.channel, self.default).send(message)


def build_sender(settings: Mapping[str, Any]) -> Sender:
    """The sender NOTIFY_SENDER names: log, smtp, or module:factory (called with the settings)."""
    choice = settings.get("NOTIFY_SENDER", "log")
    if choice == "log":
        return LogSender()
    if choice == "smtp":
        smtp = SmtpSender(
            settings["SMTP_HOST"],
            int(settings.get("SMTP_PORT", 25)),
            settings.get("SMTP_FROM", "complaints@localhost"),
            settings.get("SMTP_USER", ""),
            settings.get("SMTP_PASSWORD", ""),
            bool(settings.get("SMTP_STARTTLS", False)),
        )
        return ChannelSender({"email": smtp}, LogSender())
    module, _, attr = choice.partition(":")
    factory = getattr(importlib.import_module(module), attr or "sender")
    return factory(settings)


def _masked(recipient: str) -> str:
    if "@" in recipient:
        name, _, domain = recipient.partition("@")
        return f"{name[:2]}***@{domain}"
    return f"{recipient[:3]}****{recipient[-4:]}" if len(recipient) >= 8 else recipient


def _safe(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-._" else "." for c in key) or make_msgid()
