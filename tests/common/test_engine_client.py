"""The async engine client the services share: data or an EngineCallError, never a raw body."""

from __future__ import annotations

import pytest

from common.engine_client import AsyncEngineClient, EngineCallError
from devstack.ports import free_port
from devstack.services.engine import EngineHandle


async def test_async_engine_client_answers_data_and_raises_on_errors(
        engine: EngineHandle) -> None:
    """GIVEN a real engine WHEN asked a valid query, an invalid one and a bad metadata call.

    THEN the data; the other two raise EngineCallError with the engine's message.
    """
    admin = AsyncEngineClient(engine.server.url() + "/v1/graphql", engine.admin_secret)
    try:
        assert (await admin.data("query { __typename }")) == {"__typename": "query_root"}
        with pytest.raises(EngineCallError, match=r"engine answered errors: .*no_such_field"):
            await admin.data("query { no_such_field }")
        with pytest.raises(EngineCallError, match="no_such_operation"):
            await admin.metadata_call("no_such_operation", {})
    finally:
        await admin.close()


async def test_async_engine_client_names_an_unreachable_engine() -> None:
    """GIVEN no engine on the port WHEN asked THEN EngineCallError says it is unreachable."""
    client = AsyncEngineClient(f"http://127.0.0.1:{free_port()}", timeout=5)
    try:
        with pytest.raises(EngineCallError, match="engine unreachable: ConnectError"):
            await client.data("query { __typename }")
    finally:
        await client.close()
