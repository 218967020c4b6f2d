#!/usr/bin/env python3
"""Checks of the rendered chart and of the Dockerfile, for scripts/chart-test.sh.

Runs with the tools venv from scripts/tools.sh (PyYAML, kubernetes-validate, lupa).

  chart-assert.py schema RENDERED.yaml [-k 1.29 -k 1.37]
      every built-in object against the Kubernetes JSON schemas (strict: unknown fields fail);
      monitoring.coreos.com objects are left to k8s-validate, which knows their Go types.
  chart-assert.py rendered RENDERED.yaml VALUES.yaml [--env-schema src/core/config/environment.schema.ts] [--src src]
      the chart's promises: public Ingress only /v1, admin Ingress VPN-only over TLS, NetworkPolicy,
      hardened pod, probes, drain timing, config/secret wiring, env var names, alarms, Fluent Bit.
  chart-assert.py checkov --checkov BIN --skips scripts/checkov-skips.yaml RENDERED.yaml...
      checkov (--framework kubernetes) on the rendered value sets: no failed check outside the
      committed skip list, every skip with a reason and still matching a failure.
  chart-assert.py lua RENDERED.yaml
      runs the Fluent Bit Lua filter (LuaJIT, as in Fluent Bit) on sample pino records.
  chart-assert.py dockerfile Dockerfile
      the image contract: Node 24 base, multi-stage, non-root, production env, exec entrypoint.

Each prints the problems it finds and exits 1 if there are any.
"""

import argparse
import json
import os
import re
import sys

import yaml

PROBLEMS = []


def fail(msg):
    PROBLEMS.append(msg)


def finish(what):
    for p in PROBLEMS:
        print(f"  - {p}")
    if PROBLEMS:
        print(f"{what}: {len(PROBLEMS)} problem(s)")
        sys.exit(1)
    print(f"{what}: ok")


def load_docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def dig(obj, *keys, default=None):
    for k in keys:
        if isinstance(obj, dict) and k in obj:
            obj = obj[k]
        elif isinstance(obj, list) and isinstance(k, int) and k < len(obj):
            obj = obj[k]
        else:
            return default
    return obj


# --------------------------------------------------------------------------------------------
# schema
# --------------------------------------------------------------------------------------------
def cmd_schema(args):
    import kubernetes_validate

    versions = args.k or ["1.29", "1.37"]
    docs = load_docs(args.rendered)
    checked = 0
    for d in docs:
        api, kind = d.get("apiVersion", ""), d.get("kind", "")
        name = dig(d, "metadata", "name", default="?")
        if api.startswith("monitoring.coreos.com/"):
            continue  # CRDs: strict Go decoding in k8s-validate
        for v in versions:
            try:
                kubernetes_validate.validate(d, v, strict=True)
                checked += 1
            except kubernetes_validate.ValidationError as e:
                path = ".".join(str(p) for p in e.path)
                fail(f"{kind}/{name} (Kubernetes {v}): {path}: {e.message}")
            except kubernetes_validate.SchemaNotFoundError as e:
                fail(f"{kind}/{name}: no schema for {api} in Kubernetes {v} ({e.message})")
    if checked == 0:
        fail("no object was validated")
    finish(f"schema ({checked} object-version checks, Kubernetes {', '.join(versions)})")


# --------------------------------------------------------------------------------------------
# rendered-chart assertions
# --------------------------------------------------------------------------------------------
# The configuration contract of the service (docs/deploy.md); the chart sets no other variable
# unless a value set adds it through config.extraEnv.
CONTRACT_ENV = {
    "PORT", "METRICS_PORT", "NODE_ENV", "LOG_LEVEL", "MONGODB_URI", "MONGODB_TLS_CA_FILE",
    "MONGODB_RETRY_WRITES", "MONGODB_READ_PREFERENCE", "ADMIN_TOKEN", "CACHE_S_MAXAGE",
    "CACHE_STALE_WHILE_REVALIDATE", "CACHE_STALE_IF_ERROR", "BODY_LIMIT_BYTES", "OPENSEARCH_URL",
    "OPENSEARCH_AWS_SIGV4", "OPENSEARCH_AWS_SERVICE", "LOG_SHIPPER_ENABLED",
    "CLOUDFRONT_DISTRIBUTION_ID", "CLOUDFRONT_ENDPOINT", "AWS_REGION", "SHUTDOWN_GRACE_MS",
    "SHUTDOWN_DRAIN_DELAY_MS", "LOG_INDEX",
    # staff identities (README "Staff identities"): bootstrap switch, trusted ingress, OIDC
    "ADMIN_TOKEN_ENABLED", "TRUSTED_PROXIES", "OIDC_ISSUER", "OIDC_AUDIENCE", "OIDC_ROLES_CLAIM",
    "OIDC_ROLE_MAP",
    # production topology: in-process cache, settle rule, database time bounds, load shedding
    "PUBLIC_CACHE_TTL_MS", "PUBLIC_CACHE_MAX_BYTES", "CDN_INVALIDATION_SETTLE_MS",
    "MONGODB_REPLICA_LAG_ALLOWANCE_MS", "MONGODB_SERVER_SELECTION_TIMEOUT_MS",
    "MONGODB_OPERATION_TIMEOUT_MS", "LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS", "LOAD_SHED_MAX_HEAP_USED_MB",
    "LOAD_SHED_SAMPLE_INTERVAL_MS", "LOAD_SHED_RETRY_AFTER_SECONDS",
}
SECRET_ENV = {"MONGODB_URI", "ADMIN_TOKEN"}
# Routes that must never be reachable through the public Ingress.
NOT_PUBLIC = ["/admin", "/metrics", "/docs", "/docs-json", "/health"]
PUBLIC_ROOTS = ["/v1"]
ADMIN_PATHS = {("/admin", "Prefix"), ("/docs", "Prefix"), ("/docs-json", "Exact")}
# ingress-nginx reads the first and falls back to its alias; the chart writes both.
SOURCE_RANGE_KEYS = ["nginx.ingress.kubernetes.io/allowlist-source-range",
                     "nginx.ingress.kubernetes.io/whitelist-source-range"]
