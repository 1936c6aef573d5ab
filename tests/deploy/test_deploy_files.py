"""deploy/: what cannot be built here (no container daemon, no cluster) is still checked:
the compose topology, the Kubernetes probes and secret references, the image's user and
health check, the units, the dashboard, nginx's configuration."""

import configparser
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def manifests() -> dict[str, dict]:
    docs = {}
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            docs[f"{doc['kind']}/{doc.get('metadata', {}).get('name', path.stem)}"] = doc
    return docs


def test_compose_runs_postgres_two_api_replicas_two_workers_proxy_and_prometheus() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "migrate", "api-1", "api-2", "worker-1", "worker-2", "nginx",
            "prometheus"} <= set(services)
    assert [services[s]["command"] for s in ("api-1", "api-2")] == [["serve"], ["serve"]]
    assert [services[s]["command"] for s in ("worker-1", "worker-2")] == [["worker"]] * 2
    assert services["migrate"]["command"] == ["db", "upgrade", "--load-bundled"]
    for name in ("api-1", "api-2", "worker-1", "worker-2"):
        env = services[name]["environment"]
        assert env["GOVFLOW_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env["GOVFLOW_SECRET_KEY"].startswith("${GOVFLOW_SECRET_KEY:?")  # never a default
        assert env["GOVFLOW_WORKER_IN_PROCESS"] == "false"
        assert services[name]["depends_on"]["migrate"]["condition"] == \
            "service_completed_successfully"
    for mount in services["nginx"]["volumes"] + services["prometheus"]["volumes"]:
        assert (DEPLOY / mount.split(":")[0]).is_file()
    scraped = {t for job in yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
               ["scrape_configs"] for c in job["static_configs"] for t in c["targets"]}
    assert scraped == {"api-1:8000", "api-2:8000", "worker-1:9100", "worker-2:9100"}


def test_kubernetes_api_probes_readyz_and_healthz_and_takes_secrets_by_reference() -> None:
    docs = manifests()
    kustomized = yaml.safe_load((DEPLOY / "kubernetes" / "kustomization.yaml").read_text())
    assert "secret.example.yaml" not in kustomized["resources"]
    for resource in kustomized["resources"]:
        assert (DEPLOY / "kubernetes" / resource).is_file()
    api = docs["Deployment/govflow-api"]["spec"]["template"]["spec"]
    (container,) = api["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["securityContext"]["runAsNonRoot"] is True
    env = {e["name"]: e for e in container["env"]}
    for name in ("GOVFLOW_DATABASE_URL", "GOVFLOW_SECRET_KEY"):
        assert env[name]["valueFrom"]["secretKeyRef"]["name"] == "govflow-secrets"
        assert "value" not in env[name]
    assert container["envFrom"][0]["configMapRef"]["name"] == "govflow-config"
    assert "ConfigMap/govflow-config" in docs
    assert docs["Service/govflow-api"]["spec"]["selector"] == \
        docs["Deployment/govflow-api"]["spec"]["selector"]["matchLabels"]
    worker = docs["Deployment/govflow-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"] == ["worker"]
    job = docs["Job/govflow-migrate"]["spec"]["template"]["spec"]["containers"][0]
    assert job["args"] == ["db", "upgrade", "--load-bundled"]


def test_image_is_multi_stage_non_root_with_migrations_and_a_health_check() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in re.sub(r"\\\n", " ", text).splitlines()
                    if line.strip() and not line.lstrip().startswith("#")]
    stages = [args for op, args in instructions if op == "FROM"]
    assert len(stages) >= 2
    user = [args for op, args in instructions if op == "USER"]
    assert user
    assert not user[-1].startswith(("root", "0"))
    assert any(op == "HEALTHCHECK" and "/healthz" in args for op, args in instructions)
    assert any(op == "COPY" and args.startswith("migrations") for op, args in instructions)
    last_stage = text.rsplit("\nFROM ", 1)[1]
    assert "--from=build" in last_stage  # the runtime stage installs the built wheels only


@pytest.mark.parametrize("unit", sorted((DEPLOY / "systemd").glob("*.service")),
                         ids=lambda p: p.name)
def test_systemd_units_run_govflow_as_its_own_user(unit: Path) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(unit)
    service = parser["Service"]
    assert service["User"] == "govflow"
    assert service["EnvironmentFile"] == "/etc/govflow/govflow.env"
    assert re.match(r"/opt/govflow/venv/bin/govflow (serve|worker|db upgrade)",
                    service["ExecStart"])
    assert service["NoNewPrivileges"] == "yes"


def test_grafana_dashboard_charts_the_service_metrics() -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "govflow-dashboard.json").read_text())
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    for metric in ("govflow_http_request_seconds_bucket", "govflow_engine_step_seconds_bucket",
                   "govflow_timers_due", "govflow_timers_fired_total",
                   "govflow_incidents_total"):
        assert metric in exprs


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_conf_is_valid(tmp_path: Path) -> None:
    # The compose service names only resolve inside compose: point them at localhost.
    conf = (DEPLOY / "nginx.conf").read_text().replace("api-1:", "127.0.0.1:") \
        .replace("api-2:", "127.0.0.2:").replace("/dev/stdout", str(tmp_path / "access.log"))
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\n"
                                         + conf.replace("listen 80;", "listen 127.0.0.1:1;"))
    done = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
