#!/usr/bin/env python3
"""Chart and image checks that no kept tool can make, because they tie the chart to this
project's code; run by scripts/chart-test.sh with the tools venv of scripts/tools.sh.

What the templates render is asserted by helm-unittest (charts/sponsored-agents/tests), object
schemas by kubernetes-validate and k8s-validate, pod hardening by checkov, the Dockerfile by
hadolint. Left here:

  env RENDERED...
      every environment variable the chart gives the service is declared by the service's config
      schema (src/core/config/environment.schema.ts): the service ignores an unknown name, so a
      renamed or misspelt variable would silently fall back to its default.
  alerts RENDERED...
      every PrometheusRule expression parses as PromQL (promql-parser, a port of Prometheus'
      parser), every `for` is a Prometheus duration, and every metric an alert reads is registered in src/
      (or comes from Prometheus, kube-state-metrics, Fluent Bit or prom-client's defaults): a
      renamed metric would leave its alert silent forever.
  lua RENDERED
      the Fluent Bit Lua filter in LuaJIT (the Lua Fluent Bit embeds) on sample pino records: the
      document it makes must be the one the service's own log shipper writes.
  dockerfile Dockerfile
      the Dockerfile states what scripts/image-check.sh replays and the chart assumes: Node 24,
      USER 10001:10001 (the chart's runAsUser), ENTRYPOINT node dist/main.js, NODE_ENV=production,
      EXPOSE of the chart's ports, a final stage of dist/, package*.json and node_modules from an
      `npm ci --omit=dev` stage. hadolint covers exec form, ADD, root USER and the rest.
  checkov --checkov BIN --skips scripts/checkov-skips.yaml RENDERED...
      checkov over every rendered value set against the committed skip list: a skip needs a
      reason, and a skip that no longer matches a finding fails (checkov's own --skip-check
      records neither).

Each prints what it found and exits 1 on any problem.
"""

import argparse
import json
import os
import re
import subprocess
import sys

import yaml

PROBLEMS = []


def fail(msg):
    PROBLEMS.append(msg)


def finish(what):
    for p in PROBLEMS:
        print(f"  - {p}")
    print(f"{what}: {len(PROBLEMS)} problem(s)" if PROBLEMS else f"{what}: ok")
    sys.exit(1 if PROBLEMS else 0)


def load_docs(paths):
    docs = []
    for path in paths:
        with open(path) as f:
            docs += [(os.path.basename(path), d) for d in yaml.safe_load_all(f) if d]
    return docs


