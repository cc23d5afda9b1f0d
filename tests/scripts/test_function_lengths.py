"""scripts/function_lengths.py measures what it says (a tiny tree with known lengths)."""

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "function_lengths.py"
spec = importlib.util.spec_from_file_location("function_lengths", SCRIPT)
function_lengths = importlib.util.module_from_spec(spec)
sys.modules.setdefault(spec.name, function_lengths)
spec.loader.exec_module(function_lengths)


def test_nearest_rank_percentiles():
    lengths = list(range(1, 11))
    assert function_lengths.percentile(lengths, 0.5) == 5
    assert function_lengths.percentile(lengths, 0.9) == 9
    assert function_lengths.percentile([], 0.9) == 0


def test_lengths_and_big_files_of_a_tree(tmp_path):
    (tmp_path / "scoring").mkdir()
    (tmp_path / "rankings" / "migrations").mkdir(parents=True)
    body = (
        "def one():\n    return 1\n\n\n"
        "class A:\n    def two(self):\n        x = 1\n        return x\n"
    )
    (tmp_path / "scoring" / "a.py").write_text(body + "\n" * 800)
    (tmp_path / "rankings" / "migrations" / "0001.py").write_text("def skipped():\n    pass\n")
    found = function_lengths.functions(tmp_path / "scoring" / "a.py", tmp_path)
    assert sorted((f.name, f.length) for f in found) == [("one", 2), ("two", 3)]
    p90, big, lines = function_lengths.report(tmp_path)
    assert p90 == 3 and big == [("scoring/a.py", 808)]
    assert lines[0] == "1 files, 808 lines, 2 functions"
