"""HTTP fetching for feeds and article pages, with httpx.

One ``Fetcher`` per run holds the connection pool and the per-host limits.
It does one attempt per call and says whether a failure is worth retrying
(``FetchError.transient``, ``FetchError.retry_after``); the retry policy itself
is declared on the Prefect tasks that call it (see ``flows/tasks.py``).
"""
from __future__ import annotations

import codecs
import functools
import ipaddress
import re
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx
from charset_normalizer import from_bytes

from . import __version__

USER_AGENT = f"factwire/{__version__} (news fact extraction; +https://factwire.example/bot)"


@dataclass(frozen=True)
class FetchSettings:
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 60.0       # wall clock for one response, against trickling servers
    max_bytes: int = 5_000_000        # decoded body size limit (also stops gzip bombs)
    per_host: int = 2                 # concurrent requests to one host
    max_redirects: int = 5
    max_retry_after: float = 120.0    # a longer Retry-After is not waited for
    user_agent: str = USER_AGENT


class FetchError(Exception):
    """A fetch that failed; ``transient`` says whether trying again may help."""

    def __init__(self, url: str, reason: str, *, status: int | None = None,
                 transient: bool = False, retry_after: float | None = None):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.transient = transient
        self.retry_after = retry_after


@dataclass
class Fetched:
    url: str
    final_url: str
    status: int
    content: bytes = b""
    text: str = ""
    encoding: str | None = None
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    redirects: list[str] = field(default_factory=list)
    location: str | None = None       # where a 3xx points; followed by Fetcher.get

    @property
    def not_modified(self) -> bool:
        return self.status == 304


_PRIVATE_CHECK_CACHE: dict[str, bool] = {}


def is_private_host(host: str) -> bool:
    """True when ``host`` resolves to a loopback, private, link-local or reserved address."""
    if host in _PRIVATE_CHECK_CACHE:
        return _PRIVATE_CHECK_CACHE[host]
    try:
        infos = socket.getaddrinfo(host, None)
        addresses = {info[4][0] for info in infos}
    except socket.gaierror:
        return False  # unresolvable: the request itself will fail with a clear error
    # Anything not globally routable: private, loopback, link-local, reserved, and the
    # shared 100.64.0.0/10 range (carrier NAT; some clouds' metadata services live there).
    private = any(
        (a := ipaddress.ip_address(addr.split("%")[0])).is_private or a.is_loopback
        or a.is_link_local or a.is_reserved or a.is_multicast or a.is_unspecified
        or not a.is_global
        for addr in addresses)
    _PRIVATE_CHECK_CACHE[host] = private
    return private


