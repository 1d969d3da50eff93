{{/* Security context shared by the logsift pods (Deployment and the Kibana import Job). */}}
{{- define "logsift.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ include "logsift.uid" . }}
runAsGroup: {{ include "logsift.uid" . }}
fsGroup: {{ include "logsift.uid" . }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "logsift.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ include "logsift.uid" . }}
runAsGroup: {{ include "logsift.uid" . }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Environment of `logsift run`: heap cap, port, and every credential as a Secret reference. */}}
{{- define "logsift.env" -}}
{{- $dir := include "logsift.secretDir" . -}}
- name: NODE_OPTIONS
  value: {{ printf "--max-old-space-size=%d --max-semi-space-size=%d" (int .Values.heapMb) (int .Values.semiSpaceMb) | quote }}
# The image sets LOGSIFT_HTTP_PORT, and the environment wins over the config file.
- name: LOGSIFT_HTTP_PORT
  value: {{ include "logsift.httpPort" . | quote }}
{{- with .Values.elasticsearch.auth }}
{{- if .existingSecret }}
{{- if .apiKeyKey }}
- name: ES_API_KEY_FILE
  value: {{ printf "%s/es-auth/%s" $dir .apiKeyKey | quote }}
{{- else }}
- name: ES_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .usernameKey }}
- name: ES_PASSWORD_FILE
  value: {{ printf "%s/es-auth/%s" $dir .passwordKey | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.elasticsearch.tls }}
{{- if .caSecret }}
- name: ES_CA_FILE
  value: {{ printf "%s/es-ca/%s" $dir .caKey | quote }}
{{- end }}
{{- if .caFingerprint }}
- name: ES_CA_FINGERPRINT
  value: {{ .caFingerprint | quote }}
{{- end }}
{{- end }}
{{- with .Values.kafka.sasl }}
{{- if .existingSecret }}
- name: KAFKA_SASL_MECHANISM
  value: {{ .mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .usernameKey }}
- name: KAFKA_SASL_PASSWORD_FILE
  value: {{ printf "%s/kafka-sasl/%s" $dir .passwordKey | quote }}
{{- end }}
{{- end }}
{{- with .Values.kafka.tls }}
{{- if .enabled }}
- name: KAFKA_TLS
  value: "true"
{{- end }}
{{- if and .enabled .existingSecret }}
{{- if .caKey }}
- name: KAFKA_TLS_CA_FILE
  value: {{ printf "%s/kafka-tls/%s" $dir .caKey | quote }}
{{- end }}
{{- if .certKey }}
- name: KAFKA_TLS_CERT_FILE
  value: {{ printf "%s/kafka-tls/%s" $dir .certKey | quote }}
{{- end }}
{{- if .keyKey }}
- name: KAFKA_TLS_KEY_FILE
  value: {{ printf "%s/kafka-tls/%s" $dir .keyKey | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Secret volumes (only the keys in use, read-only, group-readable by the image's user). */}}
{{- define "logsift.secretVolumes" -}}
{{- with .Values.elasticsearch.auth }}
{{- if .existingSecret }}
- name: es-auth
  secret:
    secretName: {{ .existingSecret }}
    defaultMode: 288 # 0440: read-only, for the group (fsGroup) too
    items:
      - key: {{ default .passwordKey .apiKeyKey }}
        path: {{ default .passwordKey .apiKeyKey }}
{{- end }}
{{- end }}
{{- with .Values.elasticsearch.tls }}
{{- if .caSecret }}
- name: es-ca
  secret:
    secretName: {{ .caSecret }}
    defaultMode: 288 # 0440: read-only, for the group (fsGroup) too
    items:
      - key: {{ .caKey }}
        path: {{ .caKey }}
{{- end }}
{{- end }}
{{- with .Values.kafka.sasl }}
{{- if .existingSecret }}
- name: kafka-sasl
  secret:
    secretName: {{ .existingSecret }}
    defaultMode: 288 # 0440: read-only, for the group (fsGroup) too
    items:
      - key: {{ .passwordKey }}
        path: {{ .passwordKey }}
{{- end }}
{{- end }}
{{- with .Values.kafka.tls }}
{{- if and .enabled .existingSecret }}
- name: kafka-tls
  secret:
    secretName: {{ .existingSecret }}
    defaultMode: 288 # 0440: read-only, for the group (fsGroup) too
    items:
      {{- range $k := list .caKey .certKey .keyKey }}
      {{- if $k }}
      - key: {{ $k }}
        path: {{ $k }}
      {{- end }}
      {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "logsift.secretMounts" -}}
{{- $dir := include "logsift.secretDir" . -}}
{{- if .Values.elasticsearch.auth.existingSecret }}
- name: es-auth
  mountPath: {{ $dir }}/es-auth
  readOnly: true
{{- end }}
{{- if .Values.elasticsearch.tls.caSecret }}
- name: es-ca
  mountPath: {{ $dir }}/es-ca
  readOnly: true
{{- end }}
{{- if .Values.kafka.sasl.existingSecret }}
- name: kafka-sasl
  mountPath: {{ $dir }}/kafka-sasl
  readOnly: true
{{- end }}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  mountPath: {{ $dir }}/kafka-tls
  readOnly: true
{{- end }}
{{- end -}}
