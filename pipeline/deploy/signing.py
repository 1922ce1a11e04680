"""Signed releases: the county signs each release's manifest (Ed25519); village PCs pin its public key.

`manifest.json` lists every file with its sha256, so whoever can change the manifest can change
what a village shows. `publish` and `bundle` therefore write `manifest.sig` beside it: an Ed25519
signature over the manifest's exact bytes by the county's key, and the chain of key rotations
(each new public key signed by the one before). `sync --trust county.pub` pins that key in the
village folder on first use (`trust.json`, beside `releases/`, never served) and from then on
refuses a manifest that is unsigned, signed by a key the pinned one has not endorsed, or older
than the newest release the village already accepted (a downgrade or a replay).

Key files (`hongwang keys new`): `<name>.key` (PKCS#8 PEM, mode 0600) and `<name>.pub`
(SubjectPublicKeyInfo PEM, what village PCs get). A private key inside content/, output/ or a git
work tree is refused, as is one other users can read. `hongwang keys rotate` writes
`<new>.rotation` beside the new key; signing with that key attaches the chain.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .manifest import MANIFEST, SIGNATURE

TRUST_FILE = "trust.json"
KEY_SUFFIX, PUBLIC_SUFFIX, ROTATION_SUFFIX = ".key", ".pub", ".rotation"
FORMAT = 1
MAX_SIGNATURE_BYTES = 256 << 10
MANIFEST_CONTEXT = b"hongwang manifest signature v1\n"
ROTATION_CONTEXT = b"hongwang key rotation v1\n"


class SigningError(Exception):
    """A key cannot be made, found or used as asked (exit code 2); nothing was signed or published."""


class SignatureRefused(Exception):
    """A release whose origin cannot be trusted: the village copy is left as it was."""


# ---------------------------------------------------------------- keys


def key_id(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()[:16]


def fingerprint(public: bytes) -> str:
    """What a web admin reads out on the phone to a village: 4 groups of 4 hex digits."""
    ident = key_id(public)
    return " ".join(ident[i : i + 4] for i in range(0, 16, 4))


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, length: int, what: str) -> bytes:
    try:
        data = base64.b64decode(str(text), validate=True)
    except (ValueError, TypeError):
        data = b""
    if len(data) != length:
        raise SignatureRefused(f"{SIGNATURE} 中的{what}不合法")
    return data


def forbidden_place(path: Path, forbidden: list[Path]) -> str:
    """Why a private key may not live at path ('' when it may)."""
    resolved = path.resolve()
    for folder in forbidden:
        folder = folder.resolve()
        if resolved == folder or folder in resolved.parents:
            return f"在 {folder} 中（网站内容和生成的网站会被复制、发布）"
    for parent in resolved.parents:
        if (parent / ".git").exists():
            return f"在 git 仓库 {parent} 中（会随仓库复制或提交）"
    return ""


def _refuse_place(path: Path, forbidden: list[Path]) -> None:
    reason = forbidden_place(path, forbidden)
    if reason:
        raise SigningError(
            f"私钥 {path} {reason}，不能使用。请把它移到网站目录和 git 仓库之外，例如 ~/.config/hongwang/，"
            f"并在 publish.yaml 的 signing_key 中写新位置"
        )


def new_key_pair(folder: Path, name: str, forbidden: list[Path]) -> tuple[Path, Path, bytes]:
    """Write <name>.key (0600) and <name>.pub; refuse to overwrite or to write where keys must not be."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise SigningError(f"密钥名称“{name}”不合法：只用字母、数字和连字符，例如 county-2026")
    private_path, public_path = folder / f"{name}{KEY_SUFFIX}", folder / f"{name}{PUBLIC_SUFFIX}"
    _refuse_place(private_path, forbidden)
    for existing in (private_path, public_path):
        if existing.exists():
            raise SigningError(f"{existing} 已存在，不会覆盖。请换一个名称（--name），或先把旧文件移走")
    key = Ed25519PrivateKey.generate()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_pem)
    public = key.public_key()
    public_path.write_bytes(
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private_path, public_path, raw_public(public)


def read_public_key(path: Path) -> bytes:
    """The raw 32 bytes of an Ed25519 public key file (.pub, PEM)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SigningError(f"无法读取公钥 {path}：{error.strerror or error}") from None
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path} 不是 hongwang keys new 生成的公钥（.pub 文件）")
    return raw_public(key)


@dataclass
class Signer:
    path: Path
    key: Ed25519PrivateKey
    rotations: list[dict] = field(default_factory=list)

    @property
    def public(self) -> bytes:
        return raw_public(self.key.public_key())

    def signature_for(self, manifest_bytes: bytes) -> bytes:
        statement = {
            "format": FORMAT,
            "algorithm": "ed25519",
            "key_id": key_id(self.public),
            "public_key": _b64(self.public),
            "signature": _b64(self.key.sign(MANIFEST_CONTEXT + manifest_bytes)),
            "rotations": self.rotations,
        }
        return (json.dumps(statement, ensure_ascii=False, indent=1) + "\n").encode()

    def sign_site(self, site: Path) -> None:
        """Write manifest.sig beside the site's manifest.json."""
        (site / SIGNATURE).write_bytes(self.signature_for((site / MANIFEST).read_bytes()))


def load_signer(path: Path, forbidden: list[Path]) -> Signer:
    """The private key at path, with its rotation chain; refused where keys must not be or readable by others."""
    path = Path(path).expanduser()
    _refuse_place(path, forbidden)
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as error:
        raise SigningError(f"无法读取私钥 {path}：{error.strerror or error}。可用 hongwang keys new 生成") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningError(f"私钥 {path} 其他用户也能读取，不能使用。请运行 chmod 600 {path}")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path} 不是 hongwang keys new 生成的私钥（.key 文件）")
    return Signer(path, key, _read_rotations(path.with_suffix(ROTATION_SUFFIX), raw_public(key.public_key())))


