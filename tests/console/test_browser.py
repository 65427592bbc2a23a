"""End-to-end: the console in headless Chromium against the real server.

Two journeys, each in fresh browser contexts (own cookies): the tech-transfer office
imports the export sample and declares an open licence; the enterprise finds a match with
its explanation, gives feedback and accepts an open licence while the province watches its
funnel move. Every page is screenshotted under test-output/screenshots/, and any browser
console error or uncaught script error fails the test.
"""

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console import browser
from tests.console.browser import SCREENSHOTS, Site
from tests.imports.helpers import EXPORT

pytestmark = pytest.mark.browser
Page = Any  # playwright.sync_api.Page; imported lazily so collection never needs it


@pytest.fixture(scope="module")
def site(
    fresh_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    browser.require_browser()
    browser.fresh_screenshots()
    yield from browser.serve(fresh_database_url(), tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="module")
def chromium(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(browser.CHROMIUM), headless=True, args=browser.CHROMIUM_ARGS
        )
        yield launched
        launched.close()


class Tab:
    """One signed-in browser context; collects console errors and page load times."""

    def __init__(self, chromium: Any, site: Site, viewport: dict[str, int]) -> None:
        self.site = site
        self.context = chromium.new_context(viewport=viewport, locale="zh-CN")
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def go(self, path: str) -> None:
        self.page.goto(self.site.base + path)

    def shot(self, name: str, height: int | None = None) -> None:
        """The whole page, or its top ``height`` pixels (long result lists)."""
        clip = {"x": 0, "y": 0, "width": self.page.viewport_size["width"], "height": height}
        path = str(SCREENSHOTS / f"{name}.png")
        self.page.screenshot(path=path, full_page=True, clip=clip if height else None)

    def sign_in(self, role: str) -> None:
        """By keyboard: the key field has focus on load, Enter submits."""
        self.go("/console/")
        self.page.wait_for_url(re.compile(r"/console/login"))
        # Chromium applies autofocus at a rendering update that may come after "load";
        # typing before it loses the keys (a CI flake). A person waits for the caret too.
        self.page.wait_for_function("document.activeElement?.name === 'api_key'")
        self.page.keyboard.type(self.site.keys[role])
        self.page.keyboard.press("Enter")
        self.page.wait_for_selector("nav[aria-label='主菜单']")

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], f"browser console errors: {self.errors}"


@pytest.fixture
def tab(chromium: Any, site: Site) -> Iterator[Callable[..., Tab]]:
    opened: list[Tab] = []

    def open_tab(role: str, viewport: dict[str, int] | None = None) -> Tab:
        made = Tab(chromium, site, viewport or {"width": 1280, "height": 860})
        made.sign_in(role)
        opened.append(made)
        return made

    yield open_tab
    for t in opened:
        t.close()


def _drop_file(page: Page, path: Path) -> None:
    """A real drop event on the drop zone, carrying the file as the browser would."""
    page.evaluate(
        """([name, text]) => {
            const data = new DataTransfer();
            data.items.add(new File([text], name, {type: "text/csv"}));
            const zone = document.querySelector("[data-dropzone]");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
        }""",
        [path.name, path.read_text(encoding="utf-8-sig")],
    )


