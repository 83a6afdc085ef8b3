"""Attacks through the model library's files: a diagram opened from the site must stay text."""

from __future__ import annotations

from tests.integration.web_client import Web


def test_a_deployed_file_opens_as_text_never_as_a_document_of_the_site(app, deployed):
    # Served as application/xml, a diagram carrying XHTML elements (a look-alike sign-in form,
    # links) rendered as a live page of this origin for the manager who opened it.
    web = Web(app).login("manager")
    for name in ("complaint_handling.bpmn",):
        r = web.get(f"/models/complaint_handling/versions/1/files/{name}")
        assert r.status_code == 200
        assert r.mimetype == "text/plain" and r.headers["X-Content-Type-Options"] == "nosniff"
