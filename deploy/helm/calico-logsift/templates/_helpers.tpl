{{/* Names and labels. */}}
{{- define "logsift.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "logsift.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "logsift.selectorLabels" -}}
app.kubernetes.io/name: {{ include "logsift.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "logsift.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "logsift.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: calico-logsift
{{- end -}}

{{- define "logsift.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "logsift.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "logsift.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The image's user (Dockerfile: USER node, uid/gid 1000). */}}
{{- define "logsift.uid" -}}1000{{- end -}}

{{/* http.port of the logsift config (default 9464). */}}
{{- define "logsift.httpPort" -}}
{{- $http := default dict .Values.config.http -}}
{{- int (default 9464 $http.port) -}}
{{- end -}}

{{/* Memory request and limit in MiB: heap + young generation (3 semi-spaces) + headroom. */}}
{{- define "logsift.memoryMi" -}}
{{- add (int .Values.heapMb) (mul 3 (int .Values.semiSpaceMb)) (int .Values.memoryHeadroomMb) -}}
{{- end -}}

{{/*
terminationGracePeriodSeconds: SIGTERM may wait for the epoch in flight (its bulk: up to one
elasticsearch.requestTimeoutMs) and then has shutdownTimeoutMs to commit and leave the group.
ceil((shutdownTimeoutMs + requestTimeoutMs) / 1000) + terminationGraceMarginSeconds.
*/}}
{{- define "logsift.terminationGracePeriodSeconds" -}}
{{- $es := default dict .Values.config.elasticsearch -}}
{{- $shutdown := int (default 30000 .Values.config.shutdownTimeoutMs) -}}
{{- $request := int (default 10000 $es.requestTimeoutMs) -}}
{{- add (div (add $shutdown $request 999) 1000) (int .Values.terminationGraceMarginSeconds) -}}
{{- end -}}

{{/* The logsift config file: values `config` (TLS and credentials come in through the environment). */}}
{{- define "logsift.config" -}}
{{- $cfg := deepCopy .Values.config -}}
{{- $es := default dict $cfg.elasticsearch -}}
{{- $kafka := default dict $cfg.kafka -}}
{{- if or (hasKey $es "password") (hasKey $es "apiKey") (hasKey $es "username") -}}
{{- fail "config.elasticsearch.username/password/apiKey: credentials do not belong in the ConfigMap; set elasticsearch.auth.existingSecret" -}}
{{- end -}}
{{- if or (hasKey $kafka "sasl") (hasKey $kafka "tls") -}}
{{- fail "config.kafka.sasl/tls: credentials do not belong in the ConfigMap; set kafka.sasl.* and kafka.tls.* (Secrets)" -}}
{{- end -}}
{{- $kb := default dict $cfg.kibana -}}
{{- if or (hasKey $kb "password") (hasKey $kb "apiKey") (hasKey $kb "username") -}}
{{- fail "config.kibana.username/password/apiKey: credentials do not belong in the ConfigMap; set kibana.import.auth.existingSecret" -}}
{{- end -}}
{{- if hasKey $es "caFile" -}}
{{- fail "config.elasticsearch.caFile: set elasticsearch.tls.caSecret instead (the chart mounts it and sets ES_CA_FILE)" -}}
{{- end -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/* Checks that stop a release that could not work. */}}
{{- define "logsift.validate" -}}
{{- $partitions := int .Values.kafka.partitions -}}
{{- if and (not .Values.keda.enabled) (gt (int .Values.replicaCount) $partitions) -}}
{{- fail (printf "replicaCount %d > kafka.partitions %d: a consumer group member without a partition does nothing" (int .Values.replicaCount) $partitions) -}}
{{- end -}}
{{- if and .Values.keda.enabled (not (kindIs "invalid" .Values.keda.maxReplicaCount)) (gt (int .Values.keda.maxReplicaCount) $partitions) -}}
{{- fail (printf "keda.maxReplicaCount %d > kafka.partitions %d: a consumer group member without a partition does nothing" (int .Values.keda.maxReplicaCount) $partitions) -}}
{{- end -}}
{{- if and .Values.keda.enabled (gt (int .Values.keda.minReplicaCount) $partitions) -}}
{{- fail (printf "keda.minReplicaCount %d > kafka.partitions %d" (int .Values.keda.minReplicaCount) $partitions) -}}
{{- end -}}
{{- range $k, $v := .Values.resources -}}
{{- if and (kindIs "map" $v) (hasKey $v "memory") -}}
{{- fail (printf "resources.%s.memory: memory is derived from heapMb (+ 3 x semiSpaceMb + memoryHeadroomMb); set heapMb instead" $k) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.kafka.sasl.mechanism (not .Values.kafka.sasl.existingSecret) -}}
{{- fail "kafka.sasl.mechanism is set: kafka.sasl.existingSecret must name the Secret with the user and password" -}}
{{- end -}}
{{- if and .Values.kafka.sasl.existingSecret (not .Values.kafka.sasl.mechanism) -}}
{{- fail "kafka.sasl.existingSecret is set: choose kafka.sasl.mechanism (plain, scram-sha-256, scram-sha-512)" -}}
{{- end -}}
{{- if and .Values.kibana.import.enabled (not .Values.kibana.import.url) -}}
{{- fail "kibana.import.enabled: kibana.import.url is required" -}}
{{- end -}}
{{- end -}}

{{/* Secret mounts: [name, secret, [[key, path]...]] used by the Deployment (and env *_FILE paths). */}}
{{- define "logsift.secretDir" -}}/var/run/secrets/logsift{{- end -}}
