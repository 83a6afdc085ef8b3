"""Which network a request comes from, as the per-address limits count it."""

from __future__ import annotations

import ipaddress

# An IPv6 customer line is handed a whole /64 (2^64 addresses): counting each address apart would
# give one attacker a fresh count per try, so IPv6 is counted per /64 and IPv4 per address.
IPV6_PREFIX = 64


def limit_key(address: str | None) -> str:
    """The key a per-address limit counts under: the IPv4 address, the IPv6 /64, or the text as given.

    >>> limit_key("2001:db8:1:2:abcd::9"), limit_key("::ffff:203.0.113.7")
    ('2001:db8:1:2::/64', '203.0.113.7')
    """
    text = (address or "").strip()
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return text[:45]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)
