"""How long the product's functions and files are: the distribution, the longest, the big files.

    python scripts/function_lengths.py            # p50/p90/max, the 15 longest, files > 800
    python scripts/function_lengths.py --top 40   # more of the longest
    python scripts/function_lengths.py --check    # exit 1 if p90 > 32 or a file > 800 lines

Product code is every .py file under the apps and config (agencies, api, config, rankings,
scoring), without migrations. A function's length is its lines from `def` (decorators not
counted) to its last line, docstring included, as `ast` reports them; a nested function
counts on its own and inside its parent, as a reader meets both. Methods count as functions.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("agencies", "api", "config", "rankings", "scoring")
MAX_FILE_LINES = 800
MAX_P90 = 32


@dataclass(frozen=True)
class Function:
    path: str
    line: int
    name: str
    length: int


def product_files(root: Path = ROOT) -> list[Path]:
    return sorted(
        path
        for package in PRODUCT
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.relative_to(root).parts
    )


def functions(path: Path, root: Path = ROOT) -> list[Function]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    relative = str(path.relative_to(root))
    return [
        Function(relative, node.lineno, node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno
    ]


def percentile(lengths: list[int], share: float) -> int:
    """The nearest-rank percentile: the smallest length at or above `share` of all."""
    ordered = sorted(lengths)
    if not ordered:
        return 0
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def report(root: Path = ROOT, top: int = 15) -> tuple[int, list[tuple[str, int]], list[str]]:
    """The p90, the files over MAX_FILE_LINES, and the report's lines."""
    files = product_files(root)
    found = [f for path in files for f in functions(path, root)]
    lengths = [f.length for f in found]
    sizes = [
        (str(p.relative_to(root)), len(p.read_text(encoding="utf-8").splitlines())) for p in files
    ]
    big = sorted(((name, n) for name, n in sizes if n > MAX_FILE_LINES), key=lambda s: -s[1])
    p90 = percentile(lengths, 0.9)
    lines = [
        f"{len(files)} files, {sum(n for _, n in sizes):,} lines, {len(found):,} functions",
        f"function length: p50 {percentile(lengths, 0.5)}, p90 {p90}, max {max(lengths, default=0)}"
        f" (over {MAX_P90}: {sum(n > MAX_P90 for n in lengths)})",
        f"files over {MAX_FILE_LINES} lines: "
        + (", ".join(f"{name} {n}" for name, n in big) if big else "none"),
        f"the {top} longest functions:",
        *(
            f"  {f.length:4d}  {f.path}:{f.line} {f.name}"
            for f in sorted(found, key=lambda f: -f.length)[:top]
        ),
    ]
    return p90, big, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--check", action="store_true", help=f"fail if p90 > {MAX_P90}")
    args = parser.parse_args(argv)
    p90, big, lines = report(top=args.top)
    print("\n".join(lines))
    if args.check and (p90 > MAX_P90 or big):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
