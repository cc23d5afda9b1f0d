"""Score per module of the last `mutmut run` (make mutation; docs/testing.md).

Reads mutmut's result files under mutants/ and prints killed/checked per module of
scoring/ (the score is of the checked mutants; a finished run checks all), then the
survivors (mutmut show NAME prints the diff of one). Exits 1 when the overall score is
under 95 % or a module's under 90 %, or when a mutant was not checked.

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
    rows, survivors = [], []
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if not codes:
            continue
        module = str(meta.relative_to("mutants")).removesuffix(".py.meta").replace("/", ".")
        killed = sum(1 for code in codes.values() if code in DETECTED)
        checked = sum(1 for code in codes.values() if code is not None)
        survivors += sorted(name for name, code in codes.items() if code in SURVIVED)
        rows.append((module, killed, checked, len(codes)))
    width = max(len(r[0]) for r in rows)
    print(f"{'module':<{width}}  killed/checked  (total)  score")
    failing = []
    for module, k, c, n in [*rows, ("overall", *(sum(r[i] for r in rows) for i in (1, 2, 3)))]:
        score = 100 * k / c if c else 0.0
        minimum = OVERALL_MINIMUM if module == "overall" else MODULE_MINIMUM
        flag = "" if score >= minimum else f"  < {minimum:g}%"
        failing += [module] if flag else []
        print(f"{module:<{width}}  {k:>6}/{c:<7} ({n:>5})  {score:5.1f}%{flag}")
    unchecked = sum(r[3] - r[2] for r in rows)
    if "--survivors" in argv:
        print(f"\n{len(survivors)} survivors (mutmut show NAME):")
        print("\n".join(f"  {name}" for name in survivors))
    if unchecked:
        print(f"{unchecked} mutants not checked: the run did not finish", file=sys.stderr)
    return 0 if not failing and not unchecked else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
