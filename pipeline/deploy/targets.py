"""Deploy targets: one class per backend. Each can deploy a built site, say what a deploy would change, and roll back.

`DirTarget` keeps releases in a folder of this machine (deploy/releases.py); `RsyncTarget` keeps
the same layout on a server, over ssh: the release served now copied as hard links (`cp -al`), `rsync`
into that copy, then the same atomic switch in a POSIX shell script. A new backend (an object store, say) is one more
subclass here and one more `type:` in deploy/config.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..core.progress import QUIET, UPLOAD, Progress
from . import manifest as manifests
from .releases import (
    LAST_PUBLISHED,
    LOCK_FILE,
    LOCK_WAIT,
    PARTIAL_PREFIX,
    RELEASES,
    TRASH_PREFIX,
    PublishError,
    Releases,
    pause_point,
)

DEFAULT_KEEP = 5


@dataclass
class Deployment:
    target: Target
    release: str
    previous: str | None = None
    files_copied: int = 0
    files_linked: int = 0
    bytes_copied: int = 0
    bytes_sent: int | None = None  # over the network (rsync's "Total bytes sent"); None for a local target
    removed: list[str] = field(default_factory=list)
    detail: str = ""


@dataclass
class Target:
    name: str
    path: str
    keep: int = DEFAULT_KEEP
    kind = ""  # the `type:` publish.yaml names it by
    # Told (one Chinese line) when another publish holds the target and this one waits; the CLI prints it.
    on_wait = staticmethod(lambda message: None)

    def describe(self) -> str:
        return self.path

    def begin(self, version: str) -> None:
        """Start, before the site is built, what deploying `version` can start already (most targets: nothing)."""

    def end(self) -> None:
        """After the publish: stop and remove whatever begin started and deploy did not use."""

    def deploy(self, site: Path, version: str, progress: Progress = QUIET) -> Deployment:
        """progress: told the files sent (core/progress.py)."""
        raise NotImplementedError

    def plan(self, site: Path, version: str) -> Deployment:
        """What deploy would change, without touching the target."""
        raise NotImplementedError

    def rollback(self) -> Deployment:
        raise NotImplementedError


# ---------------------------------------------------------------- dir


@dataclass
class DirTarget(Target):
    kind = "dir"
    # (the release served then, the seed folder, the `cp -al` making it): see begin
    _seed: tuple[str, Path, subprocess.Popen] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def releases(self) -> Releases:
        return Releases(Path(self.path))

    def begin(self, version: str) -> None:
        """Hard-link the served release into a seed of the next one while the site is built (`cp -al`, another
        process: 70,000 links took the deploy 0.6–0.9 s). Deploy keeps the seed only if the same release is
        still served and the copy is whole; anything else, or a publish killed first, leaves a `.seed-` folder
        the next publish removes."""
        releases = self.releases
        current = releases.current() if releases.root.is_dir() else None
        source = releases.path(current) if current else None
        if source is None or not source.is_dir() or not shutil.which("cp"):
            return
        seed = releases.seed(version)
        command = ["cp", "-al", str(source), str(seed)]
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError:
            return
        self._seed = (current, seed, process)

    def end(self) -> None:
        if self._seed is not None:
            _served, seed, process = self._seed
            self._seed = None
            process.wait()
            shutil.rmtree(seed, ignore_errors=True)

    def _seeded(self, previous: str | None) -> Path | None:
        """The seed begin made, when it is a copy of the release served now (else it is removed)."""
        if self._seed is None:
            return None
        served, seed, process = self._seed
        self._seed = None
        if process.wait() == 0 and served == previous:
            return seed
        shutil.rmtree(seed, ignore_errors=True)
        return None

    def deploy(self, site: Path, version: str, progress: Progress = QUIET) -> Deployment:
        releases = self.releases
        releases.prepare()
        with releases.locked(LOCK_WAIT, self.on_wait):
            releases.remove_leftovers(keep=self._seed[1] if self._seed else None)
            previous = releases.current()
            if releases.path(version).exists():
                raise PublishError(f"版本 {version} 已存在于 {releases.folder}")
            deployment = Deployment(self, version, previous)
            pause_point("staged")
            partial = releases.partial(version)
            previous_dir = releases.path(previous) if previous else None
            previous_dir = previous_dir if previous_dir and previous_dir.is_dir() else None
            seed = self._seeded(previous)
            if seed is not None and previous_dir is not None:
                seed.rename(partial)
                if not update_seed(site, partial, previous_dir, deployment, progress):
                    shutil.rmtree(partial)
                    seed = None
            elif seed is not None:
                shutil.rmtree(seed, ignore_errors=True)
                seed = None
            if seed is None:
                copy_release(site, partial, previous_dir, deployment, progress)
            pause_point("copied")
            partial.rename(releases.path(version))
            pause_point("released")
            releases.switch(version)
            pause_point("switched")
            releases.mark_published(version)
            deployment.removed = releases.prune(self.keep)
            return deployment

    def plan(self, site: Path, version: str) -> Deployment:
        releases = self.releases
        previous = releases.current() if releases.root.is_dir() else None
        deployment = Deployment(self, version, previous)
        old_manifest = manifests.read_manifest(releases.path(previous)) if previous else None
        old = {e.path: e.sha256 for e in old_manifest.files} if old_manifest else {}
        for entry in manifests.read_manifest(site).files:
            if old.get(entry.path) == entry.sha256:
                deployment.files_linked += 1
            else:
                deployment.files_copied += 1
                deployment.bytes_copied += entry.size
        return deployment

    def rollback(self) -> Deployment:
        releases = self.releases
        if not releases.folder.is_dir():
            raise PublishError(f"{releases.root} 还没有发布过，无法回退")
        with releases.locked(LOCK_WAIT, self.on_wait):
            current = releases.current()
            older = [n for n in releases.names() if current is None or n < current]
            if not older:
                raise PublishError(f"{releases.root} 没有比当前版本 {current} 更早的版本，无法回退")
            releases.switch(older[-1])
            return Deployment(self, older[-1], current)


def copy_release(
    site: Path, destination: Path, previous: Path | None, deployment: Deployment, progress: Progress = QUIET
) -> None:
    """Copy the site; a file the previous release's manifest lists with the same digest is hard-linked from it.

    Never a link into site: the build rewrites its files in place, and a release must not change."""
    destination.mkdir(mode=0o755)
    new = manifests.read_manifest(site)
    old = manifests.read_manifest(previous) if previous else None
    same = {(e.path, e.sha256, e.size) for e in old.files} if old else set()
    entries = [(e.path, (e.path, e.sha256, e.size) in same) for e in new.files]
    entries += [(source.name, False) for source in manifests.release_files(site)]
    progress.stage(UPLOAD, len(entries))
    # Paths as strings: at 60,000 files, making Path objects cost more than the links themselves.
    into, source, linked_from = str(destination), str(site), str(previous) if previous else ""
    for folder in sorted({os.path.dirname(rel) for rel, _ in entries} - {""}):
        os.makedirs(os.path.join(into, folder), exist_ok=True)
    pause_point("copying")

    def place(batch: list[tuple[str, bool]]) -> tuple[int, int, int]:
        """(linked, copied, bytes copied) of a batch of files."""
        linked = copied = size = 0
        for rel, unchanged in batch:
            target = os.path.join(into, rel)
            if unchanged and _link(os.path.join(linked_from, rel), target):
                linked += 1
            else:
                shutil.copy2(os.path.join(source, rel), target)
                copied, size = copied + 1, size + os.stat(target).st_size
        return linked, copied, size

    # Two threads: a link is a system call (the GIL is let go), and two folders are linked into at once:
    # 70,000 links took 0.64 s where one thread took 0.92 s.
    batches = [entries[start : start + _BATCH] for start in range(0, len(entries), _BATCH)]
    with ThreadPoolExecutor(2) as pool:
        for batch, (linked, copied, size) in zip(batches, pool.map(place, batches), strict=True):
            deployment.files_linked += linked
            deployment.files_copied += copied
            deployment.bytes_copied += size
            progress.advance(len(batch))


_BATCH = 256  # files a thread places at a time (the progress advances per batch)


def update_seed(site: Path, seed: Path, previous: Path, deployment: Deployment, progress: Progress = QUIET) -> bool:
    """Make seed, a hard-linked copy of the previous release, into the site: copy the files whose manifest entry
    changed, delete those that left. False, untouched, when the copy is not exactly the files the previous
    release's manifest lists (a file gone or added by hand there): the caller then copies afresh."""
    old, new = manifests.read_manifest(previous), manifests.read_manifest(site)
    if old is None or new is None:
        return False
    listed = {e.path for e in old.files} | {p.name for p in manifests.release_files(previous)}
    if set(manifests.relative_files(seed)) != listed:
        return False
    releases_files = manifests.release_files(site)
    progress.stage(UPLOAD, len(new.files) + len(releases_files))
    pause_point("copying")
    into, source = str(seed), str(site)
    before = {e.path: (e.sha256, e.size) for e in old.files}
    for name in manifests.RELEASE_FILES:  # the previous release's: this one brings its own
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(into, name))
    for rel in sorted(before.keys() - {e.path for e in new.files}):
        os.unlink(os.path.join(into, rel))
        _remove_empty_folders(into, os.path.dirname(rel))
    for entry in new.files:
        if before.get(entry.path) == (entry.sha256, entry.size):
            deployment.files_linked += 1
            continue
        target = os.path.join(into, entry.path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)  # a link to the previous release's copy: never written through
        shutil.copy2(os.path.join(source, entry.path), target)
        deployment.files_copied += 1
        deployment.bytes_copied += os.stat(target).st_size
    for path in releases_files:
        shutil.copy2(path, os.path.join(into, path.name))
        deployment.files_copied += 1
        deployment.bytes_copied += path.stat().st_size
    progress.advance(len(new.files) + len(releases_files))
    return True