def test_institution_imports_and_declares_an_open_licence(tab: Callable[..., Tab]) -> None:
    office = tab("institution")
    page = office.page
    office.go("/console/import")
    page.get_by_role("link", name="下载 Excel 模板").wait_for()
    office.shot("01-import")
    _drop_file(page, EXPORT)
    assert page.locator("#filename").inner_text() == EXPORT.name
    page.get_by_role("button", name="开始导入").click()
    page.wait_for_url(re.compile(r"/console/import/\d+$"))
    page.wait_for_selector("#job[data-state='succeeded']", timeout=30_000)
    counts = {
        k: int(page.locator(f"[data-count='{k}']").inner_text())
        for k in ("inserted", "updated", "unchanged", "failed")
    }
    assert sum(counts.values()) == 10, counts  # the export's ten rows, each accounted for
    office.shot("02-import-summary")

    office.go("/console/patents?q=无人机巡检系统")
    row = page.locator("tbody tr", has_text="无人机巡检系统")
    assert row.locator("text=未声明").count() == 1
    office.shot("03-patents")
    row.get_by_role("link", name="声明开放许可").click()
    page.get_by_label("一次性许可费（元）").fill("80000")
    page.get_by_label("支付方式").fill("银行转账")
    page.get_by_role("button", name="提交声明").click()
    # A utility model needs its evaluation report: the legal check names the field.
    error = page.locator("#err-evaluation_report")
    assert "评价报告" in error.inner_text()
    assert page.get_by_label("专利权评价报告编号").get_attribute("aria-invalid") == "true"
    office.shot("04-open-licence-refused")
    page.get_by_label("专利权评价报告编号").fill("PJ2024-0012")
    page.get_by_role("button", name="提交声明").click()
    page.wait_for_url(re.compile(r"/console/patents$"))
    assert "已声明开放许可" in page.locator(".flash.ok").first.inner_text()


def _funnel_intents(province: Tab) -> int:
    province.go("/console/stats")
    return int(province.page.locator("[data-stage='intents']").inner_text())


def test_enterprise_match_feedback_and_the_province_funnel(
    tab: Callable[..., Tab], site: Site
) -> None:
    province = tab("province")
    before = _funnel_intents(province)
    enterprise = tab("enterprise")
    page = enterprise.page
    enterprise.go("/console/enterprise")
    assert page.get_by_text("输电线路无人机巡检的图像采集与缺陷识别").count() >= 1
    enterprise.shot("05-enterprise")

    enterprise.go("/console/matches")
    page.get_by_role("textbox", name="需求描述").fill("无人机巡检 图像采集 缺陷识别")
    page.get_by_role("button", name="开始匹配").click()
    first = page.locator("ol.results > li").first
    first.wait_for()
    assert first.locator("h3 mark").count() >= 1  # matched terms emphasised in the title
    assert first.locator(".explain .summary").inner_text().startswith("共同技术：")
    # IPC codes are listed, with their titles, where they carried part of a score.
    ipc = page.locator("ol.results .explain ul.ipc li")
    assert ipc.count() >= 1
    assert ipc.first.locator("span").first.inner_text().strip()
    enterprise.shot("06-matches", height=1500)

    enterprise.go(f"/console/patents/{site.licensed_patent}")
    page.get_by_label("意向").select_option("license")
    page.get_by_label("市场前景（1–5）").select_option("4")
    page.get_by_role("button", name="提交反馈").click()
    assert "请修改" in page.locator(".flash.error").inner_text()  # a partial rating
    assert page.locator("#err-rating-maturity").inner_text() == "必填"
    page.get_by_label("技术成熟度（1–5）").select_option("3")
    page.get_by_label("实施难易（5 为容易）").select_option("4")
    page.get_by_role("button", name="提交反馈").click()
    assert "反馈已提交" in page.locator(".flash.ok").inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="接受开放许可").click()
    assert "已接受开放许可" in page.locator(".flash.ok").inner_text()
    enterprise.shot("07-patent-feedback")

    assert _funnel_intents(province) == before + 1
    province.shot("08-stats")


def test_phone_layout_and_load_times(tab: Callable[..., Tab], site: Site) -> None:
    """The statistics page on a phone; navigation timings of each page are recorded."""
    phone = tab("portal", {"width": 390, "height": 844})
    timings: dict[str, float] = {}
    for path in ("/console/stats", "/console/matches", "/console/stats?by=sei"):
        phone.go(path)
        timings[path] = phone.page.evaluate(
            "performance.getEntriesByType('navigation')[0].duration"
        )
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    phone.shot("09-stats-phone")
    (SCREENSHOTS.parent / "e2e-timings.json").write_text(json.dumps(timings, indent=1))


