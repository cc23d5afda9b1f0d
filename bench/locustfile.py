"""The visitors of `make load` (bench/load.py writes their URLs; run it, not this file).

80 % pages (leaderboards, agency profiles, home, province and national pages), 15 % charts
and exports (trends pages, leaderboard .csv and .xlsx), 5 % API (rankings, agencies,
history). Each visitor waits 1–3 s between requests, as a reader does. Requests are named
by kind, so locust reports percentiles per kind as well as in aggregate. BENCH_THINK
("min-max", seconds) changes the wait: bench/load.py uses "0-0" for its single-user run.
"""

import json
import os
import random

from locust import FastHttpUser, between, task

with open(os.environ["BENCH_URLS"], encoding="utf-8") as urls_file:
    URLS: dict[str, list[list[str]]] = json.load(urls_file)

THINK = [float(s) for s in os.environ.get("BENCH_THINK", "1-3").split("-")]


def pick(group: str) -> tuple[str, str]:
    """A (kind, url) of `group`, kinds weighted by the third item of each entry."""
    entries = URLS[group]
    kind, url, _weight = random.choices(entries, weights=[float(e[2]) for e in entries])[0]
    return kind, url


class Visitor(FastHttpUser):
    wait_time = between(*THINK)

    @task(80)
    def page(self):
        kind, url = pick("pages")
        self.client.get(url, name=kind)

    @task(15)
    def chart_or_export(self):
        kind, url = pick("charts_exports")
        self.client.get(url, name=kind)

    @task(5)
    def api(self):
        kind, url = pick("api")
        self.client.get(url, name=kind)
