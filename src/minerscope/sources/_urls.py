"""Source URLs: checked before use, joined like a browser, printed without credentials.

Everything here is pure string handling (no network). :func:`redact_url` never raises
and never returns user info or a secret query value, whatever the text looks like (no
scheme, a password with a ``/`` in it, a port that is not a number, CR/LF), because its
result goes into error messages. :func:`check_url` turns a user's URL into a clean
server root, or one :class:`~minerscope.errors.InputError` line naming the option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

from ..errors import InputError

_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SECRET_QUERY_RE = re.compile(
    r"(?i)([?&;](?:api_?key|key|token|access_token|password|passwd|pass|secret|auth)=)[^&;#]*"
)
_MAX_SHOWN = 200


def one_line(text: str, *, limit: int = _MAX_SHOWN) -> str:
    """Outside text made safe for a one-line message: control characters escaped
    (``\\n`` -> ``\\x0a``), at most ``limit`` characters (then ``...``)."""
    out = _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return out if len(out) <= limit else out[: limit - 3] + "..."


def redact_url(url: object) -> str:
    """The URL as it may be printed: no user info, no secret query values, one line.

    ``http://u:p@host:8332/`` -> ``http://host:8332/``; ``u:p@host:8332`` -> ``host:8332``;
    ``...?api_key=abc`` -> ``...?api_key=***``. Everything up to the LAST ``@`` before
    the query is dropped, so a password containing ``/`` or ``@`` is dropped too.
    """
    text = one_line(str(url), limit=10_000)
    scheme, sep, rest = text.partition("://")
    if not sep or not _SCHEME_RE.match(scheme):
        scheme, sep, rest = "", "", text
    query_at = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    head, tail = rest[:query_at], rest[query_at:]
    if "@" in head:
        head = head.rsplit("@", 1)[1]
    tail = _SECRET_QUERY_RE.sub(r"\1***", tail)
    return one_line(f"{scheme}{sep}{head}{tail}")


@dataclass(frozen=True)
class CheckedURL:
    """A validated server root: ``url`` ends in ``/`` and carries no user info.

    ``user``/``password`` hold the URL's user info (percent-decoded), if it had any; they
    are never shown by ``repr``.
    """

    url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        """The URL as printed (same as ``url``: it has no credentials)."""
        return self.url


def check_url(url: str, *, what: str = "--url") -> CheckedURL:
    """Validate a server root URL; return it normalised with a trailing ``/``.

    Parameters
    ----------
    url : str
        ``http://127.0.0.1:8332/``, ``http://127.0.0.1:3002`` (electrs), ``https://h/api``.
    what : str
        Where the URL came from, for the message (``--url``, ``config.toml [rpc] url``).

    Raises
    ------
    InputError
        Not http(s), no host, a port outside 1..65535 or not a number, a bad IPv6
        literal, whitespace or control characters. The message shows the URL redacted.
    """
    shown = redact_url(url)

    def bad(reason: str) -> InputError:
        return InputError(f"{what} {shown!r}: {reason}")

    if not isinstance(url, str) or not url:
        raise bad("is empty")
    if _CONTROL_RE.search(url) or any(c.isspace() for c in url):
        raise bad("contains spaces or control characters (CR, LF, tab ...)")
    scheme, sep, _ = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise bad("must start with http:// or https://")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", ...
        raise bad(f"is not a valid URL ({one_line(str(exc), limit=80)})") from None
    host = parts.hostname
    if not host:
        raise bad("has no host")
    if port is not None and not 1 <= port <= 65535:
        raise bad(f"port {port} is not in 1..65535")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise bad("must not have a ?query or #fragment (API keys go in the config file)")
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    clean = urlunsplit((parts.scheme.lower(), netloc, path, "", ""))
    return CheckedURL(clean, user, password)


__all__ = ["CheckedURL", "check_url", "one_line", "redact_url"]
