"""A small HTTP server for the bundled samples, so demo and tests take the real path.

It serves ``samples/site`` on 127.0.0.1 with ETag and Last-Modified (and
answers conditional requests with 304), follows ``_redirects.txt``, and
replaces the placeholder origin ``http://samples.factwire.test`` in text files
with its own address.  Tests can queue faults on a path (``server.fail``) to
exercise retries and errors against a real socket.
"""
from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .config import SAMPLES_DIR

PLACEHOLDER_ORIGIN = "http://samples.factwire.test"
TEXT_TYPES = {".html": "text/html", ".htm": "text/html", ".xml": "application/xml",
              ".rss": "application/rss+xml", ".atom": "application/atom+xml",
              ".txt": "text/plain", ".json": "application/json"}


@dataclass
class Fault:
    """One queued answer for a path: a status, headers and a body (or a trickle)."""
    status: int
    headers: dict | None = None
    body: bytes = b""
    delay: float = 0.0


def read_redirects(root: Path) -> dict[str, tuple[str, int]]:
    redirects = {}
    path = root / "_redirects.txt"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                source, target, *status = line.split()
                redirects[source] = (target, int(status[0]) if status else 301)
    return redirects


class SampleServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0):
        super().__init__((host, port), _Handler)
        self.root = Path(root).resolve()
        self.redirects = read_redirects(self.root)
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.requests: list[tuple[str, str, dict]] = []   # (method, path, headers) seen
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def fail(self, path: str, *faults: Fault) -> None:
        """Answer the next requests for ``path`` with these faults, then serve normally."""
        self.faults[path].extend(faults)

    def hits(self, path: str) -> int:
        return sum(1 for _, p, _ in self.requests if p == path)

    def start(self) -> "SampleServer":
        self._thread = threading.Thread(target=self.serve_forever, name="sample-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    server: SampleServer
    server_version = "factwire-samples/1"

    def log_message(self, format, *args):  # quiet: the demo prints its own summary
        pass

    def do_GET(self):
        path = unquote(urlsplit(self.path).path)
        self.server.requests.append(("GET", path, dict(self.headers)))
        queue = self.server.faults.get(path)
        if queue:
            return self._fault(queue.popleft())
        if path in self.server.redirects:
            target, status = self.server.redirects[path]
            self.send_response(status)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        file = (self.server.root / path.lstrip("/")).resolve()
        if path.endswith("/"):
            file = file / "index.html"
        if self.server.root not in file.parents or not file.is_file() or file.name.startswith("_"):
            return self._plain(404, b"not found\n")
        raw = file.read_bytes()
        etag = '"%s"' % hashlib.sha1(raw).hexdigest()[:20]
        mtime = file.stat().st_mtime
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag or (
                not self.headers.get("If-None-Match") and self._not_modified_since(mtime)):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        content_type = TEXT_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] \
            or "application/octet-stream"
        body = raw
        if file.suffix in TEXT_TYPES:
            body = raw.replace(PLACEHOLDER_ORIGIN.encode(), self.server.origin.encode())
            content_type += "; charset=utf-8" if b"encoding=" not in raw[:100] else ""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.end_headers()
        self.wfile.write(body)

    def _not_modified_since(self, mtime: float) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _fault(self, fault: Fault) -> None:
        self.send_response(fault.status)
        for key, value in (fault.headers or {}).items():
            self.send_header(key, value)
        if not fault.headers or "Content-Length" not in fault.headers:
            self.send_header("Content-Length", str(len(fault.body)))
        self.end_headers()
        if fault.delay:
            for i in range(len(fault.body)):
                self.wfile.write(fault.body[i:i + 1])
                self.wfile.flush()
                time.sleep(fault.delay)
        else:
            self.wfile.write(fault.body)


PREFERRED_PORT = 8765


def serve(root: Path | str = SAMPLES_DIR / "site", port: int | None = None) -> SampleServer:
    """A sample server on 127.0.0.1; use as a context manager.

    ``port=None`` prefers PREFERRED_PORT, so that successive demos see the same
    addresses (sitemap pages are known by address), and takes a free port when it
    is busy; ``port=0`` always takes a free one.
    """
    if port is None:
        try:
            return SampleServer(Path(root), port=PREFERRED_PORT)
        except OSError:
            port = 0
    return SampleServer(Path(root), port=port)
