"""Score per module of the last `mutmut run` (make mutation; docs/testing.md).

Reads mutmut's result files under mutants/ and prints killed/total per module of
scoring/, then the survivors (mutmut show NAME prints the diff of one). Exits 1 when the
overall score is under 95 % or a module's under 90 %, or when a mutant was not checked.

    python scripts/mutation_report.py [--survivors]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OVERALL_MINIMUM, MODULE_MINIMUM = 95.0, 90.0
# mutmut's exit codes (mutmut/stats.py): a mutant is detected when the tests failed
# (1; 3 is a pytest internal error), timed out, or the type checker caught it.
DETECTED = {1, 3, 36, 37, -24, 24, 152, 255}
SURVIVED = {0, 5, 33}


def main(argv: list[str]) -> int:
    metas = sorted(Path("mutants").glob("**/*.py.meta"))
    if not metas:
        print("no results under mutants/: run `mutmut run` first", file=sys.stderr)
        return 2
    rows, survivors, unchecked = [], [], 0
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if not codes:
            continue
        module = str(meta.relative_to("mutants")).removesuffix(".py.meta").replace("/", ".")
        killed = sum(1 for code in codes.values() if code in DETECTED)
        survivors += sorted(name for name, code in codes.items() if code in SURVIVED)
        unchecked += sum(1 for code in codes.values() if code is None)
        rows.append((module, killed, len(codes)))
    killed, total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    width = max(len(r[0]) for r in rows)
    print(f"{'module':<{width}}  killed/total  score")
    failing = []
    for module, k, n in rows:
        score = 100 * k / n
        flag = "" if score >= MODULE_MINIMUM else f"  < {MODULE_MINIMUM:g}%"
        failing += [module] if flag else []
        print(f"{module:<{width}}  {k:>5}/{n:<6}  {score:5.1f}%{flag}")
    overall = 100 * killed / total
    print(f"{'overall':<{width}}  {killed:>5}/{total:<6}  {overall:5.1f}%")
    if "--survivors" in argv:
        print(f"\n{len(survivors)} survivors (mutmut show NAME):")
        print("\n".join(f"  {name}" for name in survivors))
    if unchecked:
        print(f"{unchecked} mutants not checked: the run did not finish", file=sys.stderr)
    ok = overall >= OVERALL_MINIMUM and not failing and not unchecked
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
