"""Where hongwang's own files are: the same layout in a checkout and in the installed package.

The repository root is installed as the `hongwang` package (pyproject.toml maps it), so
`theme/`, `pelicanconf.py` and `publishconf.py` sit beside `pipeline/` in both.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "pipeline"
THEME = ROOT / "theme"
PELICANCONF = ROOT / "pelicanconf.py"
PUBLISHCONF = ROOT / "publishconf.py"