# A uid/gid at or above this belongs to no account on a node.
HIGH_ID = 10000
REQUIRED_ALERT_METRICS = {  # value key under metrics.prometheusRule.alerts -> expression part
    "http5xxRate": 'status=~"5.."',
    "latencyP99": "http_request_duration_seconds_bucket",
    "notReady": "kube_pod_container_status_ready",
    "invalidationBacklogAge": "cache_invalidation_oldest_pending_age_seconds",
    "invalidationDeferred": "cache_invalidation_deferred_total",
    "logShipperDrops": "log_shipper_dropped_total",
    "scheduledActionsLate": "page_actions_oldest_lateness_seconds",
}


def env_schema_names(path):
    """Variable names declared by the service's config class, when that file is present."""
    if not path or not os.path.exists(path):
        return None
    names = set()
    with open(path) as f:
        for line in f:
            m = re.match(r"^\s+([A-Z][A-Z0-9_]+)[!?]?\s*(:|=)", line)
            if m:
                names.add(m.group(1))
    return names or None


def path_exposes(path, path_type, route):
    """Whether an Ingress path (as ingress-nginx matches it) routes `route` or anything under it."""
    p = path.rstrip("/") or "/"
    if p == "/":
        return True
    if path_type == "Exact":
        return p == route or p.startswith(route + "/")
    if path_type == "Prefix":  # whole path elements
        return p == route or route.startswith(p + "/") or p.startswith(route + "/")
    # ImplementationSpecific: ingress-nginx matches a plain string prefix.
    return route.startswith(p) or p.startswith(route)


def check_public_ingress(ing, service_name):
    name = dig(ing, "metadata", "name")
    ann = dig(ing, "metadata", "annotations", default={}) or {}
    for key in ann:
        if "use-regex" in key or "rewrite-target" in key or "snippet" in key:
            fail(f"public Ingress {name}: annotation {key} could change which paths it routes")
    if dig(ing, "spec", "defaultBackend"):
        fail(f"public Ingress {name}: has a defaultBackend (would route every path)")
    paths = 0
    for rule in dig(ing, "spec", "rules", default=[]) or []:
        for p in dig(rule, "http", "paths", default=[]) or []:
            paths += 1
            path, ptype = p.get("path", ""), p.get("pathType", "")
            for route in NOT_PUBLIC:
                if path_exposes(path, ptype, route):
                    fail(f"public Ingress {name}: path {path} ({ptype}) exposes {route}")
            if not any(path == r or path.startswith(r + "/") for r in PUBLIC_ROOTS):
                fail(f"public Ingress {name}: path {path} is not under {PUBLIC_ROOTS}")
            port = dig(p, "backend", "service", "port", default={})
            if port.get("name") != "http":
                fail(f"public Ingress {name}: path {path} goes to port {port}, not the http port")
            if dig(p, "backend", "service", "name") != service_name:
                fail(f"public Ingress {name}: path {path} goes to another Service")
    if paths == 0:
        fail(f"public Ingress {name}: routes nothing")


def check_admin_ingress(ing, values, service_name):
    name = dig(ing, "metadata", "name")
    ann = dig(ing, "metadata", "annotations", default={}) or {}
    want = ",".join(dig(values, "ingress", "admin", "vpnCidrs", default=[]) or [])
    for key in SOURCE_RANGE_KEYS:
        if not ann.get(key):
            fail(f"admin Ingress {name}: no {key} annotation")
        elif ann.get(key) != want:
            fail(f"admin Ingress {name}: {key} is {ann.get(key)!r}, expected the VPN CIDRs {want!r}")
        if "0.0.0.0/0" in str(ann.get(key)) or "::/0" in str(ann.get(key)):
            fail(f"admin Ingress {name}: source range is open to the internet")
    for key in ann:
        if "snippet" in key or "use-regex" in key or "rewrite-target" in key:
            fail(f"admin Ingress {name}: annotation {key} could bypass the source range or reroute")
    hosts = dig(values, "ingress", "admin", "hosts", default=[]) or []
    tls = dig(ing, "spec", "tls", default=[]) or []
    if dig(values, "ingress", "admin", "tls", "enabled", default=True):
        secret = dig(values, "ingress", "admin", "tls", "secretName")
        if [(t.get("secretName"), t.get("hosts")) for t in tls] != [(secret, hosts)]:
            fail(f"admin Ingress {name}: tls is {tls}, expected secret {secret!r} for hosts {hosts}")
    elif tls:
        fail(f"admin Ingress {name}: ingress.admin.tls.enabled is false but tls is rendered")
    want_class = dig(values, "ingress", "admin", "className", default="nginx-internal")
    if dig(ing, "spec", "ingressClassName") != want_class:
        fail(f"admin Ingress {name}: class {dig(ing, 'spec', 'ingressClassName')} is not {want_class}")
    for rule in dig(ing, "spec", "rules", default=[]) or []:
        got = set()
        for p in dig(rule, "http", "paths", default=[]) or []:
            got.add((p.get("path"), p.get("pathType")))
            for route in ["/metrics", "/health"]:
                if path_exposes(p.get("path", ""), p.get("pathType", ""), route):
                    fail(f"admin Ingress {name}: path {p.get('path')} exposes {route}")
            if dig(p, "backend", "service", "port", "name") != "http":
                fail(f"admin Ingress {name}: path {p.get('path')} does not go to the http port")
            if dig(p, "backend", "service", "name") != service_name:
                fail(f"admin Ingress {name}: path {p.get('path')} goes to another Service")
        if got != ADMIN_PATHS:
            fail(f"admin Ingress {name}: paths {sorted(got)} != {sorted(ADMIN_PATHS)}")


