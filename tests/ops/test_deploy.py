"""The deployment files work as shipped: nginx accepts the site configuration (`nginx -t`) and, run for real in
front of `libspace serve` on loopback, terminates TLS, serves static files itself, passes its request id, keeps
/metrics from the public and limits bodies; the systemd units and compose.yaml run commands libspace knows,
restart on failure; the container image builds where a container engine runs."""

from __future__ import annotations

import asyncio
import configparser
import datetime as dt
import ipaddress
import os
import re
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import time_machine
import yaml

from src.cli import main
from tests.support import ROOT, free_port, libspace_env, running_server
from tests.timetravel import real_now

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def require_nginx() -> str:
    if NGINX:
        return NGINX
    reason = "nginx is not installed (apt-get install nginx)"
    if os.environ.get("LIBSPACE_REQUIRE_NGINX") == "1":
        pytest.fail(f"nginx tests are required here (LIBSPACE_REQUIRE_NGINX=1): {reason}")
    pytest.skip(reason)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, valid from years before to years after (OpenSSL uses the real clock)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "libspace test")])
    now = real_now() if time_machine.escape_hatch.is_travelling() else dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=3 * 365))
        .not_valid_after(now + dt.timedelta(days=10 * 365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def site_config(folder: Path, app_port: int, http_port: int, https_port: int) -> Path:
    """deploy/nginx/libspace.conf with the lines an administrator edits pointed at this test's files and ports."""
    cert, key = self_signed(folder)
    (folder / "logs").mkdir()
    text = (DEPLOY / "nginx" / "libspace.conf").read_text()
    edits = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "/etc/letsencrypt/live/libspace.example.ru/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/libspace.example.ru/privkey.pem": str(key),
        "/var/log/nginx/": f"{folder}/logs/",
        "alias /opt/libspace/static/;": f"alias {ROOT}/static/;",
        "root /var/www/letsencrypt;": f"root {folder};",
    }
    for old, new in edits.items():
        assert old in text, f"deploy/nginx/libspace.conf no longer has {old!r}: update this test"
        text = text.replace(old, new)
    site = folder / "libspace.conf"
    site.write_text(text)
    main_conf = folder / "nginx.conf"
    temp = "\n".join(f"  {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main_conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log;\nworker_processes 1;\nevents {{ worker_connections 64; }}\n"
        + f"http {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n{temp}\n  include {site};\n}}\n"
    )
    return main_conf


def test_the_nginx_configuration_passes_nginx_t(tmp_path):
    nginx = require_nginx()
    conf = site_config(tmp_path, free_port(), free_port(), free_port())
    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr


async def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            assert asyncio.get_running_loop().time() < deadline, f"nothing listens on {port}"
            await asyncio.sleep(0.1)


async def test_nginx_in_front_of_libspace_serve(database, tmp_path):
    nginx = require_nginx()
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    conf = site_config(tmp_path, app_port, http_port, https_port)
    env = {"LIBSPACE_WORKER": "off", "LIBSPACE_METRICS_TOKEN": "token-for-prometheus-0123456789", "LIBSPACE_TRUSTED_PROXIES": "127.0.0.1,::1"}
    async with running_server(env=env, port=app_port, timeout=120):
        proxy = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.PIPE)
        try:
            await wait_for_port(https_port)
            base = f"https://127.0.0.1:{https_port}"
            async with httpx.AsyncClient(base_url=base, verify=ssl.create_default_context(cafile=str(tmp_path / "cert.pem")), timeout=20) as client:
                healthy = await client.get("/healthz")
                assert healthy.status_code == 200 and healthy.headers["strict-transport-security"]
                assert re.fullmatch(r"[0-9a-f]{32}", healthy.headers["x-request-id"]), "nginx's $request_id reaches the app"

                css = await client.get("/static/site.css")
                assert css.status_code == 200 and css.content == (ROOT / "static" / "site.css").read_bytes()
                assert "x-request-id" not in css.headers and css.headers["server"].startswith("nginx"), "nginx serves static files itself"
                assert "max-age" in css.headers["cache-control"]

                metrics = await client.get("/metrics")
                assert metrics.status_code == 403, "a request through the proxy is no local request"
                scraped = await client.get("/metrics", headers={"Authorization": "Bearer token-for-prometheus-0123456789"})
                assert scraped.status_code == 200 and "libspace_http_requests_total" in scraped.text

                too_big = await client.post("/api/v1/readers", content=b"x" * (7 * 1024 * 1024), headers={"Content-Type": "application/json"})
                assert too_big.status_code == 413

            async with httpx.AsyncClient(timeout=10) as plain:
                moved = await plain.get(f"http://127.0.0.1:{http_port}/events?x=1")
                assert moved.status_code == 301 and moved.headers["location"] == "https://127.0.0.1/events?x=1"
            access_log = (tmp_path / "logs" / "libspace.access.log").read_text()
            assert healthy.headers["x-request-id"] in access_log and "127.0.0.1 " not in access_log and "/healthz" not in access_log
        finally:
            proxy.send_signal(signal.SIGQUIT)
            try:
                proxy.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proxy.kill()
                proxy.wait()


