{{/*
The leak alerts, as Prometheus rule groups. templates/prometheusrule.yaml wraps them in a PrometheusRule, and
scripts/alert-rules.sh renders them with the default values into deploy/prometheus/leak-alerts.rules.yaml, so the
chart and the plain rule file are one source. Unit tests: deploy/prometheus/leak-alerts.test.yaml (promtool).

Generic rules read the names both .NET exporters give the runtime's own meters: prometheus-net's Meter adapter
(system_runtime_dotnet_*, system_net_http_*) and OpenTelemetry's Prometheus exporter (dotnet_*, http_client_*).
Each is first recorded per process (max/sum by job, instance, namespace, pod), so the alerts read one series per
process whatever the exporter.
*/}}
{{- define "leak-operator.alertGroups" -}}
{{- $a := .Values.alerts -}}
{{- $t := $a.thresholds -}}
{{- /* Prometheus's own templates, passed through: the process (pod, else job/instance), the value, a LeakTest. */ -}}
{{- $process := `{{ with $labels.pod }}{{ $labels.namespace }}/{{ . }}{{ else }}{{ $labels.job }}/{{ $labels.instance }}{{ end }}` -}}
{{- $bytes := `{{ $value | humanize1024 }}B` -}}
{{- $value := `{{ $value | humanize }}` -}}
{{- $leakTest := `LeakTest {{ $labels.namespace }}/{{ $labels.name }} ({{ $labels.leak_type }}, {{ $labels.mode }})` -}}
groups:
  - name: dotnet-leaks.recording
    rules:
      - record: process:dotnet_working_set_bytes:max
        expr: max by (job, instance, namespace, pod) ({__name__=~"process_working_set_bytes|dotnet_process_memory_working_set_bytes"})
      - record: process:dotnet_gc_heap_bytes:sum
        expr: sum by (job, instance, namespace, pod) ({__name__=~"system_runtime_dotnet_gc_last_collection_heap_size|dotnet_gc_last_collection_heap_size_bytes"})
      - record: process:dotnet_timers:max
        expr: max by (job, instance, namespace, pod) ({__name__=~"system_runtime_dotnet_timer_count|dotnet_timer_count"})
      - record: process:dotnet_http_client_open_connections:sum
        expr: sum by (job, instance, namespace, pod) ({__name__=~"system_net_http_http_client_open_connections|http_client_open_connections"})
      - record: process:dotnet_thread_pool_queue_length:max
        expr: max by (job, instance, namespace, pod) ({__name__=~"system_runtime_dotnet_thread_pool_queue_length|dotnet_thread_pool_queue_length"})
  - name: dotnet-leaks
    rules:
      - alert: DotNetWorkingSetGrowing
        expr: delta(process:dotnet_working_set_bytes:max[{{ $a.window }}]) > {{ int64 $t.memoryGrowthBytes }}
        for: {{ $a.for }}
        labels:
          severity: {{ $a.severity }}
        annotations:
          summary: '{{ $process }}: working set grew {{ $bytes }} in {{ $a.window }}'
          description: The process's working set keeps growing. A leak of memory, timers or connections all show here first; the other DotNet alerts say which.
      - alert: DotNetGcHeapGrowing
        expr: delta(process:dotnet_gc_heap_bytes:sum[{{ $a.window }}]) > {{ int64 $t.memoryGrowthBytes }}
        for: {{ $a.for }}
        labels:
          severity: {{ $a.severity }}
        annotations:
          summary: '{{ $process }}: GC heap after collection grew {{ $bytes }} in {{ $a.window }}'
          description: What survives garbage collection keeps growing, so something still references it (a static event, a cache without a bound). Take a dump (dotnet-gcdump) and look for the biggest roots.
      - alert: DotNetTimersGrowing
        expr: delta(process:dotnet_timers:max[{{ $a.window }}]) > {{ $t.timerGrowth }}
        for: {{ $a.for }}
        labels:
          severity: {{ $a.severity }}
        annotations:
          summary: '{{ $process }}: {{ $value }} more scheduled timers in {{ $a.window }}'
          description: Scheduled timers (System.Threading.Timer, PeriodicTimer, Task.Delay) keep growing; the .NET analogue of a goroutine leak from a ticker nobody stops.
      - alert: DotNetHttpConnectionsGrowing
        expr: delta(process:dotnet_http_client_open_connections:sum[{{ $a.window }}]) > {{ $t.httpConnectionGrowth }}
        for: {{ $a.for }}
        labels:
          severity: {{ $a.severity }}
        annotations:
          summary: '{{ $process }}: {{ $value }} more open HTTP client connections in {{ $a.window }}'
          description: HttpClient connections keep opening and are not closed (responses not disposed, or a new HttpClient per request).
      - alert: DotNetThreadPoolQueueBacklog
        expr: min_over_time(process:dotnet_thread_pool_queue_length:max[{{ $a.window }}]) > {{ $t.threadPoolQueueLength }}
        for: {{ $a.for }}
        labels:
          severity: {{ $a.severity }}
        annotations:
          summary: '{{ $process }}: at least {{ $value }} work items queued in the thread pool for {{ $a.window }}'
          description: The thread pool never catches up (blocking calls on pool threads, or work scheduled faster than it runs).
  - name: leakoperator
    rules:
      - alert: LeakOperatorLeakGrowing
        expr: delta(leakoperator_leaked_units[{{ $a.window }}]) > {{ $t.leakedUnitsGrowth }}
        for: {{ $a.for }}
        labels:
          severity: {{ $a.severity }}
        annotations:
          summary: '{{ $leakTest }} holds {{ $value }} more units than {{ $a.window }} ago'
          description: An injection keeps what it leaks. Expected for mode=leaky; for mode=safe it is a bug in LeakOperator.
      - alert: LeakOperatorLeakTestLeaking
        expr: leakoperator_leaking == 1
        for: {{ $a.for }}
        labels:
          severity: {{ $a.severity }}
        annotations:
          summary: '{{ $leakTest }} is judged Leaking'
          description: The operator's own verdict on the injection's growth (its Leaking condition).
      - alert: LeakOperatorCapEngaged
        expr: leakoperator_cap_engaged == 1
        labels:
          severity: info
        annotations:
          summary: 'LeakTest {{ `{{ $labels.namespace }}/{{ $labels.name }}` }}: a cap refused units (its maxUnits or the operator-wide budget)'
          description: The cap is what keeps an injected leak from hurting the node; the LeakTest's Capped condition says which cap.
      - alert: LeakOperatorWatchFailing
        expr: increase(leakoperator_watch_reconnects_total{reason="error"}[{{ $a.window }}]) >= {{ $t.watchErrors }}
        for: {{ $a.for }}
        labels:
          severity: {{ $a.severity }}
        annotations:
          summary: '{{ $process }}: the {{ `{{ $labels.resource }}` }} watch failed {{ $value }} times in {{ $a.window }}'
          description: The operator keeps losing its watch of the API server, so it sees changes late or not at all. Its log says why (RBAC, network, API server).
      - alert: LeakOperatorWorkQueueStuck
        expr: min_over_time(workqueue_depth{name="leak-operator"}[{{ $a.window }}]) > {{ $t.workQueueDepth }}
        for: {{ $a.for }}
        labels:
          severity: {{ $a.severity }}
        annotations:
          summary: '{{ $process }}: at least {{ $value }} LeakTests waiting to be reconciled for {{ $a.window }}'
          description: Reconciles do not keep up (API server slow or throttling, too few workers, or a reconcile storm).
{{- end }}
