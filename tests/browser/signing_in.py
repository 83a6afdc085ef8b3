"""Signing in through the login page, as every browser test starts."""

from __future__ import annotations

from playwright.sync_api import expect


def sign_in(page, user: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
