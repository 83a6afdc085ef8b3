"""Per-address limits count an IPv6 /64 as one address."""

from app.domain.client_addresses import limit_key


def test_an_ipv6_network_is_one_key_and_ipv4_stays_per_address():
    assert limit_key("2001:db8:1:2::1") == limit_key("2001:db8:1:2:abcd:ef01:2345:6789") == "2001:db8:1:2::/64"
    assert limit_key("2001:db8:1:2::1") != limit_key("2001:db8:1:3::1")
    assert limit_key("203.0.113.7") == limit_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert limit_key("fe80::1%eth0") == "fe80::/64"
    assert limit_key(None) == "" and limit_key("unknown") == "unknown"
