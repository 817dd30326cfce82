# Two commands for a newcomer: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SERVICES := leads deals scheduling notify reports
PACKAGES := chassis gateway $(addprefix services/,$(SERVICES))
STAMP := $(VENV)/.installed
RUNNER := $(BIN)/python deploy/local/crm_local.py

.PHONY: run stop test test-unit bench venv status clean

$(STAMP): requirements-dev.txt $(addsuffix /pyproject.toml,$(PACKAGES))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -r requirements-dev.txt $(addprefix -e ,$(PACKAGES))
	touch $(STAMP)

venv: $(STAMP)

## Bring the whole system up: infrastructure, migrations, services, gateway, demo data.
run: $(STAMP)
	$(RUNNER) up

## Stop the services and the gateway started by `make run`.
stop:
	$(RUNNER) stop

status:
	$(RUNNER) status

## The whole suite: unit, contract, service, gateway and end-to-end tests, then the console in
## Chromium (its own pytest process: Playwright and eventlet do not mix; the runner installs
## Chromium where it is missing). The test fixtures set up the infrastructure (tests/conftest.py)
## and run the system in the runner's test profile.
test: $(STAMP)
	$(BIN)/pytest
	CRM_TEST_BROWSER=1 $(BIN)/pytest tests/browser

## The unit tests alone: seconds, with nothing running (no PostgreSQL, no RabbitMQ, no runner).
test-unit: $(STAMP)
	$(BIN)/pytest tests/unit

## Benchmarks against the running system (`make run` first); see README.md.
bench: $(STAMP)
	$(BIN)/python bench/intake.py

clean: stop
	rm -rf var