def test_api_docs_render_with_the_network_off(chromium: Any, site: Site) -> None:
    """/docs and /redoc render from the service's own files: any request that leaves the
    server is aborted (and recorded), as on an offline or mainland-China network."""
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    outside: list[str] = []

    def only_the_server(route: Any) -> None:
        if route.request.url.startswith(site.base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.base + "/docs")
    page.wait_for_selector(".opblock-tag", timeout=15_000)  # operations grouped by tag
    page.screenshot(path=str(SCREENSHOTS / "20-api-docs.png"))
    page.goto(site.base + "/redoc")
    page.wait_for_selector("[role=menuitem], .menu-content li", timeout=30_000)
    context.close()
    assert outside == [], f"the docs pages reached outside the server: {outside}"
    assert errors == []


# Elements whose own text is wider than their box (scrollWidth > clientWidth), and SVG
# text reaching outside its chart's viewBox: a label the reader sees cut off.
CLIPPED = """() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".visually-hidden, .skip, select, option, svg")) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.display === "inline" || style.display === "none") continue;
    if (el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1) {
      out.push(`${el.tagName}.${el.className}: ${el.textContent.trim().slice(0, 40)}`);
    }
  }
  for (const svg of document.querySelectorAll("svg[viewBox]")) {
    const vb = svg.viewBox.baseVal;
    for (const text of svg.querySelectorAll("text")) {
      const box = text.getBBox();
      if (box.x < vb.x - 1 || box.x + box.width > vb.x + vb.width + 1) {
        out.push(`svg text: ${text.textContent.trim().slice(0, 40)}`);
      }
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def free_patent(site: Site) -> int:
    """A valid patent without an open licence, in IPC section F: the longest chart label
    (机械工程；照明；加热；武器；爆破) and a declaration form to show. Made here, not in the
    seed, so the README tour's ids stay as written."""
    import httpx

    body = {
        "application_number": "CN202410000001.X",
        "patent_type": "invention",
        "title": "一种齿轮传动减速装置",
        "ipc_codes": ["F16H1/28"],
        "legal_status": "valid",
        "institution_id": site.institution,
    }
    headers = {"Authorization": f"Bearer {site.keys['admin']}"}
    made = httpx.post(f"{site.base}/v1/patents", json=body, headers=headers, timeout=30)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _pages(site: Site, free_patent: int) -> dict[str, list[str]]:
    return {
        "institution": [
            "/console/import",
            "/console/patents",
            f"/console/patents/{site.licensed_patent}",
            f"/console/matches?run=1&source=patent&patent_id={site.licensed_patent}",
            f"/console/patents/{free_patent}/open-license",
        ],
        "enterprise": [
            "/console/enterprise",
            "/console/matches",
            f"/console/patents/{site.licensed_patent}",
        ],
        "province": [
            "/console/stats",
            "/console/stats?by=sei",
            "/console/screening",
            "/console/profiles",
            f"/console/profiles/institutions/{site.institution}",
            f"/console/profiles/enterprises/{site.enterprise}",
            f"/console/patents/{site.licensed_patent}",
        ],
        "portal": ["/console/matches", "/console/stats"],
        "admin": ["/console/patents", "/console/import"],
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_fits_its_labels(
    chromium: Any, tab: Callable[..., Tab], site: Site, free_patent: int, width: int
) -> None:
    """Each page of each role, screenshotted at a desktop and a phone width: no text
    cut by its box and no chart label outside its chart."""
    clipped: dict[str, list[str]] = {}
    visitor = Tab(chromium, site, {"width": width, "height": 900})  # not signed in
    visitor.go("/console/login")
    visitor.shot(f"30-{width}-login")
    if found := visitor.page.evaluate(CLIPPED):
        clipped["/console/login"] = found
    visitor.close()
    for role, paths in _pages(site, free_patent).items():
        viewer = tab(role, {"width": width, "height": 900})
        for i, path in enumerate(paths):
            viewer.go(path)
            viewer.shot(f"30-{width}-{role}-{i}")
            found = viewer.page.evaluate(CLIPPED)
            if found:
                clipped[f"{role} {path}"] = found
    assert clipped == {}, clipped
