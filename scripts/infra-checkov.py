"""checkov over the synthesized CloudFormation templates, against a committed skip list.

Usage: python infra-checkov.py --checkov BIN --skips scripts/infra-checkov-skips.yaml ASSEMBLY_DIR
Runs with the checkov venv's Python (it has PyYAML). Prints every unaccepted failure and every
stale skip, then a count line; exit 1 on any problem.
"""

import argparse
import json
import os
import re
import subprocess
import sys

import yaml


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkov", required=True)
    ap.add_argument("--skips", required=True)
    ap.add_argument("assembly")
    args = ap.parse_args()

    problems = []
    with open(args.skips) as f:
        skips = (yaml.safe_load(f) or {}).get("skips") or []
    for s in skips:
        if not re.fullmatch(r"CKV2?_AWS_[0-9]+", str(s.get("id", ""))):
            problems.append(f"{args.skips}: entry {s} has no checkov id")
        if len(str(s.get("reason", "")).split()) < 5:
            problems.append(f"{args.skips}: {s.get('id')} has no reason (say why it is accepted)")

    run = subprocess.run(
        [args.checkov, "--framework", "cloudformation", "--output", "json", "--skip-download",
         "--skip-results-upload", "--directory", args.assembly],
        capture_output=True, text=True,
    )
    try:
        report = json.loads(run.stdout)
    except ValueError:
        print(run.stderr[-2000:])
        print("checkov produced no JSON report")
        return 1
    reports = report if isinstance(report, list) else [report]
    passed = sum(len(r.get("results", {}).get("passed_checks", [])) for r in reports)
    failed_checks = [c for r in reports for c in r.get("results", {}).get("failed_checks", [])]
    parsing = [e for r in reports for e in r.get("results", {}).get("parsing_errors", [])]
    problems += [f"checkov could not parse {p}" for p in parsing]

    used = set()  # (skip index, pattern index or None)
    accepted = 0
    for c in failed_checks:
        stack = os.path.basename(c["file_path"]).removesuffix(".template.json")
        where = f"{stack}/{c['resource'].split('.', 1)[-1]}"
        hit = None
        for i, s in enumerate(skips):
            if s.get("id") != c["check_id"]:
                continue
            patterns = s.get("resources")
            if not patterns:
                hit = (i, None)
                break
            for j, p in enumerate(patterns):
                if re.fullmatch(p, where):
                    hit = (i, j)
                    break
            if hit:
                break
        if hit:
            used.add(hit)
            accepted += 1
        else:
            problems.append(f"{c['check_id']} {c['check_name']}: {where}")
    for i, s in enumerate(skips):
        patterns = s.get("resources")
        for j in range(len(patterns)) if patterns else [None]:
            if (i, j) not in used:
                what = f" pattern {patterns[j]!r}" if j is not None else ""
                problems.append(f"{args.skips}: {s.get('id')}{what} no longer matches a failure: remove it")

    for p in problems:
        print(f"not ok - {p}")
    print(f"checkov: {passed} checks passed, {accepted} skip-listed, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
