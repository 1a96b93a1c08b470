"""Calling a trigger's webhook: URL and headers from the metadata, one POST, its outcome.

Shared by event triggers and cron triggers. URLs may hold ``{{ENV_VAR}}`` templates and
headers may take their value from the environment (``value_from_env``), resolved at call
time so a changed environment needs no metadata reload. Header values are never logged.
"""

from __future__ import annotations

import codecs
import contextlib
import email.message
import email.utils
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from engine.actions.definitions import (
    HeaderSpec,
    UnsetVariableError,
    resolve_template,
    resolved_headers,
)
from engine.events.transport import KeepAliveTransport, target_of
from engine.http_headers import wire_headers

RESPONSE_BODY_LIMIT = 4096
"""Bytes of a webhook's answer kept in the invocation log."""


class WebhookConfigError(ValueError):
    """A webhook that cannot be called as configured (an unset environment variable, ...)."""

    code = "invalid-configuration"


@dataclass(frozen=True)
class Header(HeaderSpec):
    """One configured header of a trigger: exactly one of a value and a variable's name."""

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Header:
        """Parse ``{name, value}`` or ``{name, value_from_env}``."""
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            raise WebhookConfigError("a header needs a name")
        value, from_env = raw.get("value"), raw.get("value_from_env")
        if (value is None) == (from_env is None):
            raise WebhookConfigError(f"header {name!r} needs exactly one of value, value_from_env")
        return cls(name=name, value=value, value_from_env=from_env)


@dataclass(frozen=True)
class WebhookSpec:
    """Where a trigger posts and with which headers."""

    url: str | None = None
    url_from_env: str | None = None
    headers: tuple[Header, ...] = ()

    def resolve_url(self, env: Mapping[str, str]) -> str:
        """The URL to call now."""
        if self.url_from_env is not None:
            try:
                return env[self.url_from_env]
            except KeyError:
                raise WebhookConfigError(
                    f"environment variable {self.url_from_env} (webhook_from_env) is not set"
                ) from None
        assert self.url is not None
        try:
            return resolve_template(self.url, env)
        except UnsetVariableError as exc:
            raise WebhookConfigError(str(exc)) from None

    def resolve_headers(self, env: Mapping[str, str]) -> dict[str, str]:
        """The configured headers, values resolved, plus the JSON content type."""
        try:
            return {"Content-Type": "application/json", **resolved_headers(self.headers, env)}
        except UnsetVariableError as exc:
            raise WebhookConfigError(str(exc)) from None


@dataclass(frozen=True)
class Attempt:
    """The outcome of one POST to a webhook."""

    status: int | None
    """HTTP status, or None when no answer came (connection error, timeout, bad config)."""
    body: str
    """The answer's body (truncated), or the error message when there was no answer."""
    response_headers: tuple[tuple[str, str], ...] = ()
    retry_after: float | None = None
    """Seconds the webhook asked us to wait (``Retry-After``), when it did."""

    @property
    def ok(self) -> bool:
        """Whether the webhook accepted the call (any 2xx)."""
        return self.status is not None and 200 <= self.status < 300

    def response_log(self) -> dict[str, Any]:
        """The ``response`` column of an invocation log, shaped like Hasura's."""
        if self.status is None:
            return {"type": "client_error", "data": {"message": self.body}, "version": "2"}
        return {
            "type": "webhook_response",
            "data": {
                "status": self.status,
                "body": self.body,
                "headers": [{"name": k, "value": v} for k, v in self.response_headers],
            },
            "version": "2",
        }


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from ``Retry-After`` (delta seconds or an HTTP date); None if absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


async def post(
    transport: KeepAliveTransport,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    timeout: float,  # noqa: ASYNC109 - a per-trigger setting passed to the transport
) -> Attempt:
    """POST ``body`` to ``url``; every failure becomes an :class:`Attempt`, never an error.

    Only the configured headers go out (no client's or engine's secret is added), by the
    rule actions use: a value Latin-1 cannot hold is sent as UTF-8, a name or value that
    cannot be sent (a control character, say) is dropped rather than failing the call.
    A configured ``Host`` replaces the URL's; credentials in the URL are sent as Basic
    auth, in place of a configured ``Authorization`` (as httpx does).

    The request goes straight to the keep-alive transport, without httpx's client layers
    (request and response objects, cookies, a log line per call): they cost more CPU
    than the call itself at thousands of events per second.
    """
    try:
        target = target_of(url)
        configured = wire_headers(headers)
        fixed = {name.lower() for name, _ in target.headers}
        if any(name.lower() == b"host" for name, _ in configured):
            fixed.discard(b"host")
        sent = [h for h in target.headers if h[0].lower() in fixed]
        sent.extend(h for h in configured if h[0].lower() not in fixed)
        answer = await transport.exchange(target.scheme, target.host, target.port, b"POST",
                                          target.path, sent, body, timeout, timeout)
    except httpx.TimeoutException:
        return Attempt(status=None, body=f"timed out after {timeout:g}s calling the webhook")
    except httpx.HTTPError as exc:
        return Attempt(status=None, body=f"could not call the webhook: {exc!r}")
    answer_headers = decoded_headers(answer.headers)
    return Attempt(
        status=answer.status_code,
        body=decoded_text(answer.content, answer_headers.get("content-type"))[
            :RESPONSE_BODY_LIMIT],
        response_headers=tuple(answer_headers.items()),
        retry_after=parse_retry_after(answer_headers.get("retry-after")),
    )


def decoded_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Response headers as httpx's ``Headers.items()`` gives them.

    Names lower-cased, a repeated header's values joined with ``", "``, everything decoded
    as ASCII, else UTF-8, else Latin-1 (one choice for the whole set).
    """
    encoding = "iso-8859-1"
    for candidate in ("ascii", "utf-8"):
        try:
            for name, value in raw:
                name.decode(candidate)
                value.decode(candidate)
        except UnicodeDecodeError:
            continue
        encoding = candidate
        break
    found: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode(encoding).lower(), value.decode(encoding)
        found[key] = f"{found[key]}, {text}" if key in found else text
    return found


def decoded_text(content: bytes, content_type: str | None) -> str:
    """The body as text, as httpx's ``Response.text``: the declared charset, else UTF-8."""
    encoding = "utf-8"
    if content_type and "charset" in content_type.lower():
        message = email.message.Message()
        message["content-type"] = content_type
        charset = message.get_content_charset()
        if charset:
            with contextlib.suppress(LookupError):
                encoding = codecs.lookup(charset).name
    return content.decode(encoding, errors="replace")


def request_log(body: bytes, headers: Mapping[str, str]) -> bytes:
    """The ``request`` column of an invocation log: the body and the header names only."""
    names = [{"name": name} for name in headers]
    return b'{"payload":' + body + b',"headers":' + orjson.dumps(names) + b',"version":"2"}'


def iso_utc(moment: datetime) -> str:
    """``moment`` in the ISO form Hasura uses in trigger bodies (UTC, microseconds)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
