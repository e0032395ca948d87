# `make plan` runs the program offline in Pulumi's mock runtime; `make test` runs every test.
# The virtual environment lives where Pulumi.yaml's runtime.options.virtualenv says Pulumi looks.
VENV := venv
PYTHON := $(VENV)/bin/python
STACK ?= dev
SERVICES := frontend backend order-service

.PHONY: plan test test-python test-services docs lifecycle-preview verify-rollout clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

plan: $(VENV)/.installed
	$(PYTHON) -m plan --stack $(STACK)

# Services first, so that pytest's summary is the last line of the run.
test: test-services test-python

test-python: $(VENV)/.installed
	$(PYTHON) -m pytest

test-services:
	@for service in $(SERVICES); do \
		echo "npm test: services/$$service"; \
		(cd services/$$service && npm test --silent) || exit 1; \
	done

clean:
	rm -rf build .pytest_cache .hypothesis

docs: $(VENV)/.installed
	$(PYTHON) -m tools.config_reference

# Compares each ECS service's primary deployment with what the stack registered. Needs the Pulumi
# CLI and AWS credentials. See docs/verify-rollout.md.
verify-rollout: $(VENV)/.installed
	pulumi stack output --json --stack $(STACK) | $(PYTHON) -m tools.verify_rollout --outputs -

# What ECR's lifecycle policy preview would expire, offline. See docs/lifecycle.md.
# Either POLICY=<file> or STACK=<stack> SERVICE=<name>, with IMAGES=<describe-images JSON> [NOW=<ISO-8601>].
lifecycle-preview: $(VENV)/.installed
	$(PYTHON) -m tools.lifecycle_preview \
		$(if $(POLICY),--policy $(POLICY),--stack $(STACK) --service $(SERVICE)) \
		--images $(IMAGES) $(if $(NOW),--now $(NOW))
