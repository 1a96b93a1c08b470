"""``POST /echo``: the local stand-in for the seed's echo server (``EVENT_TRIGGER_URL``).

It logs each event it receives (trigger, table, operation, event id; never the row's
values, which may be personal data) and answers with the body it got, as an echo server
does.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from common.shared_secret import require_secret
from triggers.payloads import EventPayload, parse
from triggers.settings import shared_secret

logger = logging.getLogger("triggers.echo")


async def echo(request: Request) -> Response:
    """Log the event trigger call and send its body back."""
    require_secret(request.headers, shared_secret())
    body = await request.body()
    event = parse(EventPayload, body)
    logger.info(
        "event %s: trigger=%s table=%s.%s op=%s retry=%s",
        event.id, event.trigger.name, event.table.schema_, event.table.name, event.event.op,
        (event.delivery_info or {}).get("current_retry", 0),
    )
    return JSONResponse({"echo": event.model_dump(mode="json", by_alias=True)})
