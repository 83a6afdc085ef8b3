"""Attacks on the per-address limits from IPv6, where one attacker holds a whole /64 of addresses."""

from __future__ import annotations


def _try(client, user, address, password="guess"):
    return client.post(
        "/api/v1/auth/token", json={"username": user, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_trying_many_usernames_from_one_ipv6_network_meets_growing_delays(app, client, demo_users):
    # Each try from a new address of the same /64 (every home line gets one) used to start a new count.
    free = app.config["SIGN_IN_ADDRESS_FAILURES"]
    statuses = [_try(client, f"user{i}", f"2001:db8:1:2::{i + 1:x}").status_code for i in range(free)]
    assert statuses == [401] * free
    r = _try(client, "user-next", "2001:db8:1:2:ffff::1")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) == 1
    assert _try(client, "user-next", "2001:db8:1:3::1").status_code == 401  # another network does not wait
