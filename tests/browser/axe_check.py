"""axe-core on a page as a person sees it: a full-page screenshot to look at, then the
serious and critical violations (none allowed, on public and staff pages alike)."""

from axe_playwright_python.sync_playwright import Axe


def serious(page) -> list:
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def axe_clean(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"{name}.png", full_page=True)
    found = serious(page)
    assert found == [], (name, found)
