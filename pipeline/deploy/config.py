"""publish.yaml: the web team's deploy targets (not content, so it lives beside the Makefile, not in content/)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core import yamltree
from .releases import PublishError
from .targets import DEFAULT_KEEP, TARGET_TYPES, DirTarget, RsyncTarget, Target

CONFIG_NAME = "publish.yaml"


@dataclass
class Config:
    path: Path
    targets: dict[str, Target]
    default: str | None
    signing_key: Path | None = None  # the county's private key (hongwang keys new); publish signs with it


def load_config(path: Path) -> Config:
    if not path.is_file():
        raise PublishError(
            f"找不到发布配置 {path}。请在网站目录中按 publish.example.yaml 新建 publish.yaml，或用 --config 指定"
        )
    try:
        tree = yamltree.parse(path.read_text(encoding="utf-8-sig"))
    except (yamltree.YamlProblem, UnicodeDecodeError) as problem:
        line = getattr(problem, "line", 1)
        raise PublishError(f"{path}:{line}: {problem}") from None
    value = tree.value if isinstance(tree.value, dict) else {}
    raw_targets = value.get("targets")
    if not isinstance(raw_targets, dict) or not raw_targets:
        raise PublishError(
            f"{path}:{tree.line(('targets',))}: 缺少 targets。请至少写一个发布目标，例如\n"
            f"targets:\n  local:\n    type: dir\n    path: /srv/hongwang"
        )
    targets = {str(name): _target(path, tree, str(name), spec) for name, spec in raw_targets.items()}
    default = value.get("default")
    if default is not None and str(default) not in targets:
        raise PublishError(
            f"{path}:{tree.line(('default',))}: default 写的目标“{default}”不在 targets 中"
            f"（已有：{'、'.join(targets)}）"
        )
    key = value.get("signing_key")
    if key is not None and (not isinstance(key, str) or not key.strip()):
        raise PublishError(
            f"{path}:{tree.line(('signing_key',))}: signing_key 应为私钥文件的位置，例如 ~/.config/hongwang/county.key"
        )
    signing_key = (path.parent / Path(key.strip()).expanduser()) if key else None
    return Config(path, targets, str(default) if default is not None else None, signing_key)


def _target(config_path: Path, tree: yamltree.Tree, name: str, spec) -> Target:
    where = f"{config_path}:{tree.line(('targets', name))}"
    if not isinstance(spec, dict):
        raise PublishError(f"{where}: 目标 {name} 应写成“键: 值”（type、path 等）")
    kind = spec.get("type")
    if not isinstance(kind, str) or kind not in TARGET_TYPES:
        raise PublishError(
            f"{where}: 目标 {name} 的 type 应为 dir（本机目录）或 rsync（经 ssh 上传到服务器），现在是“{kind}”"
        )
    path = spec.get("path")
    if not isinstance(path, str) or not path.strip():
        raise PublishError(f"{where}: 目标 {name} 缺少 path（网站发布目录，Web 服务器指向其中的 current）")
    keep = spec.get("keep", DEFAULT_KEEP)
    if not isinstance(keep, int) or isinstance(keep, bool) or keep < 2:
        raise PublishError(f"{where}: 目标 {name} 的 keep 应为不小于 2 的整数（保留的版本数，回退需要至少 2 个）")
    if kind == DirTarget.kind:
        return DirTarget(name, str((config_path.parent / Path(path).expanduser()).resolve()), keep)
    host = spec.get("host")
    if not isinstance(host, str) or not host.strip():
        raise PublishError(f"{where}: rsync 目标 {name} 缺少 host（例如 deploy@www.example.gov.cn）")
    port = spec.get("port")
    if port is not None and (not isinstance(port, int) or not 0 < port < 65536):
        raise PublishError(f"{where}: 目标 {name} 的 port 应为端口号（例如 22）")
    options = spec.get("ssh_options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise PublishError(f'{where}: 目标 {name} 的 ssh_options 应为字符串列表，例如 ["-o", "ConnectTimeout=10"]')
    identity = spec.get("identity", "")
    return RsyncTarget(
        name, path, keep, host.strip(), port, str(Path(identity).expanduser()) if identity else "", options
    )


def choose_target(config: Config, name: str | None) -> Target:
    if name is None:
        if config.default is None and len(config.targets) > 1:
            raise PublishError(
                f"{config.path} 有多个目标（{'、'.join(config.targets)}）：请用 --target 选一个，或在配置中写 default"
            )
        name = config.default or next(iter(config.targets))
    if name not in config.targets:
        raise PublishError(f"没有名为“{name}”的发布目标。{config.path} 中有：{'、'.join(config.targets)}")
    return config.targets[name]
