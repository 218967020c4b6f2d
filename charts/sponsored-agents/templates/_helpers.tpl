{{/*
Expand the name of the chart.
*/}}
{{- define "sponsored-agents.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
*/}}
{{- define "sponsored-agents.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Full name with a suffix, still within 63 characters: include "sponsored-agents.suffixed" (list . "public")
*/}}
{{- define "sponsored-agents.suffixed" -}}
{{- $ctx := index . 0 }}
{{- $suffix := index . 1 }}
{{- $base := include "sponsored-agents.fullname" $ctx | trunc (int (sub 62 (len $suffix))) | trimSuffix "-" }}
{{- printf "%s-%s" $base $suffix }}
{{- end }}

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "sponsored-agents.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "sponsored-agents.labels" -}}
helm.sh/chart: {{ include "sponsored-agents.chart" . }}
{{ include "sponsored-agents.selectorLabels" . }}
app.kubernetes.io/version: {{ include "sponsored-agents.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sponsored-agents
{{- end }}

{{/*
Selector labels
*/}}
{{- define "sponsored-agents.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sponsored-agents.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: api
{{- end }}

{{/*
Create the name of the service account to use
*/}}
{{- define "sponsored-agents.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sponsored-agents.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image tag (the chart's appVersion unless set) and the full image reference; a digest wins over the tag.
*/}}
{{- define "sponsored-agents.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{- define "sponsored-agents.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "sponsored-agents.imageTag" .) }}
{{- end }}
{{- end }}

{{/*
Name of the Secret holding MONGODB_URI and ADMIN_TOKEN.
*/}}
{{- define "sponsored-agents.secretName" -}}
{{- default (include "sponsored-agents.fullname" .) .Values.secret.existingSecret }}
{{- end }}

{{/*
The only paths the public Ingress routes. Fixed here, not in values, so that admin, docs, health
and metrics routes can never be exposed through it.
*/}}
{{- define "sponsored-agents.publicPaths" -}}
- /v1
{{- end }}

{{/*
Paths of the admin Ingress: the admin API and its OpenAPI docs. `Prefix` "/docs" does not match
"/docs-json" (prefixes match whole path elements), hence the separate exact path.
*/}}
{{- define "sponsored-agents.adminPaths" -}}
- path: /admin
  pathType: Prefix
- path: /docs
  pathType: Prefix
- path: /docs-json
  pathType: Exact
{{- end }}

{{/*
Host of config.opensearch.url (scheme, port and path removed).
*/}}
{{- define "sponsored-agents.opensearchHost" -}}
{{- regexReplaceAll "^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+).*$" .Values.config.opensearch.url "${1}" }}
{{- end }}

{{/*
Port of config.opensearch.url: explicit, else 80 for http and 443 for https.
*/}}
{{- define "sponsored-agents.opensearchPort" -}}
{{- $u := urlParse .Values.config.opensearch.url }}
{{- if regexMatch ":[0-9]+$" $u.host }}
{{- regexFind "[0-9]+$" $u.host }}
{{- else if eq $u.scheme "http" }}
{{- 80 }}
{{- else }}
{{- 443 }}
{{- end }}
{{- end }}

{{/*
PromQL label matchers selecting this release's series.
*/}}
{{- define "sponsored-agents.metricsSelector" -}}
{{- if .Values.metrics.prometheusRule.selector }}
{{- .Values.metrics.prometheusRule.selector }}
{{- else }}
{{- printf "job=%q,namespace=%q" (include "sponsored-agents.fullname" .) .Release.Namespace }}
{{- end }}
{{- end }}

{{/*
Checks of value combinations that the schema cannot express. Included by the Deployment, which is
always rendered. Each message names the value to set.
*/}}
{{- define "sponsored-agents.validateValues" -}}
{{- $v := .Values }}
{{- if not $v.secret.existingSecret }}
{{- $_ := required "secret.mongodbUri (MONGODB_URI) is required unless secret.existingSecret names a Secret that holds it" $v.secret.mongodbUri }}
{{- if $v.config.auth.adminTokenEnabled }}
{{- $_ := required "secret.adminToken (ADMIN_TOKEN) is required unless secret.existingSecret names a Secret that holds it, or config.auth.adminTokenEnabled is false" $v.secret.adminToken }}
{{- end }}
{{- end }}
{{- with $v.config.auth.oidc.issuer }}
{{- if not (hasPrefix "https://" .) }}
{{- fail "config.auth.oidc.issuer must be an https:// URL" }}
{{- end }}
{{- $_ := required "config.auth.oidc.audience is required with config.auth.oidc.issuer" $v.config.auth.oidc.audience }}
{{- $_ := required "config.auth.oidc.roleMap is required with config.auth.oidc.issuer" $v.config.auth.oidc.roleMap }}
{{- end }}
{{- range $key, $_ := $v.ingress.public.annotations }}
{{- if regexMatch "(snippet|use-regex|rewrite-target|app-root|default-backend)$" $key }}
{{- fail (printf "ingress.public.annotations: %s is not allowed: it could make the public Ingress route more than /v1" $key) }}
{{- end }}
{{- end }}
{{- if and $v.autoscaling.enabled (not (or $v.autoscaling.targetCPUUtilizationPercentage $v.autoscaling.targetMemoryUtilizationPercentage)) }}
{{- fail "autoscaling.enabled needs autoscaling.targetCPUUtilizationPercentage or autoscaling.targetMemoryUtilizationPercentage" }}
{{- end }}
{{- if $v.ingress.admin.enabled }}
{{- if not $v.ingress.admin.vpnCidrs }}
{{- fail "ingress.admin.vpnCidrs is required when ingress.admin.enabled is true: list the Client VPN CIDRs allowed to reach /admin and /docs (nginx allowlist-source-range)" }}
{{- end }}
{{- range $key, $_ := $v.ingress.admin.annotations }}
{{- if regexMatch "(allowlist-source-range|whitelist-source-range)$" $key }}
{{- fail (printf "ingress.admin.annotations: %s is not allowed: the admin Ingress's source range is always ingress.admin.vpnCidrs" $key) }}
{{- end }}
{{- if regexMatch "(snippet|use-regex|rewrite-target|app-root|default-backend)$" $key }}
{{- fail (printf "ingress.admin.annotations: %s is not allowed: it could bypass the VPN source range or route more than /admin and /docs" $key) }}
{{- end }}
{{- end }}
{{- if $v.ingress.admin.tls.enabled }}
{{- if not $v.ingress.admin.tls.secretName }}
{{- fail "ingress.admin.tls.secretName is required when ingress.admin.tls.enabled is true: name the kubernetes.io/tls Secret with the admin host's certificate (admin tokens must not travel in clear text)" }}
{{- end }}
{{- if not $v.ingress.admin.hosts }}
{{- fail "ingress.admin.hosts is required when ingress.admin.tls.enabled is true: the certificate in ingress.admin.tls.secretName is served for those host names" }}
{{- end }}
{{- end }}
{{- end }}
{{- if $v.networkPolicy.enabled }}
{{- if and (or $v.ingress.public.enabled $v.ingress.admin.enabled) (not $v.networkPolicy.apiFrom) }}
{{- fail "networkPolicy.apiFrom is empty but an Ingress is enabled: list the ingress-nginx controllers' namespace (and pod) selectors, or no request reaches the API" }}
{{- end }}
{{- if and $v.metrics.serviceMonitor.enabled (not $v.networkPolicy.metricsFrom) }}
{{- fail "networkPolicy.metricsFrom is empty but metrics.serviceMonitor.enabled is true: list the monitoring namespace's selector, or Prometheus cannot scrape the pods" }}
{{- end }}
{{- end }}
{{- if $v.config.opensearch.sigv4 }}
{{- if not $v.config.awsRegion }}
{{- fail "config.awsRegion is required when config.opensearch.sigv4 is true: SigV4 signs requests for a region" }}
{{- end }}
{{- if not $v.config.opensearch.url }}
{{- fail "config.opensearch.url is required when config.opensearch.sigv4 is true" }}
{{- end }}
{{- end }}
{{- if and $v.config.logShipperEnabled (not $v.config.opensearch.url) }}
{{- fail "config.opensearch.url is required when config.logShipperEnabled is true: the in-app shipper writes to OpenSearch" }}
{{- end }}
{{- if and $v.config.logShipperEnabled $v.fluentBit.enabled }}
{{- fail "config.logShipperEnabled and fluentBit.enabled are both true: every log record would be stored twice; in EKS keep the in-app shipper off" }}
{{- end }}
{{- if $v.documentdb.caBundle.enabled }}
{{- $sources := 0 }}
{{- range list $v.documentdb.caBundle.pem $v.documentdb.caBundle.existingConfigMap $v.documentdb.caBundle.existingSecret }}
{{- if . }}{{ $sources = add1 $sources }}{{ end }}
{{- end }}
{{- if ne (int $sources) 1 }}
{{- fail "documentdb.caBundle.enabled is true: set exactly one of documentdb.caBundle.pem (--set-file documentdb.caBundle.pem=global-bundle.pem), documentdb.caBundle.existingConfigMap or documentdb.caBundle.existingSecret" }}
{{- end }}
{{- end }}
{{- if and (ne (toString $v.config.shutdownDrainDelayMs) "") (ge (int $v.config.shutdownDrainDelayMs) (int $v.config.shutdownGraceMs)) }}
{{- fail "config.shutdownDrainDelayMs must be less than config.shutdownGraceMs, which includes it" }}
{{- end }}
{{- $drainSeconds := add (int $v.preStopSleepSeconds) (div (add (int $v.config.shutdownGraceMs) 999) 1000) }}
{{- if le (int $v.terminationGracePeriodSeconds) (int $drainSeconds) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed preStopSleepSeconds + config.shutdownGraceMs/1000 (%d s), or Kubernetes kills the pod before in-flight requests finish" (int $v.terminationGracePeriodSeconds) (int $drainSeconds)) }}
{{- end }}
{{- $c := $v.config }}
{{- $settleFloor := add (int $c.cache.publicTtlMs) (int $c.mongodb.replicaLagAllowanceMs) }}
{{- if lt (int $c.cloudfront.settleMs) (int $settleFloor) }}
{{- fail (printf "config.cloudfront.settleMs (%d) must be at least config.cache.publicTtlMs + config.mongodb.replicaLagAllowanceMs (%d), or the edge can re-fetch a pre-change copy after its purge" (int $c.cloudfront.settleMs) (int $settleFloor)) }}
{{- end }}
{{- /* The service refuses these at start (core/config/app-config.ts); failing here keeps the
       rollout from crash-looping. Both leases are set through extraEnv; the defaults are the app's. */}}
{{- $pageLease := int (default "30000" (toString (default "" (index $c.extraEnv "PAGE_ACTIONS_LEASE_MS")))) }}
{{- if lt $pageLease (add (int $c.mongodb.operationTimeoutMs) 3000) }}
{{- fail (printf "PAGE_ACTIONS_LEASE_MS (%d) must be at least config.mongodb.operationTimeoutMs + 3000 (%d): a shorter lease can hand a run still waiting on the database to another pod" $pageLease (add (int $c.mongodb.operationTimeoutMs) 3000)) }}
{{- end }}
{{- $cdnLease := int (default "60000" (toString (default "" (index $c.extraEnv "CDN_INVALIDATION_LEASE_MS")))) }}
{{- $cloudFrontTimeout := int (default "10000" (toString (default "" (index $c.extraEnv "CLOUDFRONT_REQUEST_TIMEOUT_MS")))) }}
{{- if lt $cdnLease (mul 2 $cloudFrontTimeout) }}
{{- fail (printf "CDN_INVALIDATION_LEASE_MS (%d) must be at least twice CLOUDFRONT_REQUEST_TIMEOUT_MS (%d): a shorter lease can hand a send still waiting on CloudFront to another pod" $cdnLease (mul 2 $cloudFrontTimeout)) }}
{{- end }}
{{- if lt (mul (int $c.loadShedding.retryAfterSeconds) 1000) (int $c.loadShedding.sampleIntervalMs) }}
{{- fail "config.loadShedding.retryAfterSeconds must be at least config.loadShedding.sampleIntervalMs in seconds: a client told to retry sooner would only be shed again" }}
{{- end }}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- fail (printf "autoscaling.minReplicas (%d) is greater than autoscaling.maxReplicas (%d)" (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- end }}
{{- if $v.fluentBit.enabled }}
{{- if not (or $v.fluentBit.opensearch.host $v.config.opensearch.url) }}
{{- fail "fluentBit.enabled is true: set fluentBit.opensearch.host or config.opensearch.url" }}
{{- end }}
{{- if and $v.fluentBit.opensearch.awsAuth (not (or $v.fluentBit.opensearch.awsRegion $v.config.awsRegion)) }}
{{- fail "fluentBit.opensearch.awsAuth is true: set fluentBit.opensearch.awsRegion or config.awsRegion" }}
{{- end }}
{{- end }}
{{- end }}
