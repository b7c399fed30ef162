# LeakOperator — `make help` lists every target.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

SOLUTION := LeakOperator.sln
HOST := src/LeakOperator
LAB_ARGS ?=

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
test: ## Run every test; ends with "Tests: N passed, N failed, N skipped"
	scripts/run-tests.sh

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

.PHONY: verify-manifests
verify-manifests: ## Check config/ builds with kustomize and the CRD matches the C# model
	kubectl kustomize config/default > /dev/null
	dotnet test tests/LeakOperator.Tests --nologo --filter CrdModelTests

.PHONY: envtest
envtest: ## Provision etcd and kube-apiserver for the integration tests (cached in ~/.cache/leakoperator)
	scripts/envtest-assets.sh

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
