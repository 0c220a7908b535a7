#!/usr/bin/env python3
"""Medians of the repeated runs in a bench/run-baseline.sh folder, as Markdown tables.

Usage: bench/medians.py FOLDER [LABEL]

Runs are grouped by their name without the `-rN` repeat suffix. For each group and endpoint the
table shows the median over the repetitions of throughput and of each latency percentile (each
column's median on its own), the run count and the total of failed calls. LABEL (for example
the backend) heads the tables.
"""

import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def load_runs(folder):
    """{group: [report, ...]} for every JSON report of the folder."""
    groups = defaultdict(list)
    for path in sorted(Path(folder).glob("*.json")):
        group = re.sub(r"-r\d+$", "", path.stem)
        groups[group].append(json.loads(path.read_text()))
    return groups


def median_rows(reports, section_names):
    """[(endpoint, runs, median row, errors)] over the sections named in each report."""
    by_endpoint = defaultdict(list)
    for report in reports:
        for section in report["sections"]:
            if section["name"] not in section_names:
                continue
            for row in section["rows"]:
                by_endpoint[row["endpoint"]].append(row)
    result = []
    for endpoint, rows in by_endpoint.items():
        median = {
            key: statistics.median(row[key] for row in rows)
            for key in ("throughput_per_sec", "p50_ms", "p95_ms", "p99_ms", "max_ms")
        }
        errors = sum(row["errors"] for row in rows)
        result.append((endpoint, len(rows), median, errors))
    return result


def sort_key(group):
    """Lists by size then concurrency, then lifecycles by concurrency."""
    numbers = [int(n) for n in re.findall(r"\d+", group)]
    return (not group.startswith("list"), numbers)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    label = sys.argv[2] if len(sys.argv) > 2 else ""
    groups = load_runs(folder)
    print(f"| {label} run | endpoint | runs | per s | p50 ms | p95 ms | p99 ms | max ms | failed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for group in sorted(groups, key=sort_key):
        reports = groups[group]
        sections = {section["name"] for report in reports for section in report["sections"]}
        measured = sections - {"seed"}
        for endpoint, runs, median, errors in median_rows(reports, measured):
            print(
                f"| {group} | {endpoint} | {runs} | {median['throughput_per_sec']:.1f} | "
                f"{median['p50_ms']:.2f} | {median['p95_ms']:.2f} | {median['p99_ms']:.2f} | "
                f"{median['max_ms']:.2f} | {errors} |"
            )


if __name__ == "__main__":
    main()
