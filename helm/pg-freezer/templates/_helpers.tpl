{{/* Named templates shared by the chart's manifests. */}}

{{- define "pg-freezer.name" -}}
{{ default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name, kept within the 63 characters Kubernetes allows. */}}
{{- define "pg-freezer.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{ .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "pg-freezer.name" .) .Release.Name -}}
{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else -}}
{{ printf "%s-%s" .Release.Name (include "pg-freezer.name" .) | trunc 63 | trimSuffix "-" }}
{{- end -}}
{{- end }}

{{/*
The CronJob's name: Kubernetes appends an 11-character suffix to name each Job it starts, and a
Job name must fit a 63-character label, so a CronJob name may have at most 52.
*/}}
{{- define "pg-freezer.cronJobName" -}}
{{ include "pg-freezer.fullname" . | trunc 52 | trimSuffix "-" }}
{{- end }}

{{- define "pg-freezer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pg-freezer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "pg-freezer.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | trunc 63 | trimSuffix "-" }}
{{ include "pg-freezer.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "pg-freezer.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "pg-freezer.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end }}

{{/* The Secret the container's credentials come from: the operator's own, or the chart's. */}}
{{- define "pg-freezer.secretName" -}}
{{ default (include "pg-freezer.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* One static S3 key without the other is a mistake that would only surface at run time. */}}
{{- define "pg-freezer.validateSecrets" -}}
{{- if and .Values.secrets.s3AccessKey (not .Values.secrets.s3SecretKey) -}}
{{ fail "secrets.s3AccessKey is set but secrets.s3SecretKey is empty: set both, or neither to use IRSA or the default AWS credential chain" }}
{{- end -}}
{{- if and .Values.secrets.s3SecretKey (not .Values.secrets.s3AccessKey) -}}
{{ fail "secrets.s3SecretKey is set but secrets.s3AccessKey is empty: set both, or neither to use IRSA or the default AWS credential chain" }}
{{- end -}}
{{- end }}
