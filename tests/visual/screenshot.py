"""Take the README's screenshot of a realistic deal map (``docs/deal-map.png``).

Renders a seeded 28-person sample committee, opens it from ``file://`` in headless
Chromium (Debian's, via Playwright) with every other request blocked, waits for the
layout to settle and saves a PNG.

Example: .venv/bin/python -m tests.visual.screenshot docs/deal-map.png
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from graphsvc.maps.service import map_page_from_history
from tests.visual.sample import sample_deal

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def take_screenshot(
    output: Path,
    *,
    members: int = 28,
    seed: int = 21,
    chromium: str = "/usr/bin/chromium",
    width: int = 1440,
    height: int = 900,
) -> Path:
    """Write a PNG of a sample deal's map to ``output`` and return its path."""
    from playwright.sync_api import sync_playwright

    deal = sample_deal(
        members,
        seed=seed,
        end=datetime(2026, 11, 2, 15, tzinfo=UTC),
        deal_name="Nordwind Logistics – fleet platform renewal",
    )
    html = map_page_from_history(deal.history, mode="file").html
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "deal.html"
        page_path.write_text(html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(
                viewport={"width": width, "height": height}, device_scale_factor=1
            )
            page.route(
                "**/*",
                lambda r: (
                    r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort()
                ),
            )
            page.goto(page_path.as_uri())
            page.wait_for_selector("html[data-stabilized='true']", state="attached")
            output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(output))
            browser.close()
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, nargs="?", default=Path("docs/deal-map.png"))
    parser.add_argument(
        "--chromium", default=os.environ.get("GRAPHSVC_CHROMIUM", "/usr/bin/chromium")
    )
    args = parser.parse_args()
    print(take_screenshot(args.output, chromium=args.chromium))


if __name__ == "__main__":
    main()
