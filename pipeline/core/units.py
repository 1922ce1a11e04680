"""Sizes as people read them in Chinese messages and pages: 512 字节, 23.0 KB, 18.6 MB."""

from __future__ import annotations


def human_bytes(count: float) -> str:
    for unit in ("字节", "KB", "MB"):
        if count < 1024 or unit == "MB":
            return f"{count} {unit}" if unit == "字节" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"  # pragma: no cover
