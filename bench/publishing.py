"""How long an urgent item takes to go live with `hongwang publish`, to a `dir` target and over rsync+ssh.

For each target: one publish untimed for the figures (the first release: there is nothing to link to yet),
then one 紧急发布 (`kind: alert`) added and published again, timed from the start of `hongwang publish`
to its exit, when `current` names the new release (checked, with the alert's page in it). Bytes:
- written: files of the new release that are not hard links to the previous one (what the publish copied
  or rsync transferred; read on the target, which is on this machine);
- sent over ssh (rsync target): the byte counts OpenSSH logs at the end of each connection (`LogLevel
  VERBOSE`, `-E` log file), summed over the publish's connections (the server checks, rsync, the switch);
- `hongwang publish --format json`'s own figures (files and bytes copied or linked; kept whole in the results,
  so whatever the report gains shows up there).
CPU is hongwang's and the ssh and rsync clients it runs; the server side's (sshd, rsync --server) is given apart,
from the CPU sshd's reaped children used during the publish.
The rsync target is a real OpenSSH sshd on 127.0.0.1 with a throwaway key, started by tests/support/servers.py
exactly as the deploy tests start it; the county signing key is a throwaway one outside the work tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from timing import copied_files, timed

from hongwang.pipeline.deploy.releases import RELEASES, current_release

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

SSHD = Path("/usr/sbin/sshd")
TRANSFERRED = re.compile(r"Transferred: sent (\d+), received (\d+) bytes")

ALERT = """---
kind: alert
title: 关于{what}的紧急通知（基准测试）
date: "{date}"
org: "qx"
slug: {slug}
level: orange
expires: "{expires}"
summary: {what}：请各村（社区）党组织立即组织党员干部做好防范。
---

受{what}影响，请沿河各镇（街道）、村（社区）党组织立即组织党员干部巡查，及时转移低洼地带群众。

值班电话：0512-5000 1000。
"""


def add_alert(content: Path, slug: str, what: str, now: str) -> Path:
    """An alert in force at `now` (dated half an hour before it, expiring two days later)."""
    day, clock = now.split(" ")
    hour, minute = (int(x) for x in clock.split(":"))
    date = f"{day} {max(hour - 1, 0):02d}:{minute:02d}"
    year, month, dom = (int(x) for x in day.split("-"))
    expires = f"{year:04d}-{month:02d}-{min(dom + 2, 28):02d} 18:00"
    path = content / "qx" / str(year) / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ALERT.format(what=what, date=date, slug=slug, expires=expires), encoding="utf-8")
    return path


def missing_tools() -> str:
    """Why the rsync figures cannot be taken here ("" when they can)."""
    wanted = {"rsync": shutil.which("rsync"), "ssh": shutil.which("ssh"), "ssh-keygen": shutil.which("ssh-keygen")}
    absent = [name for name, found in wanted.items() if not found] + ([] if SSHD.exists() else [str(SSHD)])
    return f"not installed: {', '.join(absent)} (apt-get install rsync openssh-client openssh-server)" if absent else ""


def children_cpu(pid: int) -> float:
    """CPU seconds of the reaped children of a process (sshd's: every connection's processes, once closed)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime, cstime


def release_live(root: Path, slug: str | None) -> tuple[Path, bool]:
    """The release `current` names (a symlink, or a pointer file) and whether the alert's page is in it."""
    release = root / RELEASES / current_release(root)
    return release, slug is None or (release / "alert" / f"{slug}.html").is_file()


def run(hongwang: str, content: Path, work: Path, now: str) -> dict:
    """Publish timings for the built county in `content`: {step key: figures}, and `skipped` (why not rsync)."""
    from support.servers import Sshd  # tests/support: the same sshd the deploy tests use

    work.mkdir(parents=True, exist_ok=True)
    keys = Path(tempfile.mkdtemp(prefix="hongwang-bench-keys-"))  # a signing key is refused inside a work tree
    results: dict = {}
    sshd = None
    try:
        timed([hongwang, "keys", "new", "--name", "county", "--output", str(keys)])
        dir_root, rsync_root, ssh_log = work / "dir-target", work / "rsync-target", work / "ssh.log"
        targets = {"local": {"type": "dir", "path": str(dir_root), "keep": 2}}
        why_not = missing_tools()
        if not why_not:
            sshd = Sshd(work / "sshd")
            targets["server"] = {
                "type": "rsync",
                "host": sshd.host,
                "port": sshd.port,
                "identity": str(sshd.client_key),
                "path": str(rsync_root),
                "keep": 2,
                "ssh_options": [*sshd.ssh_options, "-o", "LogLevel=VERBOSE", "-E", str(ssh_log)],
            }
        config = work / "publish.yaml"
        config.write_text(
            json.dumps({"default": "local", "signing_key": str(keys / "county.key"), "targets": targets}),
            encoding="utf-8",
        )  # JSON is YAML

        def publish(target: str, root: Path, key: str, slug: str | None = None) -> None:
            command = [hongwang, "publish", "--config", str(config), "--content", str(content), "--now", now,
                       "--format", "json"]  # fmt: skip
            logged = ssh_log.stat().st_size if ssh_log.exists() else 0
            server_before = children_cpu(sshd.process.pid) if target == "server" else 0
            figures, printed = timed([*command, "--target", target])
            release, live = release_live(root, slug)
            report = json.loads(printed)
            report.pop("diagnostics", None)
            if not live or (report.get("deployment") or {}).get("release") != release.name:
                raise SystemExit(f"{key}: {slug} is not live in {release}: {json.dumps(report, ensure_ascii=False)}")
            files, size = copied_files(release)
            figures.update(release=release.name, files_written=files, bytes_written=size, report=report)
            if target == "server":
                with ssh_log.open("rb") as log:
                    log.seek(logged)
                    counts = TRANSFERRED.findall(log.read().decode(errors="replace"))
                figures.update(
                    server_cpu_s=round(children_cpu(sshd.process.pid) - server_before, 3),
                    ssh_connections=len(counts),
                    ssh_bytes_sent=sum(int(s) for s, _ in counts),
                    ssh_bytes_received=sum(int(r) for _, r in counts),
                )
            results[key] = figures

        publish("local", dir_root, "publish_dir_first")
        add_alert(content, "jinji-jizhun-dir", "突发强降雨", now)
        publish("local", dir_root, "publish_dir", "jinji-jizhun-dir")
        if why_not:
            results["skipped"] = f"rsync target: {why_not}"
            return results
        publish("server", rsync_root, "publish_rsync_first")
        add_alert(content, "jinji-jizhun-rsync", "河道水位上涨", now)
        publish("server", rsync_root, "publish_rsync", "jinji-jizhun-rsync")
        return results
    finally:
        if sshd is not None:
            sshd.close()
        shutil.rmtree(keys, ignore_errors=True)
