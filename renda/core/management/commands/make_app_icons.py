"""Draws the web app's icons (renda/static/icons/*.png) from the favicon's design with the
browser the browser tests use, since the project has no image library. The PNGs are committed;
run this again only when the design changes:

    python manage.py make_app_icons [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

# The favicon's star (renda/static/favicon.svg) on its 64-unit grid.
STAR = "M32 10l5.6 17.2H56L41.2 37.8l5.6 17.2L32 44.4 17.2 55l5.6-17.2L8 27.2h18.4z"
RED, GOLD = "#c8102e", "#ffd700"


def svg(*, rounded: bool, scale: float) -> str:
    """The favicon's star over 人大, in gold on red. `rounded`: the favicon's rounded square on
    a transparent ground ('any' icons); else a full square (maskable and Apple icons, which the
    system crops to its own shape). `scale` shrinks the emblem about the centre so a maskable
    icon keeps it inside the safe circle."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="100%" height="100%">'
        f'<rect width="64" height="64" rx="{12 if rounded else 0}" fill="{RED}"/>'
        f'<g transform="translate(32 32) scale({scale}) translate(-32 -32)">'
        f'<path d="{STAR}" fill="{GOLD}" transform="translate(32 19) scale(0.44) translate(-32 -32.5)"/>'
        f'<text x="32" y="53" font-size="20" font-weight="bold" text-anchor="middle" fill="{GOLD}" '
        "font-family=\"'Noto Serif CJK SC', 'Noto Sans CJK SC', serif\">人大</text>"
        "</g></svg>"
    )


ICONS = [
    # name, size, rounded, emblem scale
    ("icon-192.png", 192, True, 1.0),
    ("icon-512.png", 512, True, 1.0),
    ("icon-maskable-512.png", 512, False, 0.72),
    ("apple-touch-icon.png", 180, False, 0.9),
]


class Command(BaseCommand):
    help = "Draw the web app icons into renda/static/icons/ with Chromium."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--chromium", default="/usr/bin/chromium")

    def handle(self, *args: Any, **options: Any) -> None:
        from playwright.sync_api import sync_playwright

        out = Path(settings.BASE_DIR) / "renda" / "static" / "icons"
        out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=options["chromium"], args=["--no-sandbox", "--disable-gpu"]
            )
            for name, size, rounded, scale in ICONS:
                page = browser.new_page(viewport={"width": size, "height": size})
                page.set_content(
                    "<html><body style='margin:0;background:transparent'>"
                    f"<div style='width:{size}px;height:{size}px'>"
                    f"{svg(rounded=rounded, scale=scale)}</div></body></html>"
                )
                page.screenshot(path=str(out / name), omit_background=rounded)
                page.close()
                self.stdout.write(f"{out / name} ({size}×{size})")
            browser.close()
