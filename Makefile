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