def check_pod(dep, config, values, secrets_rendered):
    name = dig(dep, "metadata", "name")
    tpl = dig(dep, "spec", "template")
    pod = dig(tpl, "spec")
    psc = pod.get("securityContext") or {}
    ann = dig(tpl, "metadata", "annotations", default={}) or {}

    if not psc.get("runAsNonRoot"):
        fail(f"{name}: pod securityContext.runAsNonRoot is not true")
    for k in ("runAsUser", "runAsGroup", "fsGroup"):
        if int(psc.get(k, 0)) < HIGH_ID:
            fail(f"{name}: pod securityContext.{k} is {psc.get(k)}, not a high id (>= {HIGH_ID})")
    if dig(values, "topologySpread", default=True):
        keys = {(t.get("topologyKey"), tuple(sorted((dig(t, "labelSelector", "matchLabels") or {}).items())))
                for t in pod.get("topologySpreadConstraints", [])}
        want_sel = tuple(sorted(dig(dep, "spec", "selector", "matchLabels").items()))
        for k in ("topology.kubernetes.io/zone", "kubernetes.io/hostname"):
            if (k, want_sel) not in keys:
                fail(f"{name}: no topologySpreadConstraint over {k} selecting the release's pods")
    if psc.get("runAsUser", 1000) == 0:
        fail(f"{name}: pod runs as uid 0")
    if not ann.get("checksum/config"):
        fail(f"{name}: no checksum/config annotation (config changes would not roll the pods)")
    if secrets_rendered and not ann.get("checksum/secret"):
        fail(f"{name}: the chart renders the Secret but the pods carry no checksum/secret")
    if pod.get("automountServiceAccountToken") is not False:
        fail(f"{name}: automountServiceAccountToken is not false")

    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for c in pod.get("containers", []):
        cn = c.get("name")
        sc = c.get("securityContext") or {}
        eff = lambda k: sc.get(k, psc.get(k))  # noqa: E731
        if eff("runAsNonRoot") is not True:
            fail(f"{name}/{cn}: runAsNonRoot is not true")
        if eff("runAsUser") == 0:
            fail(f"{name}/{cn}: runs as uid 0")
        for k in ("runAsUser", "runAsGroup"):
            if eff(k) is None or int(eff(k)) < HIGH_ID:
                fail(f"{name}/{cn}: {k} is {eff(k)}, not a high id (>= {HIGH_ID})")
        if sc.get("readOnlyRootFilesystem") is not True:
            fail(f"{name}/{cn}: readOnlyRootFilesystem is not true")
        if sc.get("allowPrivilegeEscalation") is not False:
            fail(f"{name}/{cn}: allowPrivilegeEscalation is not false")
        if sc.get("privileged"):
            fail(f"{name}/{cn}: privileged")
        if "ALL" not in (dig(sc, "capabilities", "drop", default=[]) or []):
            fail(f"{name}/{cn}: capabilities do not drop ALL")
        if dig(sc, "capabilities", "add"):
            fail(f"{name}/{cn}: adds capabilities")
        seccomp = dig(sc, "seccompProfile", "type") or dig(psc, "seccompProfile", "type")
        if seccomp != "RuntimeDefault":
            fail(f"{name}/{cn}: seccompProfile is {seccomp}, not RuntimeDefault")

        mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
        tmp = mounts.get("/tmp")
        if not tmp or "emptyDir" not in volumes.get(tmp["name"], {}):
            fail(f"{name}/{cn}: no writable emptyDir at /tmp")
        eph_req = dig(c, "resources", "requests", "ephemeral-storage")
        eph_lim = dig(c, "resources", "limits", "ephemeral-storage")
        if not eph_req or not eph_lim:
            fail(f"{name}/{cn}: no ephemeral-storage request and limit")
        for v in volumes.values():
            if "emptyDir" in v:
                size = dig(v, "emptyDir", "sizeLimit")
                if not size:
                    fail(f"{name}: emptyDir {v['name']} has no sizeLimit")
                elif eph_lim and quantity(size) >= quantity(eph_lim):
                    fail(f"{name}: emptyDir {v['name']} sizeLimit {size} is not below the ephemeral-storage limit {eph_lim}")

        ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
        if ports.get("http") is None or ports.get("metrics") is None:
            fail(f"{name}/{cn}: ports {ports} lack http or metrics")
        if str(ports.get("http")) != str(config.get("PORT")):
            fail(f"{name}/{cn}: http port {ports.get('http')} != PORT {config.get('PORT')}")
        if str(ports.get("metrics")) != str(config.get("METRICS_PORT")):
            fail(f"{name}/{cn}: metrics port {ports.get('metrics')} != METRICS_PORT {config.get('METRICS_PORT')}")

        for probe, path in [("startupProbe", "/health/startup"), ("livenessProbe", "/health/live"),
                            ("readinessProbe", "/health/ready")]:
            pr = c.get(probe)
            if not pr:
                fail(f"{name}/{cn}: no {probe}")
                continue
            if dig(pr, "httpGet", "path") != path or dig(pr, "httpGet", "port") != "http":
                fail(f"{name}/{cn}: {probe} is {pr.get('httpGet')}, expected {path} on port http")
        st, lv = c.get("startupProbe") or {}, c.get("livenessProbe") or {}
        if st and lv and st.get("failureThreshold", 3) * st.get("periodSeconds", 10) <= \
                lv.get("failureThreshold", 3) * lv.get("periodSeconds", 10):
            fail(f"{name}/{cn}: the startup probe allows no more time than the liveness probe")

        cmd = dig(c, "lifecycle", "preStop", "exec", "command", default=[]) or []
        sleep = dig(c, "lifecycle", "preStop", "sleep", "seconds")
        if sleep is None and len(cmd) == 2 and cmd[0] == "sleep":
            sleep = int(cmd[1])
        if sleep is None or sleep <= 0:
            fail(f"{name}/{cn}: no preStop sleep (endpoints would still route to a stopping pod)")
            sleep = 0
        grace = int(config.get("SHUTDOWN_GRACE_MS", "10000"))
        tgp = pod.get("terminationGracePeriodSeconds", 30)
        if tgp * 1000 <= sleep * 1000 + grace:
            fail(f"{name}: terminationGracePeriodSeconds {tgp}s <= preStop {sleep}s + SHUTDOWN_GRACE_MS {grace}ms")

        if not (dig(c, "resources", "requests", "cpu") and dig(c, "resources", "requests", "memory")
                and dig(c, "resources", "limits", "memory")):
            fail(f"{name}/{cn}: resources lack cpu/memory requests or a memory limit")

        # Secrets only from the Secret, never as plain values.
        env = {e["name"]: e for e in c.get("env", [])}
        for s in SECRET_ENV:
            if not dig(env.get(s), "valueFrom", "secretKeyRef", "name"):
                fail(f"{name}/{cn}: {s} does not come from a Secret")
        for e in env.values():
            if "value" in e and e["name"] in SECRET_ENV:
                fail(f"{name}/{cn}: {e['name']} is a plain value")

        # The CA bundle file named by MONGODB_TLS_CA_FILE is mounted from a ConfigMap/Secret.
        ca = config.get("MONGODB_TLS_CA_FILE")
        ca_on = dig(values, "documentdb", "caBundle", "enabled", default=True)
        if ca_on and not ca:
            fail(f"{name}: documentdb.caBundle.enabled but MONGODB_TLS_CA_FILE is not set")
        if ca:
            d, base = os.path.dirname(ca), os.path.basename(ca)
            m = mounts.get(d)
            vol = volumes.get(m["name"]) if m else None
            src = (vol or {}).get("configMap") or (vol or {}).get("secret")
            if not m or not src:
                fail(f"{name}/{cn}: {d} (MONGODB_TLS_CA_FILE) is not mounted from a ConfigMap or Secret")
            elif not m.get("readOnly"):
                fail(f"{name}/{cn}: the CA bundle mount is not read-only")
            elif base not in [i.get("path") for i in src.get("items", [])]:
                fail(f"{name}/{cn}: the CA volume does not project {base}")
        if not ca_on and ca:
            fail(f"{name}: caBundle disabled but MONGODB_TLS_CA_FILE is set")


