"""axe-core, run inside a page the test opened: the serious and critical violations it finds.

The engine is evaluated through the browser's debugging protocol, not added as a script tag, so
the page's Content-Security-Policy (no inline script) stays as strict as in production and the
app never serves it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@lru_cache(maxsize=1)
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def serious_violations(page) -> list[str]:
    """One line per serious/critical rule broken on the page: rule, impact, the first offending nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in found if v["impact"] in BLOCKING
    ]
