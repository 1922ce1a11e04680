"""Real servers for the publish tests: Debian's nginx and OpenSSH sshd, started on loopback in a temp folder.

Each runs as the current user with its own config, pid file and logs under
tmp, on an ephemeral 127.0.0.1 port. Tests skip (with the reason) only when
the binary is missing; `.ci/run` installs nginx, openssh-server and rsync. `make bench` starts the same
sshd for its publish timings without pytest installed: pytest is imported only to skip.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

NGINX = "/usr/sbin/nginx"
SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}): {log.read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port}: {log.read_text(errors='replace')[-2000:]}")


def skip(reason: str) -> None:
    import pytest

    pytest.skip(reason)


def require(binary: str, package: str) -> None:
    if not Path(binary).exists():
        skip(f"{binary} not installed (apt-get install {package})")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Nginx:
    """nginx serving <site_root>/current, the way a county server is set up for `dir` and `rsync` targets."""

    def __init__(self, workdir: Path, site_root: Path):
        require(NGINX, "nginx")
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.log = workdir / "error.log"
        self.log.touch()
        user = "user root;" if os.geteuid() == 0 else ""  # pytest's tmp is 0700: workers must run as us
        temp_paths = "\n".join(
            f"  {kind}_temp_path {workdir}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        for attempt in range(5):
            self.port = free_port()
            config = workdir / "nginx.conf"
            config.write_text(f"""
{user}
daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {self.log} warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
{temp_paths}
  types {{ text/html html; text/css css; application/json json; application/xml xml; text/plain txt; }}
  default_type application/octet-stream;
  charset utf-8;
  gzip on;
  gzip_comp_level 6;
  gzip_types text/css application/json application/xml text/plain application/javascript;
  server {{
    listen 127.0.0.1:{self.port};
    root {site_root}/current;
    index index.html;
  }}
}}
""")
            self.process = subprocess.Popen(
                [NGINX, "-p", str(workdir), "-c", str(config), "-e", str(self.log)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for_port(self.port, self.process, self.log)
                return
            except RuntimeError:
                stop(self.process)
                if attempt == 4:
                    raise

    def get(self, path: str = "index.html") -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{path}", timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def text(self, path: str = "index.html") -> str:
        status, body = self.get(path)
        assert status == 200, (path, status)
        return body.decode("utf-8")

    def close(self) -> None:
        stop(self.process)


class Sshd:
    """OpenSSH's sshd accepting one generated key for the current user; gives ssh options for publish.yaml."""

    def __init__(self, workdir: Path):
        require(SSHD, "openssh-server")
        if shutil.which("rsync") is None:
            skip("rsync not installed (apt-get install rsync)")
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        host_key, self.client_key = workdir / "host_key", workdir / "client_key"
        for key in (host_key, self.client_key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        authorized = workdir / "authorized_keys"
        authorized.write_text(Path(f"{self.client_key}.pub").read_text())
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation directory
        self.log = workdir / "sshd.log"
        for attempt in range(5):
            self.port = free_port()
            config = workdir / "sshd_config"
            config.write_text(f"""Port {self.port}
ListenAddress 127.0.0.1
HostKey {host_key}
PidFile {workdir}/sshd.pid
AuthorizedKeysFile {authorized}
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
LogLevel ERROR
""")
            with open(self.log, "ab") as log_file:  # the child keeps its own copy of the descriptor
                self.process = subprocess.Popen(
                    [SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=log_file
                )
            try:
                wait_for_port(self.port, self.process, self.log)
                break
            except RuntimeError:
                stop(self.process)
                if attempt == 4:
                    raise
        known_hosts = workdir / "known_hosts"
        known_hosts.write_text(f"[127.0.0.1]:{self.port} {Path(f'{host_key}.pub').read_text()}")
        self.user = getpass.getuser()
        self.ssh_options = [
            "-F",
            "/dev/null",
            "-o",
            f"UserKnownHostsFile={known_hosts}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "ConnectTimeout=10",
        ]

    @property
    def host(self) -> str:
        return f"{self.user}@127.0.0.1"

    def close(self) -> None:
        stop(self.process)
