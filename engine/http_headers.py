"""Header values as the bytes an outgoing webhook call sends: one rule, never an exception.

Shared by actions (client headers forwarded, configured ones added) and by event, cron and
one-off scheduled triggers (configured headers only, values possibly from the environment).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""An HTTP field name (RFC 9110 ``token``)."""
_FORBIDDEN_IN_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
"""Control characters (tab excepted) that no header value may carry."""


def wire_headers(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    """``headers`` as the bytes sent to the handler, by one rule, never an exception.

    - A value is sent as the very bytes the client sent: the server decoded them as
      Latin-1, so encoding back gives them unchanged (``café`` in UTF-8 stays UTF-8).
      A configured value that Latin-1 cannot hold (set from the environment) is sent
      as UTF-8.
    - A header whose name is not an HTTP token, or whose value holds a control character
      (CR, LF, NUL, ...), is dropped: it cannot be sent without breaking the request.
    """
    wire: list[tuple[bytes, bytes]] = []
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name):
            continue
        try:
            raw = value.encode("latin-1")
        except UnicodeEncodeError:
            raw = value.encode("utf-8")
        if _FORBIDDEN_IN_VALUE.search(raw):
            continue
        wire.append((name.encode("ascii"), raw.strip(b" \t")))
    return wire
