# LeakOperator — `make help` lists every target.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

SOLUTION := LeakOperator.sln
HOST := src/LeakOperator
LAB_ARGS ?=
IMAGE ?= leak-operator:dev
KIND_CLUSTER ?= leak-operator
NAMESPACE ?= leak-operator-system
SERVICE_MONITOR ?= true
HELM ?= helm

##@ Everyday

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

.PHONY: lab
lab: ## Race leaky against safe locally, no cluster (LAB_ARGS="--duration 60 --html lab.html")
	dotnet run --project $(HOST) -- lab $(LAB_ARGS)

.PHONY: build
build: ## Build everything (warnings are errors)
	dotnet build $(SOLUTION) --nologo

.PHONY: test
test: test-tools ## Run every test; ends with "Tests: N passed, N failed, N skipped"
	scripts/run-tests.sh

.PHONY: test-tools
test-tools: ## Provision what the tests drive: the Kubernetes binaries (one build, cached), etcd, the Go reference controller, Helm 3 and 4, Prometheus, Chromium, dotnet-counters/trace/dump, curl (the storm test probes /healthz with it)
	scripts/kubernetes-binaries.sh > /dev/null
	scripts/envtest-assets.sh > /dev/null
	scripts/go-reference.sh > /dev/null
	scripts/helm-tools.sh > /dev/null
	scripts/prometheus.sh > /dev/null
	scripts/chromium.sh > /dev/null
	scripts/dotnet-tools.sh > /dev/null
	command -v curl > /dev/null || { apt-get update -qq && apt-get install -y -qq curl; }

.PHONY: figures
figures: ## Regenerate the README's figures from real runs: the lab's output, the HTML report screenshot (docs/images/lab-report.png), the direct storm's table, the NativeAOT operator beside Go (startup, steady state)
	scripts/readme-lab-run.py
	scripts/chromium.sh > /dev/null
	LEAKOPERATOR_FIGURES=$(CURDIR)/docs/images dotnet test tests/LeakOperator.Tests --nologo --filter "FullyQualifiedName~LabReportScreenshotTests"
	scripts/kubernetes-binaries.sh > /dev/null && scripts/envtest-assets.sh > /dev/null
	LEAKOPERATOR_BINARY=$$(scripts/operator-binary.sh | tail -n 1) LEAKOPERATOR_FIGURES=$(CURDIR)/docs/images \
	  dotnet test tests/LeakOperator.IntegrationTests -c Release --nologo \
	  --filter "FullyQualifiedName~DirectReconcileStormTests|FullyQualifiedName~StartupBesideGoReferenceTests|FullyQualifiedName~SteadyStateBesideGoReferenceTests"

.PHONY: e2e
e2e: test-tools ## Only the tests on the real node: the chart installed by Helm 3 and 4, pods, failover, SIGTERM, memory, Prometheus, uninstall
	scripts/run-tests.sh --node-only

.PHONY: bench
bench: test-tools ## Run the benchmarks and print their tables: SafeTicker (BenchmarkDotNet), then the storm, startup (beside Go), steady state (10 min each) and release against a real API server, with the NativeAOT operator
	dotnet run -c Release --project benchmarks/LeakOperator.Benchmarks -- --filter '*' --job short
	set -o pipefail; LEAKOPERATOR_BINARY=$$(scripts/operator-binary.sh | tail -n 1) dotnet test tests/LeakOperator.IntegrationTests -c Release --nologo --filter Category=Benchmark --logger "console;verbosity=detailed" \
	  | awk '/Standard Output Messages:/ {show = 1; next} /^  (Passed|Failed|Skipped) |^(Passed|Failed)!|^Test Run|^Total tests/ {show = 0} show'
	scripts/image-size.sh

##@ Operator (out of cluster, against the current kubeconfig)

.PHONY: install
install: ## Install the LeakTest CRD into the current cluster
	kubectl apply -k config/crd

.PHONY: run
run: ## Run the operator locally against the current kubeconfig (RUN_ARGS="--leader-elect false")
	dotnet run --project $(HOST) -- run $(RUN_ARGS)

