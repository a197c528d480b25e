"""Where a page may send people back to: only a path on this site, read as a browser would."""
from __future__ import annotations

from urllib.parse import urlsplit

# Browsers drop tabs and line breaks anywhere in a URL and read a backslash as a slash, so
# "/\t/evil.example" and "/\\evil.example" both lead to another site; and a line break in a
# Location header is an error. Any of these, or any other control character, disqualifies.
_UNSAFE = {chr(code) for code in range(0x20)} | {"\x7f", "\\"}


def safe_return(target: str | None, fallback: str, within: str = "/") -> str:
    """`target` when it is a path of this site starting with `within`, else `fallback`."""
    if not target or any(char in _UNSAFE for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target if target.startswith(within) else fallback