def check_url(url: str, *, allow_local: bool) -> None:
    """Refuse anything but http(s), and private addresses unless the source is local."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(url, f"refused: scheme {parts.scheme or '(none)'!r} is not http or https")
    if not parts.hostname:
        raise FetchError(url, "refused: no host in URL")
    if not allow_local and is_private_host(parts.hostname):
        raise FetchError(url, f"refused: {parts.hostname} is a loopback or private address "
                              "and the source is not configured as local")


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)


def _usable(encoding: str | None) -> str | None:
    """The codec name Python knows ``encoding`` by, or None for an unknown label."""
    try:
        return codecs.lookup(encoding).name if encoding else None
    except LookupError:
        return None


# Single-byte encodings the web actually uses, most common first: when the
# detector finds several equally clean readings (windows-1251 and mac-cyrillic
# read Russian almost alike; windows-1250 and -1252 read French alike), the
# web's choice wins.  windows-1252 first: it is what browsers assume for an
# undeclared Latin page (and what "latin-1" means on the web).
_WEB_ENCODINGS = ("cp1252", "cp1251", "koi8_r", "cp1250", "cp1254", "cp1253", "cp1257",
                  "cp1256", "cp1255", "koi8_u", "iso8859_5", "cp1258", "cp874",
                  "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr")
_CHAOS_TOLERANCE = 0.01


def _detect(content: bytes) -> tuple[str, str] | None:
    """The best reading of undeclared bytes as (text, encoding), or None.

    The detector merges encodings that give the same text (``could_be_from_charset``):
    the web's usual one among them names the reading.
    """
    results = list(from_bytes(content))
    if not results:
        return None
    rank = {name: i for i, name in enumerate(_WEB_ENCODINGS)}

    def web_rank(m) -> tuple[int, str]:
        names = [m.encoding] + list(getattr(m, "could_be_from_charset", None) or [])
        return min((rank.get(n, len(rank)), n) for n in names)

    floor = min(m.chaos for m in results)
    close = [m for m in results if m.chaos <= floor + _CHAOS_TOLERANCE]
    best = min(close, key=lambda m: web_rank(m)[0])    # ties keep the detector's order
    index, name = web_rank(best)
    return str(best), (name if index < len(rank) else best.encoding)


# Mojibake: UTF-8 bytes that were once read as windows-1252 or latin-1 and
# saved again ("MinistÃ¨re", "â€™", "ÐœÐ¸Ð½", "BOTAÅž").  Text is suspected only
# when it holds the marks such text is full of (Â Ã before a Latin-1 sign or
# letter, Ð Ñ before Cyrillic, â€ for punctuation); a suspected text that reads
# whole as UTF-8 once turned back into bytes is replaced whole, otherwise each
# run that reads as UTF-8 is (a page may mix good and bad parts).  Text without
# the marks is never touched, so "STRAẞE“" or "CAFÉ…" stay as written.
_BYTE_OF: dict[str, int] = {}
for _b in range(0x80, 0x100):
    try:
        _BYTE_OF[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        pass
    _BYTE_OF.setdefault(chr(_b), _b)          # the same bytes read as latin-1
_CONT = "[" + "".join(re.escape(c) for c, b in _BYTE_OF.items() if 0x80 <= b <= 0xBF) + "]"
_SUSPECT = re.compile(f"[\u00c2\u00c3\u00d0\u00d1]{_CONT}|\u00e2{_CONT}{{2}}")
_RUN = re.compile(f"[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}}")


def _as_bytes(text: str) -> bytes | None:
    """The bytes that ``text`` was read from as windows-1252/latin-1, or None."""
    try:
        return bytes(_BYTE_OF[c] if c >= "\x80" else ord(c) for c in text)
    except KeyError:
        return None


def _unmangle(match: re.Match) -> str:
    try:
        return _as_bytes(match.group()).decode("utf-8")
    except (AttributeError, UnicodeDecodeError):
        return match.group()


def repair_mojibake(text: str) -> str:
    """``text`` with UTF-8-read-as-windows-1252 sequences turned back into their characters."""
    if not _SUSPECT.search(text):
        return text
    raw = _as_bytes(text)
    if raw is not None:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return _RUN.sub(_unmangle, text)


def decode(content: bytes, content_type: str = "") -> tuple[str, str]:
    """Text of a body, mojibake repaired; see ``_decode``."""
    text, encoding = _decode(content, content_type)
    return repair_mojibake(text), encoding


@functools.lru_cache(maxsize=64)
def _single_byte(encoding: str) -> bool:
    """True for an 8-bit encoding (every byte one character: latin-1, cp1251, koi8-r ...)."""
    if encoding == "utf-8":
        return False
    try:
        return len(bytes(range(256)).decode(encoding, errors="replace")) == 256
    except LookupError:
        return False


def _utf8_instead(content: bytes, declared: str) -> bool:
    """Whether valid UTF-8 should be read as UTF-8 despite the declaration.

    Servers and templates often declare latin-1 or windows-1251 over UTF-8 pages, and
    an 8-bit reading of UTF-8 never fails, it only gives mojibake; non-ASCII text in
    a real 8-bit encoding is almost never valid UTF-8.  A page that declares UTF-16
    without a BOM and has no NUL byte is not UTF-16 either (HTML reads it as UTF-8).
    """
    if declared.startswith(("utf-16", "utf-32")):
        return b"\x00" not in content
    return _single_byte(declared) and not content.isascii()


def _decode(content: bytes, content_type: str = "") -> tuple[str, str]:
    """Text of a body: declared charset (header, BOM, meta, XML declaration), else detected."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace"), "utf-8"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace"), "utf-16"
    declared = None
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    if m:
        declared = _usable(m.group(1))
    if not declared:
        head = content[:4096]
        m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
        if m:
            declared = _usable(m.group(1).decode("ascii", "ignore"))
    if declared and _utf8_instead(content, declared):
        try:
            return content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    if declared:
        try:
            return content.decode(declared), declared
        except UnicodeDecodeError:
            pass  # the declaration lies: fall through to detection
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = _detect(content)
    if best is not None:
        return best
    return content.decode("utf-8", errors="replace"), "utf-8"


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Fetcher:
    """A pooled HTTP client with per-host concurrency limits and size/time limits."""

    def __init__(self, settings: FetchSettings | None = None):
        self.settings = s = settings or FetchSettings()
        self._host_slots: dict[str, threading.BoundedSemaphore] = defaultdict(
            lambda: threading.BoundedSemaphore(s.per_host))
        self._lock = threading.Lock()
        self.client = httpx.Client(
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            follow_redirects=False,
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            return self._host_slots[host]

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            allow_local: bool = False) -> Fetched:
        """GET ``url`` following redirects; a 304 comes back as ``Fetched(status=304)``."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        redirects: list[str] = []
        current = url
        for _ in range(self.settings.max_redirects + 1):
            check_url(current, allow_local=allow_local)
            response = self._one(current, headers)
            if response.status in (301, 302, 303, 307, 308) and response.location:
                redirects.append(current)
                current = str(httpx.URL(current).join(response.location))
                if current in redirects:
                    raise FetchError(url, f"redirect loop via {current}")
                continue
            response.url, response.final_url, response.redirects = url, current, redirects
            return response
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects")

    def _one(self, url: str, headers: dict) -> Fetched:
        s = self.settings
        host = urlsplit(url).hostname or ""
        with self._slot(host):
            started = time.monotonic()
            try:
                with self.client.stream("GET", url, headers=headers) as r:
                    if r.status_code in (301, 302, 303, 307, 308):
                        return Fetched(url, url, r.status_code, location=r.headers.get("location"))
                    self._raise_for_status(url, r)
                    declared = r.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > s.max_bytes:
                        raise FetchError(url, f"body of {int(declared)} bytes is over the "
                                              f"{s.max_bytes}-byte limit", status=r.status_code)
                    chunks, size = [], 0
                    for chunk in r.iter_bytes():
                        size += len(chunk)
                        if size > s.max_bytes:
                            raise FetchError(url, f"body is over the {s.max_bytes}-byte limit",
                                             status=r.status_code)
                        if time.monotonic() - started > s.total_timeout:
                            raise FetchError(url, f"body took over {s.total_timeout:.0f}s",
                                             status=r.status_code, transient=True)
                        chunks.append(chunk)
                    content = b"".join(chunks)
                    content_type = r.headers.get("content-type", "")
                    text, encoding = ("", None) if r.status_code == 304 else decode(content, content_type)
                    return Fetched(url, str(r.url), r.status_code, content, text, encoding,
                                   content_type, r.headers.get("etag"),
                                   r.headers.get("last-modified"))
            except FetchError:
                raise
            except httpx.TimeoutException as exc:
                raise FetchError(url, f"timed out ({type(exc).__name__})", transient=True) from None
            except httpx.ConnectError as exc:
                raise FetchError(url, f"cannot connect: {exc}", transient=True) from None
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise FetchError(url, f"connection broke: {exc}", transient=True) from None
            except httpx.DecodingError as exc:
                raise FetchError(url, f"cannot decode body: {exc}") from None
            except httpx.HTTPError as exc:
                raise FetchError(url, f"{type(exc).__name__}: {exc}", transient=True) from None

    def _raise_for_status(self, url: str, r: httpx.Response) -> None:
        if r.status_code < 400 or r.status_code == 304:
            return
        retry_after = _retry_after_seconds(r.headers.get("retry-after"))
        transient = r.status_code in (408, 425, 429) or r.status_code >= 500
        if retry_after is not None and retry_after > self.settings.max_retry_after:
            transient, reason_extra = False, f" (Retry-After {retry_after:.0f}s is too long to wait)"
        else:
            reason_extra = ""
        raise FetchError(url, f"HTTP {r.status_code} {r.reason_phrase}{reason_extra}",
                         status=r.status_code, transient=transient, retry_after=retry_after)
