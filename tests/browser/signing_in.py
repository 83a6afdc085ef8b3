"""Signing in through the login page, as every browser test starts."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.top_bar import folded


def sign_in(page, user: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    logout = page.get_by_test_id("logout")
    if folded(page):  # the sign-out button is in the folded menu: the signed-in page has it
        expect(logout).to_be_attached()
        page.wait_for_load_state("load")
    else:
        expect(logout).to_be_visible()
