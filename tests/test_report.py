"""The generated results pages match their data: docs/benchmarks.md and README's results table."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = [sys.executable, str(ROOT / "benchmarks" / "report.py")]


def _report(flag: str) -> str:
    return subprocess.run([*REPORT, flag], check=True, capture_output=True, text=True, timeout=300).stdout


def test_committed_benchmarks_page_is_what_the_result_files_give():
    expected = _report("--markdown")
    assert (ROOT / "docs" / "benchmarks.md").read_text() == expected, (
        "docs/benchmarks.md differs from its data: run python benchmarks/report.py --markdown > docs/benchmarks.md"
    )


def test_readme_results_table_is_what_the_result_files_give():
    table = _report("--summary").strip()
    assert table.count("\n") >= 3 and table in (ROOT / "README.md").read_text(), (
        "README's results table differs from its data: paste python benchmarks/report.py --summary"
    )
