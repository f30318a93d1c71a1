"""Benchmark: the CSV exports stream in constant memory, however many rows they hold.

Loads a scratch PostgreSQL database as bench/dashboard.py does (200,000 pledges and 1,000,000
payments by default), downloads /staff/payments.csv and /staff/pledges.csv through the Flask
test client chunk by chunk, and prints the Python heap's peak (tracemalloc) and the process's
resident memory as the rows go by. Flat figures from the first 1% to the last row are the pass.

    .venv/bin/python bench/csv_export.py [--pledges 200000] [--payments 1000000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard import close, load, make_app, scratch_database, signed_in_client

# A flat line allows for the batch in flight and the interpreter's own bookkeeping.
GROWTH_ALLOWED_MB = 8


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def export(client, path: str, rows: int) -> bool:
    """Stream one export; print memory at 1%, 10%, 50% and 100% of its rows."""
    checkpoints = {max(1, rows * share // 100): share for share in (1, 10, 50, 100)}
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    seen, size, first_peak, flat = -1, 0, None, True  # the header line is not a row
    print(f"{path}: {rows:,} rows")
    print(f"  {'rows':>10} {'heap peak':>10} {'resident':>10}")
    for chunk in response.response:
        seen += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        size += len(chunk)
        for mark in [m for m in checkpoints if seen >= m]:
            share = checkpoints.pop(mark)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            first_peak = peak if first_peak is None else first_peak
            flat &= peak - first_peak < GROWTH_ALLOWED_MB
            print(f"  {seen:>10,} {peak:>8.1f}MB {resident_mb():>8.1f}MB   ({share}%)")
    response.close()
    took = time.perf_counter() - started
    tracemalloc.stop()
    print(f"  {size / 2**20:.0f} MB of CSV in {took:.1f} s ({seen / took:,.0f} rows/s)")
    return flat and seen == rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pledges", type=int, default=200_000)
    parser.add_argument("--payments", type=int, default=1_000_000)
    args = parser.parse_args()
    with scratch_database() as url:
        app = make_app(url)
        pledges, payments = load(url, args.pledges, args.payments)
        client = signed_in_client(app)
        flat = export(client, "/staff/payments.csv", payments)
        flat &= export(client, "/staff/pledges.csv", pledges)
        close(app)
    print("memory stayed flat" if flat else "memory grew with the export")
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
