"""Publish: build with publishconf.py, then deploy a new release and switch `current` atomically.

A target (configured in publish.yaml) holds

    <path>/releases/<version>/   one complete site per publish (unchanged files hard-linked to the previous one)
    <path>/current -> releases/<version>   what the web server serves (nginx: `root <path>/current;`)

A release directory gets its final name only once every file is in place, and
`current` is switched by renaming a new symlink over the old one (rename(2) is
atomic), so a publish killed at any moment leaves either the old site or the
new one served, never a mixture. `dir` targets do this locally; `rsync`
targets do the same on a server over ssh (rsync --link-dest, then `mv -T`).
"""

from __future__ import annotations

import filecmp
import fcntl
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import bundle, yamltree
from .build import PUBLISH_SETTINGS, BuildResult, build

CONFIG_NAME = "publish.yaml"
DEFAULT_KEEP = 5
RELEASES = "releases"
CURRENT = "current"
PARTIAL_PREFIX = ".partial-"
TRASH_PREFIX = ".trash-"
# The newest release ever switched to; a newer one was never served (killed between rename and switch).
LAST_PUBLISHED = ".last-published"
# Test hook: stop (sleep) at the named step so a test can SIGKILL the publish exactly there.
PAUSE_ENV = "HONGWANG_PUBLISH_PAUSE_AT"


class PublishError(Exception):
    """Configuration or environment problem (exit code 2); the published site is left as it was."""


def pause_point(step: str) -> None:
    if os.environ.get(PAUSE_ENV) == step:
        print(f"paused at {step}", file=sys.stderr, flush=True)
        time.sleep(3600)


# ---------------------------------------------------------------- configuration

@dataclass
class Target:
    name: str
    kind: str  # "dir" | "rsync"
    path: str
    keep: int = DEFAULT_KEEP
    host: str = ""
    port: int | None = None
    identity: str = ""
    ssh_options: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.host}:{self.path}" if self.kind == "rsync" else self.path


@dataclass
class Config:
    path: Path
    targets: dict[str, Target]
    default: str | None


def load_config(path: Path) -> Config:
    if not path.is_file():
        raise PublishError(f"找不到发布配置 {path}。请在网站目录中按 publish.example.yaml 新建 publish.yaml，"
                           f"或用 --config 指定")
    try:
        tree = yamltree.parse(path.read_text(encoding="utf-8-sig"))
    except (yamltree.YamlProblem, UnicodeDecodeError) as problem:
        line = getattr(problem, "line", 1)
        raise PublishError(f"{path}:{line}: {problem}") from None
    value = tree.value if isinstance(tree.value, dict) else {}
    raw_targets = value.get("targets")
    if not isinstance(raw_targets, dict) or not raw_targets:
        raise PublishError(f"{path}:{tree.line(('targets',))}: 缺少 targets。请至少写一个发布目标，例如\n"
                           f"targets:\n  local:\n    type: dir\n    path: /srv/hongwang")
    targets = {str(name): _target(path, tree, str(name), spec) for name, spec in raw_targets.items()}
    default = value.get("default")
    if default is not None and str(default) not in targets:
        raise PublishError(f"{path}:{tree.line(('default',))}: default 写的目标“{default}”不在 targets 中"
                           f"（已有：{'、'.join(targets)}）")
    return Config(path, targets, str(default) if default is not None else None)


