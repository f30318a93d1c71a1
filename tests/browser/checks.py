"""What every reader page is checked for in the browser: axe-core's serious findings, and
sideways scrolling on a phone."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = "{runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']}"


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2.2 AA findings on the page as it stands. axe is
    injected as an inline script, which our CSP blocks: the page's context must bypass it."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(f"axe.run(document, {WCAG})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than its window (0 or less: none)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