def _read_rotations(path: Path, public: bytes) -> list[dict]:
    if not path.is_file():
        return []
    try:
        chain = json.loads(path.read_text(encoding="utf-8"))
        ends_here = not chain or _unb64(chain[-1]["public_key"], 32, "公钥") == public
    except (OSError, ValueError, KeyError, TypeError, IndexError, SignatureRefused):
        ends_here = False
    if not ends_here:
        raise SigningError(f"{path} 不是这把私钥的换钥记录。请删除它，或用 hongwang keys rotate 重新生成")
    return chain


def rotate(old_path: Path, new_path: Path, forbidden: list[Path]) -> tuple[Path, Signer, Signer]:
    """Endorse the new key with the old one: <new>.rotation holds the old key's chain plus this step."""
    old, new = load_signer(old_path, forbidden), load_signer(new_path, forbidden)
    if old.public == new.public:
        raise SigningError("新旧私钥相同。请先用 hongwang keys new 生成一把新的密钥")
    step = {
        "signed_by": _b64(old.public),
        "public_key": _b64(new.public),
        "signature": _b64(old.key.sign(ROTATION_CONTEXT + old.public + new.public)),
    }
    target = new.path.with_suffix(ROTATION_SUFFIX)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(json.dumps([*old.rotations, step], indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, target)
    new.rotations = [*old.rotations, step]
    return target, old, new


# ---------------------------------------------------------------- verification (village side)


def _verify(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
        return True
    except InvalidSignature:
        return False


def verify(manifest_bytes: bytes, signature_bytes: bytes | None, trusted: bytes) -> bytes:
    """The public key that signed manifest_bytes, if `trusted` is it or endorsed it; SignatureRefused otherwise."""
    if signature_bytes is None:
        raise SignatureRefused(f"这个版本没有签名（服务器上没有 {SIGNATURE}），可能不是县里发布的")
    if len(signature_bytes) > MAX_SIGNATURE_BYTES:
        raise SignatureRefused(f"{SIGNATURE} 过大，不是县里发布的签名文件")
    try:
        statement = json.loads(signature_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        statement = None
    if not isinstance(statement, dict) or statement.get("format") != FORMAT or statement.get("algorithm") != "ed25519":
        raise SignatureRefused(f"{SIGNATURE} 格式不对，不是县里发布的签名文件")
    signer = _unb64(statement.get("public_key"), 32, "公钥")
    rotations = statement.get("rotations") or []
    if not isinstance(rotations, list):
        raise SignatureRefused(f"{SIGNATURE} 中的换钥记录格式不对")
    holder = trusted
    for step in rotations:  # follow the chain from the trusted key; steps before it do not matter
        if not isinstance(step, dict):
            raise SignatureRefused(f"{SIGNATURE} 中的换钥记录格式不对")
        old, new = _unb64(step.get("signed_by"), 32, "公钥"), _unb64(step.get("public_key"), 32, "公钥")
        if old != holder or holder == signer:
            continue
        if not _verify(old, _unb64(step.get("signature"), 64, "签名"), ROTATION_CONTEXT + old + new):
            raise SignatureRefused(f"{SIGNATURE} 中的换钥记录签名不对，可能被篡改")
        holder = new
    if holder != signer:
        raise SignatureRefused(
            f"这个版本由密钥 {fingerprint(signer)} 签名，本机信任的是 {fingerprint(trusted)}，"
            f"而且后者没有认可前者（没有换钥记录），可能不是县里发布的"
        )
    if not _verify(signer, _unb64(statement.get("signature"), 64, "签名"), MANIFEST_CONTEXT + manifest_bytes):
        raise SignatureRefused("manifest.json 与签名不符：文件清单在发布后被改动过，可能被篡改")
    return signer


@dataclass
class Trust:
    """What a village folder trusts: the pinned key and the newest version it accepted (`trust.json`)."""

    public: bytes
    version: str = ""
    history: list[str] = field(default_factory=list)  # earlier pinned keys (base64), after rotations

    @classmethod
    def read(cls, folder: Path) -> Trust | None:
        path = folder / TRUST_FILE
        if not path.is_file():
            return None
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                base64.b64decode(value["public_key"], validate=True),
                str(value.get("version", "")),
                [str(k) for k in value.get("history", [])],
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise SigningError(
                f"{path} 已损坏（{error}）。请找县里网站维护人员要公钥 county.pub，"
                f"删除 {path} 后用 hongwang sync --trust county.pub 重新同步"
            ) from None

    def write(self, folder: Path) -> None:
        value = {
            "algorithm": "ed25519",
            "public_key": _b64(self.public),
            "fingerprint": fingerprint(self.public),
            "version": self.version,
            "history": self.history,
        }
        temporary = folder / f"{TRUST_FILE}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary, folder / TRUST_FILE)

    def accept(self, signer: bytes, version: str) -> Trust:
        history = self.history if signer == self.public else [*self.history, _b64(self.public)]
        return Trust(signer, max(version, self.version), history)
