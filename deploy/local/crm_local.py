"""The local runner: infrastructure, migrations, processes and demo data on one machine.

    python deploy/local/crm_local.py up       [--profile dev|test]   everything, then print where to go
    python deploy/local/crm_local.py infra|setup|start|wait|demo|stop|reset|status|env

Profiles keep a test run apart from a running system: the `test` profile uses databases
`crm_test_*`, the RabbitMQ vhost `crm_test` and ports 8180-8205. Addresses come from the
environment first (CRM_PG_URL / AMQP_URI, or CRM_TEST_PG_URL / CRM_TEST_AMQP_URI for tests).
Logs and pid files live under var/<profile>/. Every profile also runs the fake message
providers (deploy/local/fakes/providers.py: Twilio, SMTP, Telegram) on port_base + 11 and + 12,
and points the notify service at them.
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
INFRA_COMPOSE = ROOT / "deploy" / "compose" / "infra.yml"
SERVICES = {
    "leads": "crm_leads.service:LeadsService",
    "deals": "crm_deals.service:DealsService",
    "scheduling": "crm_scheduling.service:SchedulingService",
    "notify": "crm_notify.service:NotifyService",
    "reports": "crm_reports.service:ReportsService",
}
# CRM_TEST_SLOT=N gives a second test run on the same machine its own databases, vhost and ports.
TEST_SLOT = int(os.environ.get("CRM_TEST_SLOT", "0"))
_test_suffix = str(TEST_SLOT) if TEST_SLOT else ""
PROFILES = {
    "dev": {"db_prefix": "crm", "vhost": "", "port_base": 8100, "gateway_port": 8080, "env": ""},
    "test": {"db_prefix": f"crm_test{_test_suffix}", "vhost": f"crm_test{_test_suffix}",
             "port_base": 8200 + 1000 * TEST_SLOT, "gateway_port": 8180 + 1000 * TEST_SLOT, "env": "CRM_TEST_"},
}
FAKES = ROOT / "deploy" / "local" / "fakes" / "providers.py"
FAKE_TWILIO_ACCOUNT = "AC" + "0" * 31 + "1"
DEFAULT_PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"


def say(message: str) -> None:
    print(f"[crm] {message}", flush=True)


def var_dir(profile: str) -> Path:
    path = ROOT / "var" / (profile + (_test_suffix if profile == "test" else ""))
    (path / "log").mkdir(parents=True, exist_ok=True)
    (path / "run").mkdir(parents=True, exist_ok=True)
    return path


def local_secrets(profile: str) -> dict:
    """Generated once per checkout and profile, never committed (var/ is ignored)."""
    path = var_dir(profile) / "secrets.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    wanted = {
        "admin_password": lambda: secrets.token_urlsafe(12),
        "form_sites": lambda: {"site-main": secrets.token_hex(16), "site-okna": secrets.token_hex(16)},
        "twilio_auth_token": lambda: secrets.token_hex(16),
        "telegram_bot_token": lambda: f"{secrets.randbelow(10**9)}:{secrets.token_urlsafe(24)}",
        "telegram_webhook_secret": lambda: secrets.token_hex(16),  # the client bot's
        "telegram_staff_webhook_secret": lambda: secrets.token_hex(16),
        "pbx_secret": lambda: secrets.token_hex(16),
        "email_secret": lambda: secrets.token_hex(16),
        "gateway_metrics_token": lambda: secrets.token_hex(24),
    }
    if not wanted.keys() <= known.keys():  # a checkout from before a secret was added gets it now
        known = {**{name: make() for name, make in wanted.items() if name not in known}, **known}
        path.write_text(json.dumps(known, indent=2))
        path.chmod(0o600)
    return known


def addresses(profile: str) -> tuple[str, str]:
    """(PostgreSQL server URL without a database, AMQP URI) for the profile."""
    prefix = PROFILES[profile]["env"]
    pg = os.environ.get(f"{prefix}PG_URL") or os.environ.get("CRM_PG_URL") or DEFAULT_PG
    amqp = os.environ.get(f"{prefix}AMQP_URI")
    if not amqp:
        base = os.environ.get("AMQP_URI", DEFAULT_AMQP) if profile == "dev" else DEFAULT_AMQP
        vhost = PROFILES[profile]["vhost"]
        amqp = base.rstrip("/") + "/" + urllib.parse.quote(vhost, safe="") if vhost else base
    return pg.rstrip("/"), amqp


def fake_ports(profile: str) -> tuple[int, int]:
    """(HTTP port of the fake Twilio + Telegram, SMTP port of the fake mail server)."""
    base = PROFILES[profile]["port_base"]
    return base + 11, base + 12


def fake_providers_url(profile: str) -> str:
    return f"http://127.0.0.1:{fake_ports(profile)[0]}"


def process_env(profile: str) -> dict:
    return {**os.environ, **crm_env(profile)}


def crm_env(profile: str) -> dict:
    """The variables every process of the system reads (see docker-compose.yml and deploy/k8s)."""
    settings = PROFILES[profile]
    pg, amqp = addresses(profile)
    local = local_secrets(profile)
    env = {
        "AMQP_URI": amqp,
        "GATEWAY_DATABASE_URL": f"{pg}/{settings['db_prefix']}_gateway",
        "GATEWAY_PORT": str(settings["gateway_port"]),
        "CRM_FORM_SITES": ",".join(f"{site}={secret}" for site, secret in local["form_sites"].items()),
        "CRM_PBX_SECRET": local["pbx_secret"],
        "CRM_EMAIL_WEBHOOK_SECRET": local["email_secret"],
        "PYTHONWARNINGS": "ignore",
        "DEALS_DOCUMENTS_DIR": str(var_dir(profile) / "documents"),
        # The message providers: the local fakes, which check these credentials like the real ones.
        "GATEWAY_PUBLIC_URL": gateway_url(profile),
        "TWILIO_API_URL": fake_providers_url(profile),
        "TWILIO_ACCOUNT_SID": FAKE_TWILIO_ACCOUNT,
        "TWILIO_AUTH_TOKEN": local["twilio_auth_token"],
        "TWILIO_SMS_FROM": "+79990000001",
        "TWILIO_WHATSAPP_FROM": "+79990000002",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(fake_ports(profile)[1]),
        "SMTP_FROM": "crm@example.ru",
        "TELEGRAM_API_URL": fake_providers_url(profile),
        "TELEGRAM_BOT_TOKEN": local["telegram_bot_token"],
        "TELEGRAM_WEBHOOK_SECRET": local["telegram_webhook_secret"],
        "TELEGRAM_STAFF_WEBHOOK_SECRET": local["telegram_staff_webhook_secret"],
        "GATEWAY_METRICS_TOKEN": local["gateway_metrics_token"],  # Prometheus reads /api/v1/metrics with it
        # bench/notify.py raises them (NOTIFY_RATE_LIMITS=sms=100000) to measure the pipeline itself.
        "NOTIFY_RATE_LIMITS": os.environ.get("NOTIFY_RATE_LIMITS", "sms=10,whatsapp=10,email=20,telegram=25"),
        # Tests must not depend on the hour they run at; quiet hours have their unit tests.
        "NOTIFY_QUIET_HOURS": "" if profile == "test" else "21:00-09:00",
    }
    for number, service in enumerate(SERVICES, start=1):
        upper = service.upper()
        env[f"{upper}_DATABASE_URL"] = f"{pg}/{settings['db_prefix']}_{service}"
        env[f"{upper}_HTTP_ADDRESS"] = f"127.0.0.1:{settings['port_base'] + number}"
    return env


def gateway_url(profile: str) -> str:
    return f"http://127.0.0.1:{PROFILES[profile]['gateway_port']}"


# -- infrastructure ----------------------------------------------------------------------

def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not reachable(host, port):
        if time.monotonic() > deadline:
            sys.exit(f"{what} did not come up on {host}:{port}")
        time.sleep(1)


def docker_answers() -> bool:
    return shutil.which("docker") is not None and subprocess.run(
        ["docker", "info"], capture_output=True).returncode == 0


def run(*command: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=check, **kwargs)


def apt_install(*packages: str) -> None:
    say(f"installing {' '.join(packages)} from Debian packages")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", *packages, env=env)


def ensure_postgres(url: str) -> None:
    parsed = urllib.parse.urlsplit(url.replace("+psycopg2", ""))
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5432
    if reachable(host, port):
        say(f"PostgreSQL: using the server at {host}:{port}")
        return
    if host not in ("127.0.0.1", "localhost"):
        sys.exit(f"PostgreSQL at {host}:{port} does not answer")
    if docker_answers():
        say("PostgreSQL: starting it with docker compose")
        run("docker", "compose", "-f", str(INFRA_COMPOSE), "up", "-d", "postgres")
    else:
        if shutil.which("pg_ctlcluster") is None:
            apt_install("postgresql")
            trust_local_connections()
        say("PostgreSQL: starting the local cluster")
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start", check=False)
    wait_for_port(host, port, "PostgreSQL")


def trust_local_connections() -> None:
    """A fresh Debian cluster asks for passwords on TCP; a development box trusts loopback."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    hba = Path(f"/etc/postgresql/{version}/main/pg_hba.conf")
    hba.write_text("host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n" + hba.read_text())


