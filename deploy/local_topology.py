"""The compose topology as plain processes, for a machine without containers: nginx in front
of API replicas (`govflow serve`) and timer workers (`govflow worker`) on one PostgreSQL.

    python deploy/local_topology.py --database-url postgresql+asyncpg://postgres@127.0.0.1/govflow

migrates the database and deploys the bundled diagram sets (`govflow db upgrade
--load-bundled`), starts everything, prints where it listens and an admin token, and runs
until Ctrl-C or SIGTERM, then stops every process it started. Logs go to --dir. The topology
test (tests/deploy/test_topology.py) and bench/topology.py drive the same class.

Needs nginx (Debian: apt-get install nginx) and this Python's govflow (pip install .).
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
NGINX_CONF = """\
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
worker_processes 2;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {dir}/nginx-tmp/body;
    proxy_temp_path {dir}/nginx-tmp/proxy;
    fastcgi_temp_path {dir}/nginx-tmp/fastcgi;
    uwsgi_temp_path {dir}/nginx-tmp/uwsgi;
    scgi_temp_path {dir}/nginx-tmp/scgi;
    map $http_x_request_id $govflow_request_id {{
        default $http_x_request_id;
        ""      $request_id;
    }}
    log_format govflow '$remote_addr [$time_iso8601] "$request" $status $request_time '
                       '$upstream_addr rid=$govflow_request_id';
    access_log {dir}/nginx-access.log govflow;
    upstream govflow_api {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 20m;
        location / {{
            proxy_pass http://govflow_api;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Request-ID $govflow_request_id;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
        location = /metrics {{ return 404; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_status(url: str, timeout: float = 3) -> int:
    """The status of GET url; 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0


@dataclass
class Topology:
    database_url: str
    secret_key: str
    directory: Path
    replicas: int = 2
    workers: int = 2
    proxy_port: int = 0
    api_ports: list[int] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.proxy_port = self.proxy_port or free_port()
        self.api_ports = self.api_ports or [free_port() for _ in range(self.replicas)]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.api_ports[index]}"

    def env(self) -> dict[str, str]:
        """This environment (GOVFLOW_LOG_FORMAT and the like apply), with the topology's
        database, key and roles; diagram sets from this repository unless set."""
        env = {"GOVFLOW_DIAGRAMS_ROOT": str(REPOSITORY), **os.environ}
        env.update({"GOVFLOW_DATABASE_URL": self.database_url,
                    "GOVFLOW_SECRET_KEY": self.secret_key,
                    "GOVFLOW_WORKER_IN_PROCESS": "false",
                    "GOVFLOW_LOAD_BUNDLED_DIAGRAMS": "false",
                    **self.extra_env})
        return env

    def govflow(self, *args: str) -> str:
        """Run one govflow command to its end; its output (raises if it fails)."""
        done = subprocess.run([sys.executable, "-m", "govflow", *args], env=self.env(),
                              cwd=self.directory, capture_output=True, text=True, check=False,
                              timeout=300)
        if done.returncode:
            raise RuntimeError(f"govflow {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def _spawn(self, name: str, args: list[str]) -> None:
        log = (self.directory / f"{name}.log").open("a")
        self.processes[name] = subprocess.Popen(args, env=self.env(), cwd=self.directory,
                                                stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def start_replica(self, index: int) -> None:
        self._spawn(f"api-{index + 1}", [sys.executable, "-m", "govflow", "serve", "--host",
                                         "127.0.0.1", "--port", str(self.api_ports[index])])

    def start_worker(self, index: int) -> None:
        self._spawn(f"worker-{index + 1}", [sys.executable, "-m", "govflow", "worker"])

    def start_proxy(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        (self.directory / "nginx-tmp").mkdir(exist_ok=True)
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;"
                            for port in self.api_ports)
        conf = self.directory / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=self.directory, servers=servers,
                                          port=self.proxy_port))
        self._spawn("nginx", [nginx, "-p", str(self.directory), "-c", str(conf),
                              "-g", "daemon off;"])

    def start(self, load_bundled: bool = False) -> None:
        self.govflow("db", "upgrade", *(["--load-bundled"] if load_bundled else []))
        for i in range(self.replicas):
            self.start_replica(i)
        for i in range(self.workers):
            self.start_worker(i)
        self.start_proxy()
        self.wait_ready()

    def wait_ready(self, timeout: float = 90) -> None:
        """Until every replica's /readyz and the proxy answer 200."""
        urls = [f"{self.replica_url(i)}/readyz" for i in range(self.replicas)]
        urls.append(f"{self.url}/healthz")
        deadline = time.monotonic() + timeout
        while True:
            dead = [n for n, p in self.processes.items() if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{dead} exited; see the logs in {self.directory}")
            waiting = [u for u in urls if http_status(u) != 200]
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready: {waiting}; see the logs in {self.directory}")
            time.sleep(0.2)

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown, no cleanup, mid-request or mid-transaction."""
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("GOVFLOW_DATABASE_URL"),
                        help="postgresql+asyncpg://... (default GOVFLOW_DATABASE_URL)")
    parser.add_argument("--secret-key", default=os.environ.get("GOVFLOW_SECRET_KEY"),
                        help="default GOVFLOW_SECRET_KEY, else a new one (printed)")
    parser.add_argument("--dir", type=Path, default=Path("topology"), help="logs and nginx.conf")
    parser.add_argument("--port", type=int, default=8080, help="where nginx listens")
    parser.add_argument("--api-ports", default="8001,8002", help="one per API replica")
    parser.add_argument("--workers", type=int, default=2, help="timer worker processes")
    parser.add_argument("--no-bundled", action="store_true", help="skip the bundled sets")
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgresql"):
        parser.error("--database-url (or GOVFLOW_DATABASE_URL) must be a PostgreSQL URL")
    ports = [int(p) for p in args.api_ports.split(",")]
    topology = Topology(args.database_url, args.secret_key or "", args.dir.resolve(),
                        replicas=len(ports), workers=args.workers, proxy_port=args.port,
                        api_ports=ports)
    if not topology.secret_key:
        topology.secret_key = topology.govflow("secret", "generate").strip()
        print(f"GOVFLOW_SECRET_KEY={topology.secret_key}  (keep it: it signs every token)")
    stop = False

    def request_stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        topology.start(load_bundled=not args.no_bundled)
        token = topology.govflow("token", "create", "--user", "admin", "--tenant", "*",
                                 "--groups", "admin", "--admin").strip()
        print(f"GovFlow at {topology.url}/api/v1 (nginx), replicas at "
              + ", ".join(topology.replica_url(i) for i in range(topology.replicas))
              + f"\nlogs in {topology.directory}\nadmin token:\n{token}\nCtrl-C stops it.",
              flush=True)
        while not stop:
            for name, process in topology.processes.items():
                if process.poll() is not None:
                    print(f"{name} exited ({process.returncode}); see {name}.log", flush=True)
                    raise SystemExit(1)
            time.sleep(0.5)
    finally:
        topology.stop()


if __name__ == "__main__":
    main()