def quantity(q):
    """Bytes of a Kubernetes quantity such as 64Mi, 1G or 1000."""
    m = re.fullmatch(r"([0-9.]+)([KMGTPE]i?|[kmMGTPE]?)", str(q))
    if not m:
        raise ValueError(f"not a quantity: {q}")
    mult = {"": 1, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
            "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}[m.group(2)]
    return float(m.group(1)) * mult


def peers_ok(where, peers):
    """Ingress peers: each names a namespace (never every pod of the cluster), and no ipBlock."""
    if not peers:
        fail(f"NetworkPolicy: {where} has no peers (would admit every source)")
    for p in peers or []:
        if "ipBlock" in p:
            fail(f"NetworkPolicy: {where} admits an ipBlock {p['ipBlock']}")
        if not p.get("namespaceSelector"):
            fail(f"NetworkPolicy: {where} peer {p} has no non-empty namespaceSelector")


def opensearch_port(url):
    from urllib.parse import urlsplit
    u = urlsplit(url)
    return u.port or (80 if u.scheme == "http" else 443)


def check_network_policy(docs, values, dep, config):
    nps = by_kind(docs, "NetworkPolicy")
    np_values = dig(values, "networkPolicy", default={}) or {}
    if not np_values.get("enabled", True):
        if nps:
            fail("networkPolicy.enabled is false but a NetworkPolicy is rendered")
        return
    if len(nps) != 1:
        fail(f"expected one NetworkPolicy, found {len(nps)}")
        return
    spec = nps[0].get("spec") or {}
    if dig(spec, "podSelector", "matchLabels") != dig(dep, "spec", "selector", "matchLabels"):
        fail(f"NetworkPolicy selects {dig(spec, 'podSelector')}, not the Deployment's pods")
    if sorted(spec.get("policyTypes") or []) != ["Egress", "Ingress"]:
        fail(f"NetworkPolicy policyTypes {spec.get('policyTypes')}: both Ingress and Egress must be isolated")

    http, metrics = int(config.get("PORT")), int(config.get("METRICS_PORT"))
    by_port = {}
    for rule in spec.get("ingress") or []:
        ports = rule.get("ports") or []
        if not ports:
            fail(f"NetworkPolicy: ingress rule {rule} has no ports (would open every port)")
        if "from" not in rule:
            fail(f"NetworkPolicy: ingress rule for {ports} has no `from` (would admit every source)")
        for p in ports:
            by_port.setdefault((p.get("protocol", "TCP"), p.get("port")), []).append(rule.get("from"))
    if set(by_port) - {("TCP", http), ("TCP", metrics)}:
        fail(f"NetworkPolicy admits ports {sorted(by_port)}, expected only TCP {http} and {metrics}")
    ingress_on = dig(values, "ingress", "public", "enabled", default=True) or \
        dig(values, "ingress", "admin", "enabled", default=True)
    if ingress_on and ("TCP", http) not in by_port:
        fail("NetworkPolicy: no rule admits the ingress controllers to the API port")
    for peers in by_port.get(("TCP", http), []):
        peers_ok("API port", peers)
        if "apiFrom" in np_values and peers != np_values["apiFrom"]:
            fail(f"NetworkPolicy: API port peers {peers} != networkPolicy.apiFrom")
    if dig(values, "metrics", "serviceMonitor", "enabled") and ("TCP", metrics) not in by_port:
        fail("NetworkPolicy: the ServiceMonitor is on but no rule admits monitoring to the metrics port")
    for peers in by_port.get(("TCP", metrics), []):
        peers_ok("metrics port", peers)
        if "metricsFrom" in np_values and peers != np_values["metricsFrom"]:
            fail(f"NetworkPolicy: metrics port peers {peers} != networkPolicy.metricsFrom")
    if http == metrics:
        fail("the API and metrics ports are the same: the NetworkPolicy cannot tell them apart")

    # Egress: DNS, DocumentDB, OpenSearch, HTTPS (+ extraEgress verbatim); every rule names ports,
    # and only 443 may go to the whole internet.
    extra = np_values.get("extraEgress") or []
    rules = [r for r in spec.get("egress") or [] if r not in extra]
    if len(spec.get("egress") or []) - len(rules) != len(extra):
        fail("NetworkPolicy: networkPolicy.extraEgress is not rendered as given")
    cidr_rules = {}
    dns = False
    for rule in rules:
        ports = {(p.get("protocol", "TCP"), p.get("port")) for p in rule.get("ports") or []}
        if not ports:
            fail(f"NetworkPolicy: egress rule {rule} has no ports (would open every port)")
        if not rule.get("to"):
            fail(f"NetworkPolicy: egress rule for {sorted(ports)} has no `to` (would reach anywhere)")
        if ports == {("UDP", 53), ("TCP", 53)}:
            dns = True
            continue
        cidrs = sorted(dig(p, "ipBlock", "cidr") for p in rule.get("to") or [])
        for proto, port in ports:
            cidr_rules.setdefault(port, []).append(cidrs)
            if proto != "TCP":
                fail(f"NetworkPolicy: egress {proto} {port} (only DNS uses UDP)")
        if any(c in ("0.0.0.0/0", "::/0") for c in cidrs) and ports != {("TCP", 443)}:
            fail(f"NetworkPolicy: ports {sorted(ports)} open to the whole internet (only 443 may be)")
    if not dns:
        fail("NetworkPolicy: no DNS egress (UDP and TCP 53)")
    eg = np_values.get("egress") or {}
    doc_port = dig(eg, "documentdb", "port", default=27017)
    doc_cidrs = sorted(dig(eg, "documentdb", "cidrs", default=["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]))
    if doc_cidrs not in cidr_rules.get(doc_port, []):
        fail(f"NetworkPolicy: no egress to DocumentDB {doc_cidrs} on {doc_port} (got {cidr_rules.get(doc_port)})")
    expected = {doc_port, 443}
    url = config.get("OPENSEARCH_URL")
    if url:
        os_port = int(dig(eg, "opensearch", "port", default="") or opensearch_port(url))
        expected.add(os_port)
        if os_port not in cidr_rules:
            fail(f"NetworkPolicy: OPENSEARCH_URL {url} but no egress on port {os_port}")
    https = sorted(dig(eg, "https", "cidrs", default=["0.0.0.0/0", "::/0"]))
    if https and https not in cidr_rules.get(443, []):
        fail(f"NetworkPolicy: no HTTPS egress to {https} (CloudFront API, STS)")
    if set(cidr_rules) - expected:
        fail(f"NetworkPolicy: unexpected egress ports {sorted(set(cidr_rules) - expected)}")


def check_namespaces(docs, namespace, values):
    fb_ns = dig(values, "fluentBit", "namespace") or namespace
    for d in docs:
        name = dig(d, "metadata", "name", default="?")
        want = fb_ns if name.endswith("-fluent-bit") and d.get("kind") == "ConfigMap" else namespace
        if dig(d, "metadata", "namespace") != want:
            fail(f"{d.get('kind')}/{name}: metadata.namespace is {dig(d, 'metadata', 'namespace')}, expected {want}")


def check_env_names(docs, config, values, schema_names):
    allowed = set(CONTRACT_ENV) | set((dig(values, "config", "extraEnv", default={}) or {}).keys())
    names = set(config)
    for dep in by_kind(docs, "Deployment"):
        for c in dig(dep, "spec", "template", "spec", "containers", default=[]):
            names |= {e["name"] for e in c.get("env", [])}
    for n in sorted(names - allowed):
        fail(f"environment variable {n} is not part of the service's configuration contract")
    if schema_names is not None:
        for n in sorted(names - schema_names):
            fail(f"environment variable {n} is not declared by the service's config schema")


def check_rules(docs, values):
    rules = [r for pr in by_kind(docs, "PrometheusRule")
             for g in dig(pr, "spec", "groups", default=[]) for r in g.get("rules", [])]
    exprs = "\n".join(str(r.get("expr", "")) for r in rules)
    alerts = dig(values, "metrics", "prometheusRule", "alerts", default={}) or {}
    for key, needle in REQUIRED_ALERT_METRICS.items():
        enabled = dig(alerts, key, "enabled", default=True)
        if enabled and needle not in exprs:
            fail(f"PrometheusRule: no {key} alert (expected an expression using {needle})")
        if not enabled and needle in exprs:
            fail(f"PrometheusRule: {key} is disabled but its alert is rendered")
    for r in rules:
        if r.get("alert") and not dig(r, "labels", "severity"):
            fail(f"PrometheusRule: alert {r['alert']} has no severity")
        if r.get("alert") and dig(values, "metrics", "prometheusRule", "runbookBaseUrl") \
                and not dig(r, "annotations", "runbook_url"):
            fail(f"PrometheusRule: alert {r['alert']} has no runbook_url")


# Metrics that come from elsewhere than the service's own code.
EXTERNAL_METRIC = re.compile(r"^(up|kube_\w+|fluentbit_\w+|nodejs_\w+|process_\w+)$")


def check_rule_metrics(docs, src_dir):
    """Every service metric an alert uses is registered somewhere in src/ (catches renames)."""
    if not src_dir or not os.path.isdir(src_dir):
        return
    source = ""
    for d, _, names in os.walk(src_dir):
        for n in names:
            if n.endswith(".ts") and not n.endswith(".spec.ts"):
                with open(os.path.join(d, n)) as f:
                    source += f.read()
    for pr in by_kind(docs, "PrometheusRule"):
        for g in dig(pr, "spec", "groups", default=[]):
            for r in g.get("rules", []):
                for m in set(re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{", str(r.get("expr", "")))):
                    if EXTERNAL_METRIC.match(m):
                        continue
                    base = re.sub(r"_(bucket|sum|count)$", "", m)
                    if f"'{base}'" not in source and f'"{base}"' not in source:
                        fail(f"alert {r.get('alert')}: metric {m} is not registered in {src_dir}")


def check_fluent_bit(docs, values, namespace, fullname):
    cms = [d for d in by_kind(docs, "ConfigMap") if d["metadata"]["name"].endswith("-fluent-bit")]
    if not dig(values, "fluentBit", "enabled"):
        if cms:
            fail("Fluent Bit ConfigMap rendered although fluentBit.enabled is false")
        return
    if len(cms) != 1:
        fail(f"expected one Fluent Bit ConfigMap, found {len(cms)}")
        return
    cm = cms[0]
    want_ns = dig(values, "fluentBit", "namespace") or namespace
    if dig(cm, "metadata", "namespace") != want_ns:
        fail(f"Fluent Bit ConfigMap is in {dig(cm, 'metadata', 'namespace')}, expected {want_ns}")
    conf = cm["data"].get("sponsored-agents.conf", "")
    output = conf[conf.find("[OUTPUT]"):]
    index = dig(values, "config", "logIndex") or "logs-sponsored-agents"
    for key, val in [("Name", "opensearch"), ("Index", index), ("Time_Key", "@timestamp"),
                     ("Write_Operation", "create"), ("Suppress_Type_Name", "On")]:
        if not re.search(rf"^\s+{re.escape(key)}\s+{re.escape(val)}\s*$", output, re.M):
            fail(f"Fluent Bit output lacks `{key} {val}`")
    host = re.search(r"^\s+Host\s+(\S+)", output, re.M)
    if not host or "/" in host.group(1) or ":" in host.group(1):
        fail(f"Fluent Bit output host {host.group(1) if host else None!r} is not a bare host name")
    path = re.search(r"^\s+Path\s+(\S+)", conf, re.M)
    want_path = f"/var/log/containers/{fullname}-*_{namespace}_api-*.log"
    if not path or path.group(1) != want_path:
        fail(f"Fluent Bit tail path {path.group(1) if path else None} != {want_path}")
    if "pino_to_opensearch" not in cm["data"].get("sponsored-agents.lua", ""):
        fail("Fluent Bit Lua filter missing")


def cmd_rendered(args):
    docs = load_docs(args.rendered)
    with open(args.values) as f:
        values = yaml.safe_load(f) or {}
    deps = by_kind(docs, "Deployment")
    if len(deps) != 1:
        fail(f"expected one Deployment, found {len(deps)}")
        finish("rendered")
    dep = deps[0]
    fullname = dep["metadata"]["name"]
    namespace = args.namespace
    services = by_kind(docs, "Service")
    svc = services[0] if services else {}
    if {p.get("name"): p.get("port") for p in dig(svc, "spec", "ports", default=[])}.keys() != {"http", "metrics"}:
        fail("the Service does not expose exactly the http and metrics ports")

    config_maps = {d["metadata"]["name"]: d for d in by_kind(docs, "ConfigMap")}
    env_cm = None
    for c in dig(dep, "spec", "template", "spec", "containers", default=[]):
        for ef in c.get("envFrom", []):
            env_cm = config_maps.get(dig(ef, "configMapRef", "name"))
    if not env_cm:
        fail("the container's envFrom ConfigMap is not rendered")
        env_cm = {"data": {}}
    config = env_cm.get("data", {})
    for s in SECRET_ENV:
        if s in config:
            fail(f"{s} is in the ConfigMap (it is a secret)")

    secrets = by_kind(docs, "Secret")
    existing = dig(values, "secret", "existingSecret")
    if existing and secrets:
        fail("secret.existingSecret is set but the chart still renders a Secret")
    if not existing and len(secrets) != 1:
        fail("the chart should render exactly one Secret")

    ingresses = by_kind(docs, "Ingress")
    public = [i for i in ingresses
              if not set(SOURCE_RANGE_KEYS) & set(dig(i, "metadata", "annotations", default={}) or {})]
    admin = [i for i in ingresses if i not in public]
    if bool(public) != bool(dig(values, "ingress", "public", "enabled", default=True)):
        fail(f"public Ingress rendered: {bool(public)}, expected {dig(values, 'ingress', 'public', 'enabled', default=True)}")
    if bool(admin) != bool(dig(values, "ingress", "admin", "enabled", default=True)):
        fail(f"admin Ingress rendered: {bool(admin)}, expected {dig(values, 'ingress', 'admin', 'enabled', default=True)}")
    for i in public:
        check_public_ingress(i, svc.get("metadata", {}).get("name"))
    for i in admin:
        check_admin_ingress(i, values, svc.get("metadata", {}).get("name"))

    check_pod(dep, config, values, secrets_rendered=bool(secrets))
    check_network_policy(docs, values, dep, config)
    check_namespaces(docs, namespace, values)
    check_env_names(docs, config, values, env_schema_names(args.env_schema))

    role = dig(values, "serviceAccount", "roleArn")
    sas = by_kind(docs, "ServiceAccount")
    if dig(values, "serviceAccount", "create", default=True):
        if len(sas) != 1:
            fail("serviceAccount.create is true but no ServiceAccount is rendered")
        elif role and dig(sas[0], "metadata", "annotations", "eks.amazonaws.com/role-arn") != role:
            fail("ServiceAccount lacks the IRSA annotation eks.amazonaws.com/role-arn")
        if sas and dig(dep, "spec", "template", "spec", "serviceAccountName") != sas[0]["metadata"]["name"]:
            fail("the pods do not run as the rendered ServiceAccount")
    elif sas:
        fail("serviceAccount.create is false but a ServiceAccount is rendered")

    if dig(values, "autoscaling", "enabled", default=True):
        if not by_kind(docs, "HorizontalPodAutoscaler"):
            fail("autoscaling.enabled but no HPA")
        if "replicas" in dep["spec"]:
            fail("the Deployment sets replicas although the HPA owns them")
    if dig(values, "podDisruptionBudget", "enabled", default=True) and not by_kind(docs, "PodDisruptionBudget"):
        fail("podDisruptionBudget.enabled but no PDB")

    for sm in by_kind(docs, "ServiceMonitor"):
        eps = dig(sm, "spec", "endpoints", default=[])
        if [(e.get("port"), e.get("path")) for e in eps] != [("metrics", "/metrics")]:
            fail(f"ServiceMonitor scrapes {eps}, expected port metrics path /metrics")
    if dig(values, "metrics", "prometheusRule", "enabled"):
        check_rules(docs, values)
        check_rule_metrics(docs, args.src)

    check_fluent_bit(docs, values, namespace, fullname)
    finish("rendered")


# --------------------------------------------------------------------------------------------
# checkov
# --------------------------------------------------------------------------------------------
def cmd_checkov(args):
    import subprocess

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
    sets = {os.path.basename(r).split(".")[0]: r for r in args.rendered}
    # One run over every value set: checkov's start-up is most of its time.
    cmd = [args.checkov, "--framework", "kubernetes", "--output", "json", "--skip-download",
           "--skip-results-upload", "--file", *args.rendered]
    run = subprocess.run(cmd, capture_output=True, text=True)
    try:
        report = json.loads(run.stdout)
    except ValueError:
        print(run.stderr[-2000:])
        fail(f"checkov produced no JSON report (exit {run.returncode})")
        finish("checkov")
    reports = report if isinstance(report, list) else [report]
    if [r.get("check_type") for r in reports] != ["kubernetes"]:
        fail(f"checkov reports {[r.get('check_type') for r in reports]}, expected kubernetes only")
    results = reports[0].get("results", {})
    summary = reports[0].get("summary", {})
    if summary.get("parsing_errors"):
        fail(f"checkov could not parse {results.get('parsing_errors')}")

    def set_of(check):
        return os.path.basename(check.get("file_path", "")).split(".")[0]

    used = set()
    accepted = 0
    per_set = {name: [0, 0, 0] for name in sets}  # passed, failed, failed but skip-listed
    for c in results.get("passed_checks", []):
        per_set.setdefault(set_of(c), [0, 0, 0])[0] += 1
    for c in results.get("failed_checks", []):
        skip = by_id.get(c["check_id"])
        where = set_of(c)
        if skip and (not skip.get("sets") or where in skip["sets"]):
            used.add((c["check_id"], where))
            accepted += 1
            per_set.setdefault(where, [0, 0, 0])[2] += 1
            continue
        per_set.setdefault(where, [0, 0, 0])[1] += 1
        fail(f"{where}: {c['check_id']} {c['check_name']}: {c['resource']}")
    for sid, s in by_id.items():
        for name in s.get("sets") or sets:
            if name not in sets:
                fail(f"{args.skips}: {sid} names value set {name}, which is not rendered")
            elif (sid, name) not in used:
                fail(f"{args.skips}: {sid} no longer fails for {name}: remove it from the skip list "
                     "(or narrow its `sets`)")
    for name, (passed, failed, skipped) in sorted(per_set.items()):
        print(f"  {name}: {passed} passed, {failed} failed, {skipped} skip-listed")
    print(f"checkov {summary.get('checkov_version')}: {summary.get('passed')} passed, "
          f"{summary.get('failed')} failed, of which {accepted} accepted by {args.skips}")
    finish("checkov")


# --------------------------------------------------------------------------------------------
# Fluent Bit Lua filter
# --------------------------------------------------------------------------------------------
def cmd_lua(args):
    from lupa import luajit21 as lupa_mod  # LuaJIT, the Lua that Fluent Bit embeds

    docs = load_docs(args.rendered)
    cms = [d for d in by_kind(docs, "ConfigMap") if "sponsored-agents.lua" in (d.get("data") or {})]
    if not cms:
        fail("no Fluent Bit Lua script rendered")
        finish("lua")
    lua = lupa_mod.LuaRuntime(unpack_returned_tuples=True)
    lua.execute(cms[0]["data"]["sponsored-agents.lua"])
    fn = lua.globals().pino_to_opensearch

    def run(record, ts=1700000000.5):
        table = lua.table_from(json.loads(json.dumps(record)), recursive=True)
        code, new_ts, out = fn("tag", ts, table)
        return code, new_ts, to_py(out)

    def to_py(t):
        if lupa_mod.lua_type(t) != "table":
            return t
        return {k: to_py(v) for k, v in t.items()}

    pino = {"level": 30, "time": 1732661000123, "msg": "request completed", "requestId": "abc-1",
            "method": "GET", "route": "/v1/pages/:slug", "url": "/v1/pages/x", "statusCode": 200,
            "responseTimeMs": 4.2, "service": "sponsored-agents", "version": "0.1.0", "hostname": "pod-1",
            "pid": 1, "stream": "stdout", "_p": "F",
            "kubernetes": {"pod_name": "pod-1", "namespace_name": "pages", "container_name": "api",
                           "host": "ip-10-0-0-1", "labels": {"a": "b"}, "docker_id": "x"}}
    code, ts, out = run(pino)
    if code != 1:
        fail(f"record code {code}, expected 1 (record and time modified)")
    if abs(ts - 1732661000.123) > 1e-6:
        fail(f"timestamp {ts}, expected pino's time 1732661000.123 (epoch ms / 1000)")
    if "time" in out or "stream" in out or "_p" in out:
        fail(f"time/stream/_p not removed: {sorted(out)}")
    for k in ["level", "msg", "requestId", "method", "route", "url", "statusCode", "responseTimeMs",
              "service", "version", "hostname", "pid"]:
        if out.get(k) != pino[k]:
            fail(f"field {k} changed: {out.get(k)!r}")
    if out.get("levelName") != "info":
        fail(f"levelName {out.get('levelName')!r}, expected info")
    if out.get("kubernetes") != {"pod_name": "pod-1", "namespace_name": "pages", "container_name": "api",
                                 "host": "ip-10-0-0-1"}:
        fail(f"kubernetes metadata not cut to the mapped fields: {out.get('kubernetes')}")
    first_id = out.get("logId")

    _, _, out = run({"level": 50, "time": 1732661000000, "msg": "boom",
                     "req": {"id": "rid-7", "method": "POST", "url": "/admin/v1/pages"},
                     "res": {"statusCode": 500}, "responseTime": 12.5,
                     "err": {"type": "Error", "message": "boom", "stack": "Error: boom\n at x"}})
    want = {"requestId": "rid-7", "method": "POST", "url": "/admin/v1/pages", "statusCode": 500,
            "responseTimeMs": 12.5, "levelName": "error"}
    for k, v in want.items():
        if out.get(k) != v:
            fail(f"pino-http record: {k} is {out.get(k)!r}, expected {v!r}")
    if dig(out, "err", "stack") is None:
        fail("err.stack lost")
    second_id = out.get("logId")
    if not first_id or not second_id or not (second_id > first_id):
        fail(f"logId not unique and ordered: {first_id!r}, {second_id!r}")

    code, ts, out = run({"log": "FATAL ERROR: Reached heap limit", "stream": "stderr", "_p": "F"}, ts=1700000001.0)
    if out.get("msg") != "FATAL ERROR: Reached heap limit" or out.get("level") != 50 or "log" in out:
        fail(f"non-JSON stderr line not kept as an error message: {out}")
    if ts != 1700000001.0:
        fail(f"non-JSON line lost its collection time: {ts}")
    _, _, out = run({"log": "plain text", "stream": "stdout"})
    if out.get("level") != 30 or out.get("levelName") != "info":
        fail(f"non-JSON stdout line level {out.get('level')}, expected 30/info")
    _, _, out = run({"level": 35, "msg": "custom level", "time": 1})
    if out.get("levelName") != "info":
        fail(f"level 35 named {out.get('levelName')!r}, expected info (as the service names it)")
    finish("lua")


# --------------------------------------------------------------------------------------------
# Dockerfile contract
# --------------------------------------------------------------------------------------------
def dockerfile_instructions(path):
    lines, cur = [], ""
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not cur and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if line.endswith("\\"):
                cur += line[:-1] + " "
                continue
            cur += line
            word, _, rest = cur.strip().partition(" ")
            lines.append((word.upper(), rest.strip()))
            cur = ""
    return lines


def cmd_dockerfile(args):
    ins = dockerfile_instructions(args.dockerfile)
    args_defaults = {}
    stages = []
    for word, rest in ins:
        if word == "ARG" and not stages:
            k, _, v = rest.partition("=")
            args_defaults[k] = v.strip('"')
        if word == "FROM":
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args_defaults.get(m.group(1), m.group(0)), rest.split()[0])
            stages.append({"image": image, "ins": []})
        elif stages:
            stages[-1]["ins"].append((word, rest))
    if len(stages) < 2:
        fail(f"not multi-stage ({len(stages)} stage(s))")
        finish("dockerfile")
    final = stages[-1]
    if not re.match(r"^node:24[.\d]*-(bookworm-slim|alpine[\d.]*|trixie-slim)(@sha256:[a-f0-9]{64})?$", final["image"]):
        fail(f"final stage base {final['image']} is not a slim Node 24 image")
    for s in stages:
        if not s["image"].startswith("node:24"):
            fail(f"stage base {s['image']} is not Node 24")

    fi = final["ins"]
    users = [r for w, r in fi if w == "USER"]
    if not users or users[-1] != f"{HIGH_ID + 1}:{HIGH_ID + 1}":
        fail(f"final stage USER is {users[-1] if users else None}, expected {HIGH_ID + 1}:{HIGH_ID + 1} "
             "(numeric, high, the chart's runAsUser/runAsGroup)")
    envs = " ".join(r for w, r in fi if w == "ENV")
    if not re.search(r"\bNODE_ENV=production\b", envs):
        fail("final stage does not set NODE_ENV=production")
    entry = [r for w, r in fi if w in ("ENTRYPOINT", "CMD")]
    exec_form = None
    for e in entry:
        try:
            exec_form = json.loads(e)
        except ValueError:
            fail(f"{e}: not exec form (signals would go to a shell, not to Node)")
    if exec_form != ["node", "dist/main.js"]:
        fail(f"entrypoint {exec_form} is not [\"node\", \"dist/main.js\"]")
    exposed = set(" ".join(r for w, r in fi if w == "EXPOSE").split())
    if not {"3000", "9464"} <= exposed:
        fail(f"EXPOSE {sorted(exposed)} lacks 3000 and 9464")
    copies = [r for w, r in fi if w == "COPY"]
    allowed = {"dist", "package.json", "package-lock.json", "node_modules"}
    for c in copies:
        parts = [p for p in c.split() if not p.startswith("--")]
        for src in parts[:-1]:
            if src.rstrip("/").split("/")[-1] not in allowed:
                fail(f"final stage copies {src}; only {sorted(allowed)} belong in the image")
    if not any("--from=" in c and "node_modules" in c for c in copies):
        fail("final stage does not take node_modules from a production-only install stage")
    runs = " ".join(r for s in stages for w, r in s["ins"] if w == "RUN")
    if "--omit=dev" not in runs:
        fail("no `npm ci --omit=dev` stage for production dependencies")
    if any(w == "RUN" and "npm" in r for w, r in fi):
        fail("the final stage runs npm (dev tooling and caches end up in the image)")
    if any(w in ("ADD",) for w, r in fi):
        fail("the final stage uses ADD")
    if re.search(r"(TOKEN|SECRET|PASSWORD|MONGODB_URI)=", envs + " ".join(r for s in stages for w, r in s["ins"] if w == "ARG")):
        fail("secrets in ENV/ARG")
    finish("dockerfile")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("schema")
    s.add_argument("rendered")
    s.add_argument("-k", action="append")
    s.set_defaults(fn=cmd_schema)
    r = sub.add_parser("rendered")
    r.add_argument("rendered")
    r.add_argument("values")
    r.add_argument("--namespace", default="sponsored-agents")
    r.add_argument("--env-schema")
    r.add_argument("--src", help="service sources, to check the metric names alerts use")
    r.set_defaults(fn=cmd_rendered)
    ck = sub.add_parser("checkov")
    ck.add_argument("rendered", nargs="+")
    ck.add_argument("--checkov", required=True)
    ck.add_argument("--skips", required=True)
    ck.set_defaults(fn=cmd_checkov)
    lu = sub.add_parser("lua")
    lu.add_argument("rendered")
    lu.set_defaults(fn=cmd_lua)
    d = sub.add_parser("dockerfile")
    d.add_argument("dockerfile")
    d.set_defaults(fn=cmd_dockerfile)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