def ensure_rabbitmq(uri: str, vhost: str) -> None:
    parsed = urllib.parse.urlsplit(uri)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5672
    if reachable(host, port):
        say(f"RabbitMQ: using the broker at {host}:{port}")
    elif host not in ("127.0.0.1", "localhost"):
        sys.exit(f"RabbitMQ at {host}:{port} does not answer")
    elif docker_answers():
        say("RabbitMQ: starting it with docker compose")
        run("docker", "compose", "-f", str(INFRA_COMPOSE), "up", "-d", "rabbitmq")
    else:
        if shutil.which("rabbitmq-server") is None:
            apt_install("rabbitmq-server")
        say("RabbitMQ: starting the local broker")
        run("rabbitmq-server", "-detached", check=False)
    wait_for_port(host, port, "RabbitMQ", seconds=120)
    if vhost:
        ensure_vhost(vhost, parsed)


def ensure_vhost(vhost: str, broker: urllib.parse.SplitResult) -> None:
    """With rabbitmqctl where the broker is local, else through the management API."""
    if shutil.which("rabbitmqctl") and broker.hostname in ("127.0.0.1", "localhost"):
        for _ in range(30):
            listed = run("rabbitmqctl", "-q", "list_vhosts", check=False, capture_output=True, text=True)
            if listed.returncode == 0:
                break
            time.sleep(2)
        if vhost not in listed.stdout.split():
            run("rabbitmqctl", "-q", "add_vhost", vhost, capture_output=True)
        run("rabbitmqctl", "-q", "set_permissions", "-p", vhost, broker.username or "guest",
            ".*", ".*", ".*", capture_output=True)
        return
    api = f"http://{broker.hostname}:15672/api"
    auth = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    auth.add_password(None, api, broker.username or "guest", broker.password or "guest")
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(auth))
    user = urllib.parse.quote(broker.username or "guest")
    for path, body in ((f"/vhosts/{vhost}", b"{}"),
                       (f"/permissions/{vhost}/{user}", b'{"configure":".*","write":".*","read":".*"}')):
        request = urllib.request.Request(api + path, data=body, method="PUT",
                                         headers={"Content-Type": "application/json"})
        try:
            opener.open(request, timeout=10)
        except OSError as exc:
            sys.exit(f"cannot create the RabbitMQ vhost {vhost} (no rabbitmqctl, management API: {exc}); "
                     f"create it or set CRM_TEST_AMQP_URI")