def parses(argv: list[str]) -> None:
    """The arguments after `libspace` are a command libspace knows, with options it takes (click raises if not)."""
    context = main.make_context("libspace", list(argv), resilient_parsing=False)
    command = main.get_command(context, argv[0])
    assert command is not None, f"libspace has no command {argv[0]!r}"
    command.make_context(argv[0], list(argv[1:]))


def units() -> dict[str, configparser.ConfigParser]:
    found = {}
    for path in sorted((DEPLOY / "systemd").glob("*.service")):
        parser = configparser.ConfigParser(strict=True, interpolation=None)
        parser.optionxform = str  # systemd keys are case-sensitive
        parser.read(path)
        found[path.name] = parser
    return found


def test_the_systemd_units_run_libspace_and_restart_on_failure(tmp_path):
    services = units()
    assert {"libspace.service", "libspace-worker.service", "libspace-backup.service"} <= set(services)
    for name in ("libspace.service", "libspace-worker.service"):
        service = services[name]["Service"]
        assert service["Restart"] == "on-failure" and service["User"] == "libspace"
        assert service["EnvironmentFile"] == "/etc/libspace/libspace.env"
        argv = shlex.split(service["ExecStart"])
        assert argv[0] == "/opt/libspace/.venv/bin/libspace"
        parses(argv[1:])
    assert shlex.split(services["libspace.service"]["Service"]["ExecStart"])[1] == "serve"
    assert services["libspace.service"]["Service"]["Environment"] == "LIBSPACE_WORKER=off"
    assert shlex.split(services["libspace-worker.service"]["Service"]["ExecStart"])[1:] == ["worker"]
    backup = shlex.split(services["libspace-backup.service"]["Service"]["ExecStart"])[-1]
    parses(shlex.split(backup.replace("exec /opt/libspace/.venv/bin/libspace ", ""))[:1] + ["/tmp/x.backup"])

    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed: the units were checked by parsing only")
    libspace = shutil.which("libspace") or str(Path(sys.executable).parent / "libspace")
    (tmp_path / "libspace.env").write_text("")
    for path in sorted((DEPLOY / "systemd").iterdir()):
        text = path.read_text().replace("/opt/libspace/.venv/bin/libspace", libspace).replace("/etc/libspace/libspace.env", str(tmp_path / "libspace.env"))
        (tmp_path / path.name).write_text(text)
    checked = subprocess.run([analyze, "verify", *sorted(str(p) for p in tmp_path.glob("libspace*.*") if p.suffix in (".service", ".timer"))], capture_output=True, text=True, timeout=60)
    complaints = [line for line in checked.stderr.splitlines() if str(tmp_path) in line]
    assert checked.returncode == 0 and not complaints, checked.stderr


