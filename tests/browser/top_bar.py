"""The top bar as a user finds it at either width: on a phone its menu folds behind one button, which then
carries the unread notice count; on a desktop the notices link carries it."""

from __future__ import annotations

from playwright.sync_api import expect

FOLDS_BELOW = 760  # px: app.css folds the menu at this width and below


def folded(page) -> bool:
    return page.viewport_size["width"] <= FOLDS_BELOW


def notice_count(page):
    """The count the user sees in the top bar."""
    return page.locator("[data-nav-toggle] [data-menu-count]" if folded(page) else "[data-notices] [data-notice-count]")


def open_menu(page) -> None:
    """On a phone, open the folded menu (once the page's script has wired its button); on a desktop, nothing."""
    if not folded(page):
        return
    page.wait_for_load_state("load")  # a tap before the deferred script is wired does nothing
    toggle = page.locator("[data-nav-toggle]")
    expect(toggle).to_be_visible()
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def open_notices(page) -> None:
    """Follow the top bar's notices link, as a user at this width reaches it."""
    open_menu(page)
    page.locator("[data-notices]").click()
    expect(page.get_by_test_id("notices")).to_be_visible()