CHROMIUM = Path("/usr/bin/chromium")


def browser() -> None:
    """Debian's Chromium for the console's browser tests (Playwright drives it; it never downloads one)."""
    if not CHROMIUM.exists():
        apt_install("--no-install-recommends", "chromium", "chromium-driver")
    say(f"browser: {CHROMIUM}")


def infra(profile: str) -> None:
    pg, amqp = addresses(profile)
    ensure_postgres(pg)
    explicit = os.environ.get(f"{PROFILES[profile]['env']}AMQP_URI") if profile == "test" else None
    ensure_rabbitmq(amqp, "" if explicit else PROFILES[profile]["vhost"])


# -- databases and topology --------------------------------------------------------------

def service_config(service: str) -> str:
    return str(ROOT / "services" / service / f"crm_{service}" / "config.yml")


def setup(profile: str) -> None:
    env = process_env(profile)
    for service in SERVICES:
        run(str(BIN / "crm-migrate"), service_config(service), f"crm_{service}", env=env)
    run(str(BIN / "crm-migrate"), "--url", env["GATEWAY_DATABASE_URL"], "crm_gateway", env=env)
    run(str(BIN / "crm-declare-topology"), service_config("leads"), *SERVICES.values(), env=env)


def reset(profile: str) -> None:
    """Drop the profile's databases and empty its vhost: a clean slate for a test run."""
    if profile == "dev":
        sys.exit("reset only wipes the test profile")
    env = process_env(profile)
    urls = [env[f"{s.upper()}_DATABASE_URL"] for s in SERVICES] + [env["GATEWAY_DATABASE_URL"]]
    import sqlalchemy as sa  # the runner runs in the project's venv (see Makefile)

    server = sa.create_engine(urls[0].rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        for url in urls:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    server.dispose()
    vhost = PROFILES[profile]["vhost"]
    if not os.environ.get(f"{PROFILES[profile]['env']}AMQP_URI") and shutil.which("rabbitmqctl"):
        run("rabbitmqctl", "-q", "delete_vhost", vhost, check=False, capture_output=True)
        ensure_vhost(vhost, urllib.parse.urlsplit(env["AMQP_URI"]))


# -- processes ---------------------------------------------------------------------------

def commands() -> dict[str, list[str]]:
    services = {
        name: [str(BIN / "nameko"), "run", "--config", service_config(name), path]
        for name, path in SERVICES.items()
    }
    return {**services, "gateway": [str(BIN / "crm-gateway"), "serve"]}


def local_processes(profile: str) -> dict[str, list[str]]:
    """What the runner starts: the fake providers first, then the system's own processes."""
    http_port, smtp_port = fake_ports(profile)
    fakes = [str(BIN / "python"), str(FAKES), "--http-port", str(http_port), "--smtp-port", str(smtp_port)]
    if profile == "dev":  # the deal card shows messages delivered; tests script each outcome
        fakes.append("--deliver")
    return {"fakes": fakes, **commands()}


def pid_file(profile: str, name: str) -> Path:
    return var_dir(profile) / "run" / f"{name}.pid"


def running_pid(profile: str, name: str) -> int | None:
    path = pid_file(profile, name)
    if not path.exists():
        return None
    pid = int(path.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        path.unlink()
        return None
    return pid


def start(profile: str, only: list[str] | None = None) -> None:
    env = process_env(profile)
    logs = var_dir(profile) / "log"
    for name, command in local_processes(profile).items():
        if only and name not in only:
            continue
        if running_pid(profile, name):
            say(f"{name} is already running")
            continue
        with open(logs / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                command, env={**env, "CRM_SERVICE_NAME": name}, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, cwd=ROOT,
            )
        pid_file(profile, name).write_text(str(process.pid))
        say(f"started {name} (pid {process.pid}), log: {logs / (name + '.log')}")


def stop(profile: str, only: list[str] | None = None, sig: int = signal.SIGTERM) -> None:
    for name in local_processes(profile):
        if only and name not in only:
            continue
        pid = running_pid(profile, name)
        if pid is None:
            continue
        os.killpg(pid, sig)
        deadline = time.monotonic() + 15
        while running_pid(profile, name) and time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    break
            except ChildProcessError:
                pass
            time.sleep(0.2)
        if running_pid(profile, name):
            os.killpg(pid, signal.SIGKILL)
        pid_file(profile, name).unlink(missing_ok=True)
        say(f"stopped {name}")


def wait(profile: str, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(gateway_url(profile) + "/health", timeout=5) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            last = exc.read().decode()
        except OSError as exc:
            last = str(exc)
        time.sleep(1)
    sys.exit(f"the system did not become healthy in {seconds} s: {last}")


def create_admin(profile: str) -> None:
    env = {**process_env(profile), "CRM_USER_PASSWORD": local_secrets(profile)["admin_password"]}
    run(str(BIN / "crm-gateway"), "create-user", "admin", "--full-name", "Администратор",
        "--role", "admin", env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=[
        "up", "infra", "browser", "setup", "start", "wait", "demo", "stop", "kill", "reset", "status", "env"])
    parser.add_argument("names", nargs="*", help="processes to start/stop (default: all)")
    parser.add_argument("--profile", choices=PROFILES, default=os.environ.get("CRM_PROFILE", "dev"))
    args = parser.parse_args()
    profile = args.profile
    if args.command in ("up", "infra"):
        infra(profile)
    if args.command == "browser":
        browser()
    if args.command in ("up", "setup"):
        setup(profile)
    if args.command in ("up", "start"):
        start(profile, args.names)
    if args.command in ("up", "wait"):
        wait(profile)
    if args.command in ("up", "demo"):
        create_admin(profile)
        from demo import load_demo  # deploy/local/demo.py

        load_demo(gateway_url(profile), "admin", local_secrets(profile))
    if args.command == "stop":
        stop(profile, args.names)
    if args.command == "kill":
        stop(profile, args.names, sig=signal.SIGKILL)
    if args.command == "reset":
        reset(profile)
    if args.command == "status":
        for name in local_processes(profile):
            say(f"{name}: {'running, pid ' + str(pid) if (pid := running_pid(profile, name)) else 'stopped'}")
    if args.command == "env":
        print(json.dumps(crm_env(profile), indent=2))
    if args.command == "up":
        local = local_secrets(profile)
        say("the CRM is up")
        say(f"  console:  {gateway_url(profile)}/  (log in as admin, manager, operator or crew)")
        say(f"  API:      {gateway_url(profile)}/api/v1  (OpenAPI: {gateway_url(profile)}/api/v1/openapi.json)")
        say(f"  health:   {gateway_url(profile)}/health")
        say(f"  log in:   POST {gateway_url(profile)}/api/v1/auth/login "
            f"{{\"login\": \"admin\", \"password\": \"{local['admin_password']}\"}}")
        say(f"  messages: what the fake SMS/WhatsApp/e-mail/Telegram providers got: "
            f"{fake_providers_url(profile)}/records")
        say(f"  demo users (same password): manager, operator, crew; secrets in var/{profile}/secrets.json")
        say(f"  logs:     var/{profile}/log/   stop with: make stop")


if __name__ == "__main__":
    main()
