{{/* Chart name, at most 63 characters. */}}
{{- define "todo-backend.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped name: the release name when it already contains the chart name. */}}
{{- define "todo-backend.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "todo-backend.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "todo-backend.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-backend.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "todo-backend.labels" -}}
helm.sh/chart: {{ include "todo-backend.chart" . }}
{{ include "todo-backend.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: todo-chatbot
app.kubernetes.io/component: backend
{{- end }}

{{- define "todo-backend.configName" -}}
{{ include "todo-backend.fullname" . }}-config
{{- end }}

{{/* The Secret the pods read: existingSecret or the chart's own. */}}
{{- define "todo-backend.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else }}
{{- include "todo-backend.fullname" . }}-secrets
{{- end }}
{{- end }}

{{- define "todo-backend.postgresName" -}}
{{ include "todo-backend.fullname" . }}-postgres
{{- end }}

{{/*
A value kept across upgrades: the given one, else the one already stored in the Secret
(looked up on the cluster), else a new random one.
Usage: include "todo-backend.persistent" (list $ secretName key given length)
*/}}
{{- define "todo-backend.persistent" -}}
{{- $root := index . 0 -}}
{{- $secret := index . 1 -}}
{{- $key := index . 2 -}}
{{- $given := index . 3 -}}
{{- $length := index . 4 -}}
{{- if $given -}}
{{- $given -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" $root.Release.Namespace $secret -}}
{{- if and $existing (hasKey ($existing.data | default dict) $key) -}}
{{- index $existing.data $key | b64dec -}}
{{- else -}}
{{- randAlphaNum $length -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* Resolved once per render and kept in .Values, so the Postgres Secret and DATABASE_URL agree. */}}
{{- define "todo-backend.postgresPassword" -}}
{{- if not .Values.postgres.password -}}
{{- $_ := set .Values.postgres "password" (include "todo-backend.persistent" (list . (include "todo-backend.postgresName" .) "POSTGRES_PASSWORD" "" 32)) -}}
{{- end -}}
{{- .Values.postgres.password -}}
{{- end }}

{{- define "todo-backend.databaseUrl" -}}
{{- if .Values.secrets.databaseUrl -}}
{{- .Values.secrets.databaseUrl -}}
{{- else if .Values.postgres.enabled -}}
{{- printf "postgres://%s:%s@%s:5432/%s" .Values.postgres.user (include "todo-backend.postgresPassword" .) (include "todo-backend.postgresName" .) .Values.postgres.database -}}
{{- else -}}
{{- fail "todo-backend: no database configured. Set secrets.databaseUrl (e.g. a Neon postgres:// URL), or postgres.enabled=true for an in-cluster Postgres, or existingSecret to a Secret holding DATABASE_URL." -}}
{{- end -}}
{{- end }}

{{- define "todo-backend.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "todo-backend.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end }}
