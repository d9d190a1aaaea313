"""The management report opened in headless Chromium, network cut: every chart renders, no console error."""

from __future__ import annotations

from pathlib import Path

import pytest

from rgpd_audit.report import html as report_html
from rgpd_audit.workspace import Workspace
from tests.test_report_fixtures import tiny_workspace

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)"),
]


@pytest.fixture(scope="module")
def index_html(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    tiny = tiny_workspace(root)
    out = root / "index.html"
    with Workspace(tiny.workspace) as ws:
        out.write_text(report_html.render_report(ws, tiny.run_now), encoding="utf-8")
    return out


def test_every_chart_renders_offline(index_html):
    from playwright.sync_api import sync_playwright

    errors, blocked = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()

            def route(r):
                if r.request.url.startswith("file:"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(index_html.as_uri(), wait_until="load")
            charts = page.locator("div.chart")
            n = charts.count()
            assert n == 4
            page.wait_for_function(
                "() => [...document.querySelectorAll('div.chart')].every(d => d.querySelector('.plotly svg.main-svg'))",
                timeout=20_000,
            )
            for i in range(n):
                chart = charts.nth(i)
                assert chart.locator(".plotly").count() == 1, chart.get_attribute("data-chart")
                assert chart.locator("svg.main-svg").count() >= 1, chart.get_attribute("data-chart")
            assert page.locator("#summary ol.urgent li").count() >= 1
        finally:
            browser.close()
    assert errors == [], errors
    assert blocked == [], blocked
