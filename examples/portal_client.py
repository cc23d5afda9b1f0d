"""A provincial portal reading a published ranking from the API, with the standard library only.

    python examples/portal_client.py http://127.0.0.1:8000
    python examples/portal_client.py https://xephang.example.vn --province vinh-phuc \
        --year 2020 --block districts

Prints the leaderboard, the block's statistics and the decision that published it. Numbers
arrive as exact decimal strings and are printed as they are, never through a float.
"""

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request


def fetch_ranking(base: str, *, province: str, year: int, block: str) -> dict:
    query = urllib.parse.urlencode({"province": province, "year": year, "block": block})
    url = f"{base.rstrip('/')}/api/v1/rankings/?{query}"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        problem = json.load(error).get("error", {})
        raise SystemExit(f"{error.code} {problem.get('code')}: {problem.get('message')}") from None


def _date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def render(payload: dict) -> str:
    groups = payload["groups"]
    rules, stats = payload["criteria_set"], payload["statistics"]
    decision = payload["publication"]
    lines = [
        f"{payload['block']['name']} – {payload['province']['name']} {payload['year']}",
        f"Quyết định số {decision['decision_number']} ngày {_date(decision['decision_date'])}"
        f" ({decision['signer'] or 'không ghi người ký'}, lần công bố {decision['revision']})",
        "",
        f"{'Hạng':>5}  {'Cơ quan, đơn vị':<34}"
        + "".join(f"{'Nhóm ' + g['code']:>10}" for g in groups)
        + f"{'Tổng':>10}{'%':>7}  Xếp loại",
    ]
    for row in payload["rows"]:
        rank = "–" if row["rank"] is None else f"{row['rank']}{'=' if row['tied'] else ''}"
        lines.append(
            f"{rank:>5}  {row['agency']['name']:<34}"
            + "".join(f"{row['groups'].get(g['code'], ''):>10}" for g in groups)
            + f"{row['total']:>10}{row['percent']:>7}  {row['band'] or ''}"
        )
    lines += [
        "",
        f"Số đơn vị: {stats['count']}   Điểm tối đa: {rules['max_points']}",
        f"Trung bình: {stats['mean']} ({stats['mean_percent']}% điểm tối đa)"
        f"   Trung vị: {stats['median']}",
        f"Cao nhất: {stats['highest']}   Thấp nhất: {stats['lowest']}"
        f"   Chênh lệch: {stats['spread']}",
    ]
    if stats["mean_change"] is not None:
        change = stats["mean_change"]
        sign = "" if change.startswith("-") else "+"
        lines.append(f"Trung bình so với {stats['previous_year']}: {sign}{change}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="the site's address, e.g. http://127.0.0.1:8000")
    parser.add_argument("--province", default="vinh-phuc")
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--block", default="districts")
    args = parser.parse_args(argv)
    payload = fetch_ranking(args.base_url, province=args.province, year=args.year, block=args.block)
    sys.stdout.write(render(payload) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
