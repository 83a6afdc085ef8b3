"""The connectors a service task may call, with their parameters: the operator's table.

A diagram names one as spiff-arena does (spiffworkflow:serviceTaskOperator id="http/get" with
spiffworkflow:parameter children, each value a Python expression); the deploy check refuses an
unknown connector, an unknown parameter or a missing required one, naming the element. The
calls themselves are in app/services/connectors/.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Parameter:
    name: str
    required: bool = True
    doc: str = ""


@dataclass(frozen=True)
class Connector:
    name: str
    doc: str
    parameters: tuple[Parameter, ...]

    def problems(self, given: set[str]) -> list[str]:
        """What is wrong with the parameters a diagram gives (empty when nothing is)."""
        known = {p.name for p in self.parameters}
        out = [
            f"connector '{self.name}' has no parameter '{name}' (it takes: {', '.join(sorted(known))})"
            for name in sorted(given - known)
        ]
        out += [
            f"connector '{self.name}' needs parameter '{p.name}' ({p.doc})"
            for p in self.parameters
            if p.required and p.name not in given
        ]
        return out


CONNECTORS: dict[str, Connector] = {
    c.name: c
    for c in (
        Connector(
            "sms/send",
            "an SMS through the notification outbox (template of config/notifications.toml)",
            (
                Parameter("to", doc="the phone number"),
                Parameter("template", doc="a notifications.toml template"),
                Parameter("context", False, "values the template may use"),
            ),
        ),
        Connector(
            "email/send",
            "an e-mail through the notification outbox",
            (
                Parameter("to", doc="the address"),
                Parameter("template", doc="a notifications.toml template"),
                Parameter("context", False, "values the template may use"),
            ),
        ),
        Connector(
            "http/get",
            "GET a JSON document from a host of config/connectors.toml's allow-list",
            (
                Parameter("url", doc="an https:// or http:// address on an allowed host"),
                Parameter("headers", False, "request headers"),
            ),
        ),
        Connector(
            "http/post",
            "POST JSON to a host of the allow-list; the answer's JSON is the result",
            (
                Parameter("url", doc="an address on an allowed host"),
                Parameter("body", False, "the JSON to send"),
                Parameter("headers", False, "request headers"),
            ),
        ),
        Connector(
            "customer/lookup",
            "the customer's record from the operator's BSS (an adapter the operator plugs in)",
            (Parameter("phone", doc="the customer's phone number"),),
        ),
    )
}
