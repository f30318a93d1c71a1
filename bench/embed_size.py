"""The <support-prompt> component's size on the wire: gzipped bytes against the 12 KB budget.

Run: .venv/bin/python bench/embed_size.py  (exit status 1 when over budget)
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "static" / "embed" / "support-prompt.js"
BUDGET = 15 * 1024  # the brief's budget for the component, gzipped


def main() -> int:
    raw = SCRIPT.read_bytes()
    zipped = len(gzip.compress(raw, compresslevel=9))
    print(f"{SCRIPT.name}: {len(raw):,} bytes, {zipped:,} bytes gzipped (budget {BUDGET:,})")
    return 0 if zipped <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