def _remove_empty_folders(root: str, folder: str) -> None:
    """folder (relative to root) and its parents, as long as they are empty."""
    while folder:
        try:
            os.rmdir(os.path.join(root, folder))
        except OSError:
            return
        folder = os.path.dirname(folder)


def _link(old: str, new: str) -> bool:
    try:
        os.link(old, new, follow_symlinks=False)
    except OSError:  # gone, or a file system without hard links: copy instead
        return False
    return True


# ---------------------------------------------------------------- rsync over ssh

REMOTE_CURRENT = "cur=$(readlink current 2>/dev/null || true); cur=${cur##*/}\n"


@dataclass
class RsyncTarget(Target):
    host: str = ""
    port: int | None = None
    identity: str = ""
    ssh_options: list[str] = field(default_factory=list)
    kind = "rsync"

    def describe(self) -> str:
        return f"{self.host}:{self.path}"

    def ssh_command(self) -> list[str]:
        command = ["ssh", "-o", "BatchMode=yes"]
        if self.port:
            command += ["-p", str(self.port)]
        if self.identity:
            command += ["-i", self.identity]
        return command + self.ssh_options

    def remote(self, script: str, what: str) -> str:
        """Run a POSIX shell script in the target's directory on the server."""
        root = shlex.quote(self.path)
        full = f"set -e\nmkdir -p {root}/{RELEASES}\ncd {root}\n{script}"
        return run_tool(self.ssh_command() + [self.host, "sh -s"], what, input_text=full).stdout

    def remote_current(self, clean: bool = False) -> str | None:
        """The release served now; with `clean` (only under the lock) leftovers of an interrupted publish go."""
        cleanup = (
            f"rm -rf {RELEASES}/{PARTIAL_PREFIX}* {RELEASES}/{TRASH_PREFIX}* .current-*.tmp\n"
            f"last=$(cat {LAST_PUBLISHED} 2>/dev/null || true)\n"
            f'for r in $(ls -1 {RELEASES} | awk -v a="$cur" -v b="$last" \'$0 > a && $0 > b\'); do\n'
            f'  mv "{RELEASES}/$r" "{RELEASES}/{TRASH_PREFIX}$r" && rm -rf "{RELEASES}/{TRASH_PREFIX}$r"\ndone\n'
        )
        script = (
            f'[ -L current ] || [ ! -e current ] || {{ echo "NOT-A-LINK"; exit 0; }}\n{REMOTE_CURRENT}'
            f'{cleanup if clean else ""}echo "CURRENT=$cur"\n'
        )
        output = self.remote(script, "连接服务器")
        if "NOT-A-LINK" in output:
            raise PublishError(f"服务器上 {self.path}/current 是普通目录而不是符号链接，请先把它改名")
        match = re.search(r"^CURRENT=(.*)$", output, re.M)
        return (match.group(1).strip() or None) if match else None

    @contextmanager
    def remote_lock(self):
        """Hold <path>/.publish.lock on the server (flock) for a whole deploy or rollback, so two publishes never
        interleave; a second one waits (saying so). The lock lives in an ssh session whose stdin we hold open:
        when we finish, or are killed, the session ends and the server drops the lock."""
        root = shlex.quote(self.path)
        script = (
            f"mkdir -p {root} && cd {root} && exec 9>>{LOCK_FILE} && "
            f"if ! flock -n 9; then echo BUSY; flock -w {LOCK_WAIT} 9 || {{ echo TIMEOUT; exit 0; }}; fi && "
            "echo LOCKED && exec cat >/dev/null"
        )
        require_tool("ssh")
        process = subprocess.Popen(
            [*self.ssh_command(), self.host, "sh -c " + shlex.quote(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            for line in process.stdout:
                if line.strip() == "BUSY":
                    self.on_wait(f"服务器上 {self.path} 正在由另一个发布进程使用，等它结束（最多 {LOCK_WAIT} 秒）……")
                elif line.strip() == "TIMEOUT":
                    raise PublishError(f"服务器上 {self.path} 被另一个发布进程占用超过 {LOCK_WAIT} 秒，请稍后再试")
                elif line.strip() == "LOCKED":
                    break
            else:
                tail = " / ".join(process.stderr.read().strip().splitlines()[-3:])
                raise PublishError(
                    f"连接服务器失败（退出码 {process.wait()}）：{tail or '没有加上发布锁'}"
                    + ("。服务器需要 flock（Debian/Ubuntu 的 util-linux 自带）" if "flock" in tail else "")
                )
            yield
        finally:
            process.stdin.close()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()
            process.stderr.close()

    def deploy(self, site: Path, version: str, progress: Progress = QUIET) -> Deployment:
        with self.remote_lock():
            return self._deploy_locked(site, version, progress)

    def _deploy_locked(self, site: Path, version: str, progress: Progress = QUIET) -> Deployment:
        progress.stage(UPLOAD)  # rsync tells nothing until it is done: the count comes at the end
        previous = self.remote_current(clean=True)
        pause_point("staged")
        deployment = Deployment(self, version, previous)
        partial = f"{RELEASES}/{PARTIAL_PREFIX}{version}"
        # The publish build keeps its folder and rewrites only what changed, so an unchanged file keeps its
        # size and mtime: rsync's quick check leaves it as it is, hard-linked to the previous release, and
        # sends a changed file as a delta against the previous copy, into a new file (never in place, so
        # the previous release does not change).
        command = [
            "rsync",
            "-a",
            "--delete",
            "--stats",
            "-e",
            shlex.join(self.ssh_command()),
        ]
        if previous and not self.seed(partial, previous):
            command.append(f"--link-dest={self.link_dest(previous)}")
        command += [f"{site}/", f"{self.host}:{self.path.rstrip('/')}/{partial}/"]
        output = run_tool(command, "rsync 上传").stdout
        deployment.files_copied, deployment.bytes_copied, deployment.bytes_sent = rsync_stats(output)
        deployment.files_linked = (
            len(manifests.read_manifest(site).files) + len(manifests.release_files(site)) - deployment.files_copied
        )
        progress.stage(UPLOAD, deployment.files_copied + deployment.files_linked)
        progress.advance(deployment.files_copied + deployment.files_linked)
        script = (
            f"mv {partial} {RELEASES}/{version}\n"
            f"ln -sfn {RELEASES}/{version} .current-$$.tmp\nmv -T .current-$$.tmp current\n"
            f"echo {version} > {LAST_PUBLISHED}.tmp && mv {LAST_PUBLISHED}.tmp {LAST_PUBLISHED}\n"
            f"{REMOTE_CURRENT}"
            f"for r in $(ls -1 {RELEASES} | sort | head -n -{self.keep}); do\n"
            f'  if [ "$r" != "$cur" ]; then mv "{RELEASES}/$r" "{RELEASES}/{TRASH_PREFIX}$r" && '
            f'rm -rf "{RELEASES}/{TRASH_PREFIX}$r" && echo "REMOVED=$r"; fi\ndone\n'
        )
        output = self.remote(script, "在服务器上切换版本")
        deployment.removed = re.findall(r"^REMOVED=(.+)$", output, re.M)
        return deployment

    def seed(self, partial: str, previous: str) -> bool:
        """Start the new release as hard links to the previous one (`cp -al`, one C process: at 70,000 files
        about 3× faster than rsync's --link-dest, which links file by file as it walks). False when the
        server's cp cannot (not GNU): rsync then links with --link-dest."""
        script = f"cp -al {RELEASES}/{shlex.quote(previous)} {partial} 2>/dev/null && echo SEEDED || rm -rf {partial}\n"
        return "SEEDED" in self.remote(script, "在服务器上准备新版本")

    def link_dest(self, previous: str) -> str:
        """The previous release, for rsync to hard-link unchanged files from.

        Absolute when the target path is: Debian's rsync 3.2.7-1+deb12u6 (CVE backports) fails files
        against a relative basis over ssh with "failed verification -- update discarded"
        (RsyncProject/rsync#928). A relative --link-dest is read from the new release's folder."""
        if self.path.startswith("/"):
            return f"{self.path.rstrip('/')}/{RELEASES}/{previous}"
        return f"../{previous}"

    def plan(self, site: Path, version: str) -> Deployment:
        deployment = Deployment(self, version, self.remote_current())
        deployment.files_copied = len(manifests.read_manifest(site).files) + len(manifests.release_files(site))
        deployment.detail = "（试运行不上传；实际发布时只传输内容有变化的文件）"
        return deployment

    def rollback(self) -> Deployment:
        script = (
            f"{REMOTE_CURRENT}"
            f'prev=$(ls -1 {RELEASES} | sort | awk -v c="$cur" \'c == "" || $0 < c\' | tail -n 1)\n'
            f'if [ -z "$prev" ]; then echo "NONE=$cur"; exit 0; fi\n'
            f'ln -sfn "{RELEASES}/$prev" .current-$$.tmp\nmv -T .current-$$.tmp current\n'
            f'echo "SWITCHED=$cur $prev"\n'
        )
        with self.remote_lock():
            output = self.remote(script, "在服务器上回退")
        match = re.search(r"^SWITCHED=(\S*) (\S+)$", output, re.M)
        if not match:
            raise PublishError(f"服务器上 {self.path} 没有比当前版本更早的版本，无法回退")
        return Deployment(self, match.group(2), match.group(1) or None)


def require_tool(name: str) -> None:
    if shutil.which(name) is None:
        raise PublishError(f"找不到 {name} 程序。请先安装（Debian/Ubuntu：apt-get install {name}）")


def run_tool(command: list[str], what: str, input_text: str | None = None) -> subprocess.CompletedProcess:
    require_tool(command[0])
    completed = subprocess.run(command, input=input_text, capture_output=True, text=True)
    if completed.returncode != 0:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
        raise PublishError(f"{what}失败（退出码 {completed.returncode}）：{' / '.join(tail)}")
    return completed


def rsync_stats(output: str) -> tuple[int, int, int]:
    """Files transferred, their size, and the bytes rsync sent (deltas, file lists and protocol included)."""

    def number(label: str) -> int:
        match = re.search(rf"{label}: ([\d,.]+)", output)
        return int(re.sub(r"[,.]", "", match.group(1))) if match else 0

    files, size = number("Number of regular files transferred"), number("Total transferred file size")
    return files, size, number("Total bytes sent")


TARGET_TYPES: dict[str, type[Target]] = {DirTarget.kind: DirTarget, RsyncTarget.kind: RsyncTarget}
