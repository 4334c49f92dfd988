"""Deal-map speed: page generation for 30 and 200 members, page size, and the time until
headless Chromium reports the 200-member network stabilised.

Generation = the whole served page from a deal's history (analysis + pyvis network +
template), median of several runs; the same-run baseline is pyvis's own stock
``generate_html`` for the same 200-member network (CDN template, no analysis).
"Stabilised" is ``performance.now()`` (ms since navigation start) when vis-network fires
``stabilizationIterationsDone``, read from the page, for a file:// page with the network
blocked. Targets: gen_ms_200 <= 500, stabilized_ms_200 <= 5000.

Run: .venv/bin/python benchmarks/map.py   (last line: one JSON object)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphsvc.analysis.engine import analyze
from graphsvc.maps.frames import map_frame
from graphsvc.maps.service import map_page_from_history
from graphsvc.visual.network import build_network
from graphsvc.visual.render import render_deal_map
from tests.visual.sample import sample_deal

CHROMIUM = os.environ.get("GRAPHSVC_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
END = datetime(2026, 11, 2, 12, tzinfo=UTC)
RUNS = 7


def median_ms(fn, runs: int = RUNS) -> float:
    fn()  # warm caches (assets, imports)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)


def stabilized_ms(html_path: Path, runs: int = 3) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.route(
                "**/*",
                lambda r: (
                    r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort()
                ),
            )
            page.goto(html_path.as_uri())
            page.wait_for_selector(
                "html[data-stabilized='true']", state="attached", timeout=120_000
            )
            times.append(round(page.evaluate("window.__graphsvcMap.stabilizedMs"), 1))
            context.close()
        browser.close()
    return times


def main() -> None:
    deals = {n: sample_deal(n, seed=9, end=END) for n in (30, 200)}
    results: dict[str, float | int | None] = {}
    for n, deal in deals.items():
        history = deal.history
        results[f"gen_ms_{n}"] = median_ms(lambda h=history: map_page_from_history(h))
        print(f"{n:>3} members: served page {results[f'gen_ms_{n}']} ms")
    big = deals[200].history
    snapshot, analysis = big.snapshot(), analyze([big])[0]
    frame = map_frame(snapshot, analysis)
    render_only = median_ms(lambda: render_deal_map([frame]))
    analysis_only = median_ms(lambda: analyze([big]))
    file_ms = median_ms(lambda: map_page_from_history(big, mode="file"), runs=3)
    served = map_page_from_history(big).html
    file_page = map_page_from_history(big, mode="file").html
    results["bytes_200"] = len(served.encode("utf-8"))
    print(
        f"200 members: analysis {analysis_only} ms, render only {render_only} ms, "
        f"page {results['bytes_200']} bytes"
    )
    frames = file_page.count('"committee_size"')
    print(
        f"200 members, file page with {frames} embedded weekly maps: "
        f"{file_ms} ms, {len(file_page.encode('utf-8'))} bytes"
    )

    # Baseline in the same run: pyvis's own stock template for the same network.
    net = build_network(frame).network
    stock_ms = median_ms(lambda: net.generate_html())
    print(
        f"baseline: pyvis stock generate_html for the same 200-member network {stock_ms} ms "
        f"(ratio ours/stock {results['gen_ms_200'] / stock_ms:.2f}, "  # type: ignore[operator]
        f"render-only ratio {render_only / stock_ms:.2f})"
    )

    if os.path.exists(CHROMIUM):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "deal200.html"
            path.write_text(served, encoding="utf-8")
            times = stabilized_ms(path)
            small = Path(tmp) / "deal30.html"
            small.write_text(map_page_from_history(deals[30].history).html, encoding="utf-8")
            times_30 = stabilized_ms(small, runs=1)
        results["stabilized_ms_200"] = statistics.median(times)
        print(
            f"stabilised in Chromium: 200 members {times} ms (median "
            f"{results['stabilized_ms_200']}), 30 members {times_30} ms"
        )
    else:
        results["stabilized_ms_200"] = None
        print(f"Chromium not found at {CHROMIUM}: stabilized_ms_200 not measured")

    ok = results["gen_ms_200"] <= 500 and (  # type: ignore[operator]
        results["stabilized_ms_200"] is not None and results["stabilized_ms_200"] <= 5000
    )
    print(f"targets gen_ms_200 <= 500 and stabilized_ms_200 <= 5000: {'met' if ok else 'MISSED'}")
    print(
        json.dumps(
            {
                "gen_ms_30": results["gen_ms_30"],
                "gen_ms_200": results["gen_ms_200"],
                "bytes_200": results["bytes_200"],
                "stabilized_ms_200": results["stabilized_ms_200"],
                "render_only_ms_200": render_only,
                "analysis_ms_200": analysis_only,
                "gen_ms_200_file": file_ms,
                "bytes_200_file": len(file_page.encode("utf-8")),
                "pyvis_stock_ms_200": stock_ms,
            }
        )
    )


if __name__ == "__main__":
    main()