def _target(config_path: Path, tree: yamltree.Tree, name: str, spec) -> Target:
    where = f"{config_path}:{tree.line(('targets', name))}"
    if not isinstance(spec, dict):
        raise PublishError(f"{where}: 目标 {name} 应写成“键: 值”（type、path 等）")
    kind = spec.get("type")
    if kind not in ("dir", "rsync"):
        raise PublishError(f"{where}: 目标 {name} 的 type 应为 dir（本机目录）或 rsync（经 ssh 上传到服务器），"
                           f"现在是“{kind}”")
    path = spec.get("path")
    if not isinstance(path, str) or not path.strip():
        raise PublishError(f"{where}: 目标 {name} 缺少 path（网站发布目录，Web 服务器指向其中的 current）")
    keep = spec.get("keep", DEFAULT_KEEP)
    if not isinstance(keep, int) or isinstance(keep, bool) or keep < 2:
        raise PublishError(f"{where}: 目标 {name} 的 keep 应为不小于 2 的整数（保留的版本数，回退需要至少 2 个）")
    target = Target(name, kind, path, keep)
    if kind == "dir":
        target.path = str((config_path.parent / Path(path).expanduser()).resolve())
        return target
    host = spec.get("host")
    if not isinstance(host, str) or not host.strip():
        raise PublishError(f"{where}: rsync 目标 {name} 缺少 host（例如 deploy@www.example.gov.cn）")
    port = spec.get("port")
    if port is not None and (not isinstance(port, int) or not 0 < port < 65536):
        raise PublishError(f"{where}: 目标 {name} 的 port 应为端口号（例如 22）")
    options = spec.get("ssh_options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise PublishError(f"{where}: 目标 {name} 的 ssh_options 应为字符串列表，例如 [\"-o\", \"ConnectTimeout=10\"]")
    identity = spec.get("identity", "")
    target.host, target.port, target.ssh_options = host.strip(), port, options
    target.identity = str(Path(identity).expanduser()) if identity else ""
    return target


def choose_target(config: Config, name: str | None) -> Target:
    if name is None:
        if config.default is None and len(config.targets) > 1:
            raise PublishError(f"{config.path} 有多个目标（{'、'.join(config.targets)}）：请用 --target 选一个，"
                               f"或在配置中写 default")
        name = config.default or next(iter(config.targets))
    if name not in config.targets:
        raise PublishError(f"没有名为“{name}”的发布目标。{config.path} 中有：{'、'.join(config.targets)}")
    return config.targets[name]


# ---------------------------------------------------------------- results

@dataclass
class Deployment:
    target: Target
    release: str
    previous: str | None = None
    files_copied: int = 0
    files_linked: int = 0
    bytes_copied: int = 0
    removed: list[str] = field(default_factory=list)
    detail: str = ""


@dataclass
class PublishOutcome:
    build: BuildResult | None = None
    refusal: str = ""
    manifest: bundle.Manifest | None = None
    deployment: Deployment | None = None
    dry_run: bool = False
    site_dir: Path | None = None
    bundle: bundle.Bundle | None = None

    @property
    def ok(self) -> bool:
        return self.build is not None and self.build.ok and not self.refusal


def new_release_id(clock: datetime | None = None) -> str:
    moment = (clock or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.strftime("%Y%m%dT%H%M%S") + f"{moment.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------- building

def build_release(content_dir: Path, staging: Path, now: datetime | None = None,
                  version: str | None = None) -> PublishOutcome:
    """Build with publishconf.py into staging/site and add the manifest; refuse on content errors."""
    site = staging / "site"
    # A full build without the incremental cache: each publish renders into a fresh staging folder, so a
    # page record would never be reused (and would pile up in .hongwang-cache/ with every publish).
    result = build(content_dir, site, "public", settings_file=PUBLISH_SETTINGS, now=now, cache_dir=False)
    outcome = PublishOutcome(build=result, site_dir=site)
    if not result.ok:
        return outcome
    if not result.post.site_url:  # the build resolved it (publishconf's HONGWANG_SITEURL or site.yaml)
        outcome.refusal = ("site.yaml 缺少 siteurl（网站的正式网址，订阅源和规范链接需要绝对地址）。"
                           "请在 site.yaml 中加一行，例如 siteurl: https://www.example.gov.cn")
        return outcome
    os.chmod(site, 0o755)  # the web server user must read the release root
    built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    outcome.manifest = bundle.write_manifest(site, version or new_release_id(), built_at,
                                             str(result.validation.site.values.get("name") or ""))
    return outcome


def publish(content_dir: Path, target: Target, dry_run: bool = False, now: datetime | None = None,
            bundle_dir: Path | None = None) -> PublishOutcome:
    with tempfile.TemporaryDirectory(prefix="hongwang-publish-") as staging:
        outcome = build_release(content_dir, Path(staging), now)
        outcome.dry_run = dry_run
        if not outcome.ok:
            return outcome
        if bundle_dir is not None and not dry_run:
            outcome.bundle = bundle.write_bundle(outcome.site_dir, bundle_dir)
        deploy = {"dir": deploy_dir, "rsync": deploy_rsync}[target.kind]
        plan = {"dir": plan_dir, "rsync": plan_rsync}[target.kind]
        site, version = outcome.site_dir, outcome.manifest.version
        outcome.deployment = plan(site, target, version) if dry_run else deploy(site, target, version)
        outcome.site_dir = None  # the staging folder is gone after this block
        return outcome


def make_bundle(content_dir: Path, destination: Path, now: datetime | None = None) -> PublishOutcome:
    """Build like a publish and pack the result as a village bundle, without deploying."""
    with tempfile.TemporaryDirectory(prefix="hongwang-bundle-") as staging:
        outcome = build_release(content_dir, Path(staging), now)
        if outcome.ok:
            outcome.bundle = bundle.write_bundle(outcome.site_dir, destination)
        outcome.site_dir = None
        return outcome


def rollback(target: Target) -> Deployment:
    return {"dir": rollback_dir, "rsync": rollback_rsync}[target.kind](target)


# ---------------------------------------------------------------- dir target

@contextmanager
def locked(root: Path):
    """One publish per target at a time; the kernel drops the lock if the process is killed."""
    with open(root / ".publish.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"{root} 正在由另一个发布进程使用，请稍后再试") from None
        yield


def current_release(root: Path) -> str | None:
    link = root / CURRENT
    if not link.is_symlink():
        if link.exists():
            raise PublishError(f"{link} 是普通目录而不是符号链接。请把它改名（例如 current.old），"
                               f"再发布：hongwang 会新建 releases/ 和指向它的 current")
        return None
    return Path(os.readlink(link)).name


def release_names(root: Path) -> list[str]:
    folder = root / RELEASES
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def prepare_root(root: Path) -> None:
    try:
        (root / RELEASES).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PublishError(f"无法创建发布目录 {root / RELEASES}：{error.strerror}") from None


def remove_leftovers(root: Path) -> None:
    """Releases an interrupted publish left behind: half-copied, half-deleted, or complete but never served."""
    for leftover in (root / RELEASES).iterdir():
        if leftover.name.startswith((PARTIAL_PREFIX, TRASH_PREFIX)):
            shutil.rmtree(leftover, ignore_errors=True)
    for stale in [*root.glob(".current-*.tmp"), *root.glob(f"{LAST_PUBLISHED}.*.tmp")]:
        stale.unlink(missing_ok=True)
    marker = root / LAST_PUBLISHED
    served = [name for name in (current_release(root), marker.is_file() and marker.read_text().strip()) if name]
    newest = max(served, default="")
    for never_served in [name for name in release_names(root) if name > newest]:
        discard(root, never_served)


def mark_published(root: Path, release: str) -> None:
    temporary = root / f"{LAST_PUBLISHED}.{os.getpid()}.tmp"
    temporary.write_text(release + "\n", encoding="ascii")
    os.replace(temporary, root / LAST_PUBLISHED)


def discard(root: Path, release: str) -> None:
    trash = root / RELEASES / f"{TRASH_PREFIX}{release}"
    (root / RELEASES / release).rename(trash)  # a half-deleted release must never look complete
    shutil.rmtree(trash, ignore_errors=True)


def copy_release(site: Path, destination: Path, previous: Path | None, deployment: Deployment) -> None:
    """Copy the site; files identical to the previous release are hard-linked instead."""
    destination.mkdir(mode=0o755)
    first = True
    for source in bundle.site_files(site) + [site / bundle.MANIFEST]:
        rel = source.relative_to(site)
        target = destination / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        old = previous / rel if previous else None
        if old is not None and old.is_file() and not old.is_symlink() and filecmp.cmp(source, old, shallow=False):
            os.link(old, target)
            deployment.files_linked += 1
        else:
            shutil.copy2(source, target)
            deployment.files_copied += 1
            deployment.bytes_copied += source.stat().st_size
        if first:
            pause_point("copying")
            first = False


def switch_current(root: Path, release: str) -> None:
    temporary = root / f".current-{os.getpid()}.tmp"
    temporary.unlink(missing_ok=True)
    os.symlink(f"{RELEASES}/{release}", temporary)
    pause_point("linked")
    os.replace(temporary, root / CURRENT)


def prune(root: Path, keep: int) -> list[str]:
    current = current_release(root)
    names = release_names(root)
    doomed = [n for n in names[:-keep] if n != current] if len(names) > keep else []
    for name in doomed:
        discard(root, name)
    return doomed


def deploy_dir(site: Path, target: Target, version: str) -> Deployment:
    root = Path(target.path)
    prepare_root(root)
    with locked(root):
        remove_leftovers(root)
        previous = current_release(root)
        if (root / RELEASES / version).exists():
            raise PublishError(f"版本 {version} 已存在于 {root / RELEASES}")
        deployment = Deployment(target, version, previous)
        pause_point("staged")
        partial = root / RELEASES / f"{PARTIAL_PREFIX}{version}"
        previous_dir = root / RELEASES / previous if previous else None
        copy_release(site, partial, previous_dir if previous_dir and previous_dir.is_dir() else None, deployment)
        pause_point("copied")
        partial.rename(root / RELEASES / version)
        pause_point("released")
        switch_current(root, version)
        pause_point("switched")
        mark_published(root, version)
        deployment.removed = prune(root, target.keep)
        return deployment


def plan_dir(site: Path, target: Target, version: str) -> Deployment:
    root = Path(target.path)
    previous = current_release(root) if root.is_dir() else None
    deployment = Deployment(target, version, previous)
    old_manifest = bundle.read_manifest(root / RELEASES / previous) if previous else None
    old = {e.path: e.sha256 for e in old_manifest.files} if old_manifest else {}
    for entry in bundle.read_manifest(site).files:
        if old.get(entry.path) == entry.sha256:
            deployment.files_linked += 1
        else:
            deployment.files_copied += 1
            deployment.bytes_copied += entry.size
    return deployment


def rollback_dir(target: Target) -> Deployment:
    root = Path(target.path)
    if not (root / RELEASES).is_dir():
        raise PublishError(f"{root} 还没有发布过，无法回退")
    with locked(root):
        current = current_release(root)
        older = [n for n in release_names(root) if current is None or n < current]
        if not older:
            raise PublishError(f"{root} 没有比当前版本 {current} 更早的版本，无法回退")
        switch_current(root, older[-1])
        return Deployment(target, older[-1], current)


# ---------------------------------------------------------------- rsync target

def ssh_command(target: Target) -> list[str]:
    command = ["ssh", "-o", "BatchMode=yes"]
    if target.port:
        command += ["-p", str(target.port)]
    if target.identity:
        command += ["-i", target.identity]
    return command + target.ssh_options


def run_tool(command: list[str], what: str, input_text: str | None = None) -> subprocess.CompletedProcess:
    if shutil.which(command[0]) is None:
        raise PublishError(f"找不到 {command[0]} 程序。请先安装（Debian/Ubuntu：apt-get install {command[0]}）")
    completed = subprocess.run(command, input=input_text, capture_output=True, text=True)
    if completed.returncode != 0:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
        raise PublishError(f"{what}失败（退出码 {completed.returncode}）：{' / '.join(tail)}")
    return completed


def remote(target: Target, script: str, what: str) -> str:
    """Run a POSIX shell script in the target's directory on the server."""
    root = shlex.quote(target.path)
    full = f"set -e\nmkdir -p {root}/{RELEASES}\ncd {root}\n{script}"
    return run_tool(ssh_command(target) + [target.host, "sh -s"], what, input_text=full).stdout


REMOTE_CURRENT = 'cur=$(readlink current 2>/dev/null || true); cur=${cur##*/}\n'


def remote_current(target: Target) -> str | None:
    script = (f'[ -L current ] || [ ! -e current ] || {{ echo "NOT-A-LINK"; exit 0; }}\n{REMOTE_CURRENT}'
              f'rm -rf {RELEASES}/{PARTIAL_PREFIX}* {RELEASES}/{TRASH_PREFIX}* .current-*.tmp\n'
              f'last=$(cat {LAST_PUBLISHED} 2>/dev/null || true)\n'
              f'for r in $(ls -1 {RELEASES} | awk -v a="$cur" -v b="$last" \'$0 > a && $0 > b\'); do\n'
              f'  mv "{RELEASES}/$r" "{RELEASES}/{TRASH_PREFIX}$r" && rm -rf "{RELEASES}/{TRASH_PREFIX}$r"\ndone\n'
              f'echo "CURRENT=$cur"\n')
    output = remote(target, script, "连接服务器")
    if "NOT-A-LINK" in output:
        raise PublishError(f"服务器上 {target.path}/current 是普通目录而不是符号链接，请先把它改名")
    match = re.search(r"^CURRENT=(.*)$", output, re.M)
    return (match.group(1).strip() or None) if match else None


def rsync_stats(output: str) -> tuple[int, int]:
    def number(label: str) -> int:
        match = re.search(rf"{label}: ([\d,.]+)", output)
        return int(re.sub(r"[,.]", "", match.group(1))) if match else 0
    return number("Number of regular files transferred"), number("Total transferred file size")


def deploy_rsync(site: Path, target: Target, version: str) -> Deployment:
    previous = remote_current(target)
    deployment = Deployment(target, version, previous)
    partial = f"{RELEASES}/{PARTIAL_PREFIX}{version}"
    # A rebuild gives every file a new mtime: compare by --checksum and ignore times (--no-times), or
    # --link-dest would copy unchanged files instead of hard-linking them to the previous release.
    command = ["rsync", "-a", "--no-times", "--delete", "--checksum", "--stats",
               "-e", shlex.join(ssh_command(target))]
    if previous:
        command.append(f"--link-dest={link_dest(target, previous)}")
    command += [f"{site}/", f"{target.host}:{target.path.rstrip('/')}/{partial}/"]
    output = run_tool(command, "rsync 上传").stdout
    deployment.files_copied, deployment.bytes_copied = rsync_stats(output)
    deployment.files_linked = len(bundle.read_manifest(site).files) + 1 - deployment.files_copied
    script = (f"mv {partial} {RELEASES}/{version}\n"
              f"ln -sfn {RELEASES}/{version} .current-$$.tmp\nmv -T .current-$$.tmp current\n"
              f"echo {version} > {LAST_PUBLISHED}.tmp && mv {LAST_PUBLISHED}.tmp {LAST_PUBLISHED}\n"
              f"{REMOTE_CURRENT}"
              f"for r in $(ls -1 {RELEASES} | sort | head -n -{target.keep}); do\n"
              f'  if [ "$r" != "$cur" ]; then mv "{RELEASES}/$r" "{RELEASES}/{TRASH_PREFIX}$r" && '
              f'rm -rf "{RELEASES}/{TRASH_PREFIX}$r" && echo "REMOVED=$r"; fi\ndone\n')
    output = remote(target, script, "在服务器上切换版本")
    deployment.removed = re.findall(r"^REMOVED=(.+)$", output, re.M)
    return deployment


def link_dest(target: Target, previous: str) -> str:
    """The previous release, for rsync to hard-link unchanged files from.

    Absolute when the target path is: Debian's rsync 3.2.7-1+deb12u6 (CVE backports) fails files
    against a relative basis over ssh with "failed verification -- update discarded"
    (RsyncProject/rsync#928). A relative --link-dest is read from the new release's folder."""
    if target.path.startswith("/"):
        return f"{target.path.rstrip('/')}/{RELEASES}/{previous}"
    return f"../{previous}"


def plan_rsync(site: Path, target: Target, version: str) -> Deployment:
    deployment = Deployment(target, version, remote_current(target))
    deployment.files_copied = len(bundle.read_manifest(site).files) + 1
    deployment.detail = "（试运行不上传；实际发布时只传输内容有变化的文件）"
    return deployment


def rollback_rsync(target: Target) -> Deployment:
    script = (f"{REMOTE_CURRENT}"
              f'prev=$(ls -1 {RELEASES} | sort | awk -v c="$cur" \'c == "" || $0 < c\' | tail -n 1)\n'
              f'if [ -z "$prev" ]; then echo "NONE=$cur"; exit 0; fi\n'
              f'ln -sfn "{RELEASES}/$prev" .current-$$.tmp\nmv -T .current-$$.tmp current\n'
              f'echo "SWITCHED=$cur $prev"\n')
    output = remote(target, script, "在服务器上回退")
    match = re.search(r"^SWITCHED=(\S*) (\S+)$", output, re.M)
    if not match:
        raise PublishError(f"服务器上 {target.path} 没有比当前版本更早的版本，无法回退")
    return Deployment(target, match.group(2), match.group(1) or None)