# --- env --------------------------------------------------------------------------------------
def cmd_env(args):
    with open(args.schema) as f:
        declared = {m.group(1) for m in re.finditer(r"^\s+([A-Z][A-Z0-9_]+)[!?]?\s*[:=]", f.read(), re.M)}
    if len(declared) < 10:
        fail(f"{args.schema}: found only {sorted(declared)}; has the config class changed shape?")
    checked = 0
    for where, d in load_docs(args.rendered):
        names = []
        if d.get("kind") == "ConfigMap" and not d["metadata"]["name"].endswith(("-docdb-ca", "-fluent-bit")):
            names = list(d.get("data") or {})
        elif d.get("kind") == "Deployment":
            names = [e["name"] for c in d["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])]
        for n in names:
            checked += 1
            if n not in declared:
                fail(f"{where}: {d['kind']}/{d['metadata']['name']} sets {n}, which {args.schema} does not declare")
    if not checked:
        fail("no environment variable found in the rendered manifests")
    print(f"{checked} variable(s) checked against {len(declared)} declared")
    finish("env")


# --- alerts -----------------------------------------------------------------------------------
# Series that the service does not register itself.
EXTERNAL_METRIC = re.compile(r"^(up|kube_\w+|fluentbit_\w+|nodejs_\w+|process_\w+)$")


# The Duration pattern of the monitoring.coreos.com CRDs (Go decoding takes any string).
PROM_DURATION = re.compile(r"0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?")


def cmd_alerts(args):
    import promql_parser

    source = ""
    for d, _, names in os.walk(args.src):
        for n in names:
            if n.endswith(".ts") and not n.endswith(".spec.ts"):
                with open(os.path.join(d, n)) as f:
                    source += f.read()
    rules = [(where, r) for where, d in load_docs(args.rendered) if d.get("kind") == "PrometheusRule"
             for g in d["spec"]["groups"] for r in g["rules"]]
    if not rules:
        fail("no PrometheusRule rule rendered")
    for where, r in rules:
        name = f"{where}: {r.get('alert') or r.get('record')}"
        try:
            expr = promql_parser.parse(str(r["expr"]))
        except ValueError as e:
            fail(f"{name}: expr does not parse: {e}")
            continue
        if "for" in r and not PROM_DURATION.fullmatch(str(r["for"])):
            fail(f"{name}: for {r['for']!r} is not a Prometheus duration")
        metrics = []
        promql_parser.walk(expr, lambda n: metrics.append(n.name) if isinstance(n, promql_parser.VectorSelector) else None)
        for m in metrics:
            base = re.sub(r"_(bucket|sum|count)$", "", m)
            if not EXTERNAL_METRIC.match(m) and f"'{base}'" not in source and f'"{base}"' not in source:
                fail(f"{name}: metric {m} is not registered in {args.src}")
    print(f"{len(rules)} rule(s) parsed")
    finish("alerts")


# --- lua --------------------------------------------------------------------------------------
def cmd_lua(args):
    from lupa import luajit21 as lupa_mod  # LuaJIT, the Lua that Fluent Bit embeds

    cms = [d for _, d in load_docs([args.rendered]) if "sponsored-agents.lua" in (d.get("data") or {})]
    if not cms:
        fail("no Fluent Bit Lua script rendered")
        finish("lua")
    lua = lupa_mod.LuaRuntime(unpack_returned_tuples=True)
    lua.execute(cms[0]["data"]["sponsored-agents.lua"])
    fn = lua.globals().pino_to_opensearch

    def to_py(t):
        return {k: to_py(v) for k, v in t.items()} if lupa_mod.lua_type(t) == "table" else t

    def run(record, ts=1700000000.5):
        code, new_ts, out = fn("tag", ts, lua.table_from(record, recursive=True))
        return code, new_ts, to_py(out)

    def expect(what, got, want):
        if got != want:
            fail(f"{what}: {got!r}, expected {want!r}")

    pino = {"level": 30, "time": 1732661000123, "msg": "request completed", "requestId": "abc-1",
            "method": "GET", "route": "/v1/pages/:slug", "url": "/v1/pages/x", "statusCode": 200,
            "responseTimeMs": 4.2, "service": "sponsored-agents", "version": "0.1.0", "hostname": "pod-1",
            "pid": 1, "stream": "stdout", "_p": "F",
            "kubernetes": {"pod_name": "pod-1", "namespace_name": "pages", "container_name": "api",
                           "host": "ip-10-0-0-1", "labels": {"a": "b"}, "docker_id": "x"}}
    code, ts, out = run(pino)
    expect("record code (1: record and time modified)", code, 1)
    expect("timestamp (pino's epoch ms / 1000)", round(ts, 6), 1732661000.123)
    expect("fields dropped", sorted({"time", "stream", "_p"} & set(out)), [])
    for k in ["level", "msg", "requestId", "method", "route", "url", "statusCode", "responseTimeMs",
              "service", "version", "hostname", "pid"]:
        expect(f"field {k}", out.get(k), pino[k])
    expect("levelName", out.get("levelName"), "info")
    expect("kubernetes metadata (cut to the mapped fields)", out.get("kubernetes"),
           {"pod_name": "pod-1", "namespace_name": "pages", "container_name": "api", "host": "ip-10-0-0-1"})
    first_id = out.get("logId")

    _, _, out = run({"level": 50, "time": 1732661000000, "msg": "boom",
                     "req": {"id": "rid-7", "method": "POST", "url": "/admin/v1/pages"},
                     "res": {"statusCode": 500}, "responseTime": 12.5,
                     "err": {"type": "Error", "message": "boom", "stack": "Error: boom\n at x"}})
    for k, v in {"requestId": "rid-7", "method": "POST", "url": "/admin/v1/pages", "statusCode": 500,
                 "responseTimeMs": 12.5, "levelName": "error"}.items():
        expect(f"pino-http record: {k}", out.get(k), v)
    expect("err.stack", (out.get("err") or {}).get("stack"), "Error: boom\n at x")
    second_id = out.get("logId")
    if not first_id or not second_id or not second_id > first_id:
        fail(f"logId not unique and ordered: {first_id!r}, {second_id!r}")

    _, ts, out = run({"log": "FATAL ERROR: Reached heap limit", "stream": "stderr", "_p": "F"}, ts=1700000001.0)
    expect("non-JSON stderr line", {k: out.get(k) for k in ("msg", "level", "log")},
           {"msg": "FATAL ERROR: Reached heap limit", "level": 50, "log": None})
    expect("non-JSON line's time (collection time)", ts, 1700000001.0)
    _, _, out = run({"log": "plain text", "stream": "stdout"})
    expect("non-JSON stdout line level", (out.get("level"), out.get("levelName")), (30, "info"))
    _, _, out = run({"level": 35, "msg": "custom level", "time": 1})
    expect("level 35 named as the service names it", out.get("levelName"), "info")
    finish("lua")


# --- dockerfile -------------------------------------------------------------------------------
def cmd_dockerfile(args):
    stages, arg_defaults, cur = [], {}, ""
    with open(args.dockerfile) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not cur and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if line.endswith("\\"):
                cur += line[:-1] + " "
                continue
            word, _, rest = (cur + line).strip().partition(" ")
            cur, word, rest = "", word.upper(), rest.strip()
            if word == "ARG" and not stages:
                k, _, v = rest.partition("=")
                arg_defaults[k] = v.strip('"')
            elif word == "FROM":
                image = re.sub(r"\$\{?(\w+)\}?", lambda m: arg_defaults.get(m.group(1), m.group(0)), rest.split()[0])
                stages.append({"image": image, "ins": []})
            elif stages:
                stages[-1]["ins"].append((word, rest))
    if len(stages) < 2:
        fail(f"{len(stages)} stage(s): the final stage must not carry the build tooling")
        finish("dockerfile")
    for s in stages:
        if not re.match(r"^node:24[.\d]*-", s["image"]):
            fail(f"stage base {s['image']} is not Node 24 (the Node the replay and the tests run)")
    final = stages[-1]["ins"]

    def last(word):
        found = [r for w, r in final if w == word]
        return found[-1] if found else None

    values = yaml.safe_load(open(args.values))
    uid, gid = values["securityContext"]["runAsUser"], values["securityContext"]["runAsGroup"]
    if last("USER") != f"{uid}:{gid}":
        fail(f"final USER is {last('USER')}, expected {uid}:{gid} (the chart's runAsUser:runAsGroup)")
    if last("ENTRYPOINT") is None or json.loads(last("ENTRYPOINT")) != ["node", "dist/main.js"]:
        fail(f"ENTRYPOINT is {last('ENTRYPOINT')}, expected [\"node\", \"dist/main.js\"] (what image-check.sh starts)")
    if not re.search(r"\bNODE_ENV=production\b", " ".join(r for w, r in final if w == "ENV")):
        fail("the final stage does not set NODE_ENV=production")
    ports = {str(p) for p in values["containerPorts"].values()}
    exposed = set(" ".join(r for w, r in final if w == "EXPOSE").split())
    if exposed != ports:
        fail(f"EXPOSE {sorted(exposed)}, expected the chart's containerPorts {sorted(ports)}")
    allowed = {"dist", "package.json", "package-lock.json", "node_modules"}
    copies = [[p for p in r.split() if not p.startswith("--")][:-1] for w, r in final if w == "COPY"]
    for src in (s for c in copies for s in c):
        if src.rstrip("/").split("/")[-1] not in allowed:
            fail(f"the final stage copies {src}; image-check.sh stages only {sorted(allowed)}")
    if not any("--from=" in r and "node_modules" in r for w, r in final if w == "COPY"):
        fail("the final stage does not take node_modules from another stage")
    if not any("--omit=dev" in r for s in stages[:-1] for w, r in s["ins"] if w == "RUN"):
        fail("no `npm ci --omit=dev` stage for the production node_modules")
    if any(w == "RUN" for w, r in final):
        fail("the final stage runs commands (image-check.sh replays none there)")
    finish("dockerfile")


# --- checkov ----------------------------------------------------------------------------------
def cmd_checkov(args):
    with open(args.skips) as f:
        skips = (yaml.safe_load(f) or {}).get("skips") or []
    by_id = {}
    for s in skips:
        if not re.fullmatch(r"CKV2?_K8S_[0-9]+", str(s.get("id", ""))):
            fail(f"{args.skips}: entry {s} has no checkov id")
        elif len(str(s.get("reason", "")).split()) < 5:
            fail(f"{args.skips}: {s['id']} has no reason (say why the finding is accepted)")
        else:
            by_id[s["id"]] = s
    sets = {os.path.basename(r).split(".")[0] for r in args.rendered}
    # One run over every value set: checkov's start-up is most of its time.
    run = subprocess.run([args.checkov, "--framework", "kubernetes", "--output", "json", "--skip-download",
                          "--skip-results-upload", "--file", *args.rendered], capture_output=True, text=True)
    try:
        report = json.loads(run.stdout)
    except ValueError:
        print(run.stderr[-2000:])
        fail(f"checkov produced no JSON report (exit {run.returncode})")
        finish("checkov")
    report = report[0] if isinstance(report, list) else report
    results, summary = report.get("results", {}), report.get("summary", {})
    if summary.get("parsing_errors"):
        fail(f"checkov could not parse {results.get('parsing_errors')}")
    used, accepted = set(), 0
    for c in results.get("failed_checks", []):
        where = os.path.basename(c.get("file_path", "")).split(".")[0]
        skip = by_id.get(c["check_id"])
        if skip and where in (skip.get("sets") or sets):
            used.add((c["check_id"], where))
            accepted += 1
        else:
            fail(f"{where}: {c['check_id']} {c['check_name']}: {c['resource']}")
    for sid, s in by_id.items():
        for name in s.get("sets") or sets:
            if name not in sets:
                fail(f"{args.skips}: {sid} names value set {name}, which is not rendered")
            elif (sid, name) not in used:
                fail(f"{args.skips}: {sid} no longer fails for {name}: remove it (or narrow its `sets`)")
    print(f"checkov {summary.get('checkov_version')}: {summary.get('passed')} passed, "
          f"{summary.get('failed')} failed, of which {accepted} accepted by {args.skips}")
    finish("checkov")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("env")
    p.add_argument("--schema", default="src/core/config/environment.schema.ts")
    p.add_argument("rendered", nargs="+")
    p.set_defaults(fn=cmd_env)
    p = sub.add_parser("alerts")
    p.add_argument("--src", default="src")
    p.add_argument("rendered", nargs="+")
    p.set_defaults(fn=cmd_alerts)
    p = sub.add_parser("lua")
    p.add_argument("rendered")
    p.set_defaults(fn=cmd_lua)
    p = sub.add_parser("dockerfile")
    p.add_argument("--values", default="charts/sponsored-agents/values.yaml")
    p.add_argument("dockerfile")
    p.set_defaults(fn=cmd_dockerfile)
    p = sub.add_parser("checkov")
    p.add_argument("--checkov", required=True)
    p.add_argument("--skips", required=True)
    p.add_argument("rendered", nargs="+")
    p.set_defaults(fn=cmd_checkov)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
