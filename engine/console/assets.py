"""The console's built files, read once into memory with a gzip copy of each."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

DIST = Path(__file__).with_name("dist")
"""Where ``./dev setup`` builds the console (``vite build``, see ``console/vite.config.js``)."""

_COMPRESSIBLE = (".html", ".js", ".css", ".svg", ".json", ".map")
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Asset:
    """One file of the build: its bytes, a gzip copy when worth it, type and ETag."""

    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


def _asset(path: Path) -> Asset:
    body = path.read_bytes()
    gzipped = None
    if path.suffix in _COMPRESSIBLE and len(body) > 1024:
        gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    media_type = (_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
                  or "application/octet-stream")
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return Asset(body, gzipped, media_type, etag)


class ConsoleNotBuiltError(Exception):
    """The console has not been built in this checkout."""


def load_assets(root: Path = DIST) -> dict[str, Asset]:
    """Every file under ``root`` by its path relative to it (``index.html``, ``assets/...``).

    Raises:
        ConsoleNotBuiltError: ``root`` holds no ``index.html``.
    """
    if not (root / "index.html").is_file():
        raise ConsoleNotBuiltError(
            f"the console is not built ({root / 'index.html'} is missing): run ./dev setup"
        )
    return {
        path.relative_to(root).as_posix(): _asset(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