def test_compose_runs_migrate_first_then_app_and_worker_on_postgresql():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "app", "worker"}
    assert services["db"]["image"].startswith("postgres:") and services["db"]["healthcheck"]
    for name in ("app", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["restart"] in ("unless-stopped", "always", "on-failure")
        assert service["environment"]["LIBSPACE_DATABASE_URL"].startswith("postgresql://")
        assert "state:/var/lib/libspace" in service["volumes"], "app and worker share the metrics folder"
        parses(service["command"][1:])
    parses(services["migrate"]["command"][1:])
    assert services["migrate"]["restart"] == "no" and "migrate" not in services["migrate"]["depends_on"]
    assert services["app"]["environment"]["LIBSPACE_WORKER"] == "off"


def test_the_dockerfile_serves_libspace_and_checks_healthz():
    text = (ROOT / "Dockerfile").read_text()
    command = re.search(r"^CMD (\[.*\])$", text, re.MULTILINE)
    assert command
    argv = yaml.safe_load(command.group(1))
    assert argv[0] == "libspace"
    parses(argv[1:])
    assert "/healthz" in text and "USER libspace" in text
    for copied in re.findall(r"^COPY (\S+) ", text, re.MULTILINE):
        assert (ROOT / copied).exists(), f"the Dockerfile copies {copied}, which is not in the repository"


def container_engine() -> tuple[str | None, str]:
    """The engine to build with, or None and the reason."""
    reasons = []
    for tool in ("docker", "podman"):
        path = shutil.which(tool)
        if not path:
            reasons.append(f"no {tool}")
            continue
        info = subprocess.run([path, "info"], capture_output=True, text=True, timeout=60)
        if info.returncode == 0:
            return path, ""
        reasons.append(f"{tool} info: {(info.stderr.strip().splitlines() or ['failed'])[-1]}")
    return None, "no container engine runs here (" + "; ".join(reasons) + ")"


def test_the_container_image_builds(tmp_path):
    engine, reason = container_engine()
    if engine is None:
        pytest.skip(reason)
    tag = f"libspace-test:{os.getpid()}"
    built = subprocess.run([engine, "build", "--tag", tag, str(ROOT)], capture_output=True, text=True, timeout=1800)
    assert built.returncode == 0, built.stderr[-4000:]
    try:
        ran = subprocess.run([engine, "run", "--rm", tag, "libspace", "--help"], capture_output=True, text=True, timeout=300)
        assert ran.returncode == 0 and "backup" in ran.stdout
    finally:
        subprocess.run([engine, "rmi", "--force", tag], capture_output=True, timeout=300)


def test_libspace_admin_runs_a_command_with_the_settings_file(database, tmp_path):
    if not (ROOT / ".venv" / "bin" / "libspace").exists():
        pytest.skip("deploy/libspace-admin runs .venv/bin/libspace, and this checkout has no .venv")
    env_file = tmp_path / "libspace.env"
    env_file.write_text(f"LIBSPACE_DATABASE_URL={os.environ['LIBSPACE_DATABASE_URL']}\nLIBSPACE_LOG_FORMAT=json\n")
    environment = {
        **libspace_env(),
        "LIBSPACE_ENV_FILE": str(env_file),
        "LIBSPACE_USER": "root" if os.geteuid() == 0 else os.environ.get("USER", ""),
        "LIBSPACE_DATABASE_URL": "sqlite:///not/this/one.sqlite",  # the settings file wins, as under systemd
    }
    done = subprocess.run([str(DEPLOY / "libspace-admin"), "backup", str(tmp_path / "x.backup")], env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "x.backup").stat().st_size > 0
    missing = subprocess.run([str(DEPLOY / "libspace-admin"), "--help"], env={**environment, "LIBSPACE_ENV_FILE": str(tmp_path / "none")}, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