.PHONY: samples
samples: ## Create every sample LeakTest (each leak type, leaky and safe)
	kubectl apply -f config/samples/

.PHONY: uninstall
uninstall: ## Delete the samples, then the CRD
	-kubectl delete -f config/samples/ --ignore-not-found
	kubectl delete -k config/crd --ignore-not-found

.PHONY: manifests
manifests: ## Copy the CRD (config/crd) and the dashboard (deploy/grafana) into the chart
	cp config/crd/bases/leakoperator.dev_leaktests.yaml charts/leak-operator/crds/leaktests.yaml
	cp deploy/grafana/leak-operator.json charts/leak-operator/dashboards/leak-operator.json

.PHONY: verify-manifests
verify-manifests: ## Check config/ builds, and the CRD, chart and C# model agree
	kubectl kustomize config/default > /dev/null
	dotnet test tests/LeakOperator.Tests --nologo --filter CrdModelTests

##@ A real node on this machine (no Docker: containerd + kubelet in a network namespace; needs root)

.PHONY: node-up
node-up: ## Start a single-node cluster and import the operator image; then: scripts/node-exec.sh kubectl get nodes
	scripts/node-up.sh
	scripts/node-import-image.sh "$$(scripts/operator-image.sh | tail -n 1)" > /dev/null

.PHONY: node-deploy
node-deploy: ## Install the chart on the node (replicaCount=2) and apply the samples
	scripts/node-exec.sh $$(scripts/helm-tools.sh | tail -n 1 | cut -d' ' -f2) upgrade --install leak-operator $(CURDIR)/charts/leak-operator \
		-n $(NAMESPACE) --create-namespace --set image.tag=dev --set replicaCount=2 --wait
	scripts/node-exec.sh kubectl apply -f $(CURDIR)/config/samples/

.PHONY: node-down
node-down: ## Stop the node and remove everything it made (namespace, cgroups, state)
	scripts/node-down.sh

##@ kind (needs Docker, kind and Helm)

.PHONY: docker-build
docker-build: ## Build the operator image ($(IMAGE))
	docker build -t $(IMAGE) .

.PHONY: kind-up
kind-up: ## Create the kind cluster
	kind create cluster --config deploy/kind/cluster.yaml --name $(KIND_CLUSTER)

.PHONY: kind-load
kind-load: ## Load the image into kind
	kind load docker-image $(IMAGE) --name $(KIND_CLUSTER)

.PHONY: monitoring
monitoring: ## Install Prometheus and Grafana (kube-prometheus-stack) into namespace monitoring
	$(HELM) repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update
	$(HELM) upgrade --install monitoring prometheus-community/kube-prometheus-stack -n monitoring --create-namespace -f deploy/prometheus/values.yaml --wait

.PHONY: deploy
deploy: ## Install or upgrade the chart (SERVICE_MONITOR=false without `make monitoring`)
	$(HELM) upgrade --install leak-operator charts/leak-operator -n $(NAMESPACE) --create-namespace \
		--set image.repository=$(firstword $(subst :, ,$(IMAGE))) --set image.tag=$(lastword $(subst :, ,$(IMAGE))) \
		--set serviceMonitor.enabled=$(SERVICE_MONITOR)

.PHONY: undeploy
undeploy: ## Delete the samples, then uninstall the chart (the CRD stays, as Helm leaves crds/ alone)
	-kubectl delete -f config/samples/ --ignore-not-found
	$(HELM) uninstall leak-operator -n $(NAMESPACE)

.PHONY: kind-down
kind-down: ## Delete the kind cluster
	kind delete cluster --name $(KIND_CLUSTER)

##@ Code health

.PHONY: format
format: ## Format the code
	dotnet format $(SOLUTION)

.PHONY: lint
lint: ## Fail if the code is not `dotnet format` clean
	dotnet format $(SOLUTION) --verify-no-changes

.PHONY: clean
clean: ## Remove build output
	dotnet clean $(SOLUTION) --nologo
