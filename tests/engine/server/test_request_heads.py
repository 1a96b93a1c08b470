"""What a GraphQL POST's headers decide, kept per (peer address, header list).

A kept head is never shared between requests whose headers differ in any byte.
"""

from __future__ import annotations

from engine.auth.resolver import SessionResolver
from engine.server.graphql_route import HEADS_KEPT, GraphQLEndpoint, RequestHead
from engine.server.state import ServerState
from engine.session import Session
from engine.settings import EngineSettings, Secret

SECRET = "s3cret-admin"
PEER = "10.0.0.7"


def _endpoint(unauthorized_role: str | None = None) -> GraphQLEndpoint:
    state = ServerState(EngineSettings(Secret("postgresql://unused")),
                        SessionResolver(admin_secret=SECRET,
                                        unauthorized_role=unauthorized_role))
    return GraphQLEndpoint(state)


def _headers(**given: str) -> list[tuple[bytes, bytes]]:
    raw = [(b"content-type", b"application/json"), (b"content-length", b"30")]
    raw += [(name.replace("_", "-").encode(), value.encode()) for name, value in given.items()]
    return raw


def _session(head: RequestHead) -> Session:
    assert head.refusal is None
    assert head.failure is None
    assert isinstance(head.found, Session)
    return head.found


def test_request_heads_of_other_users_roles_and_secrets_are_never_shared() -> None:
    """GIVEN heads kept for one user of one role with the right secret.

    WHEN the same peer sends another user id, another role, a wrong secret or none
    THEN each gets its own session or refusal, never the kept one; the same headers again
    get the kept head.
    """
    endpoint = _endpoint()
    first = _headers(x_hasura_admin_secret=SECRET, x_hasura_role="user", x_hasura_user_id="4")
    kept = endpoint.head(first, PEER)
    assert (_session(kept).role, _session(kept).get("x-hasura-user-id")) == ("user", "4")
    assert endpoint.head(list(first), PEER) is kept  # equal headers, new list: the kept head

    other_user = endpoint.head(
        _headers(x_hasura_admin_secret=SECRET, x_hasura_role="user", x_hasura_user_id="5"), PEER)
    assert _session(other_user).get("x-hasura-user-id") == "5"
    other_role = endpoint.head(
        _headers(x_hasura_admin_secret=SECRET, x_hasura_role="manager", x_hasura_user_id="4"),
        PEER)
    assert _session(other_role).role == "manager"

    wrong = _headers(x_hasura_admin_secret=SECRET + "x", x_hasura_role="user",
                     x_hasura_user_id="4")
    for _ in range(2):  # a failure is worked out each time, never kept
        refused = endpoint.head(wrong, PEER)
        assert refused.found is None
        assert refused.failure is not None
        assert b"access-denied" in refused.failure[1]
    missing = endpoint.head(_headers(x_hasura_role="user", x_hasura_user_id="4"), PEER)
    assert missing.found is None
    assert missing.failure is not None

    assert endpoint.head(first, PEER) is kept
    assert _session(endpoint.head(first, "10.0.0.8")) is not _session(kept)  # another peer


def test_request_heads_keep_the_client_address_of_their_peer() -> None:
    """GIVEN two peers sending the same headers, one with its own X-Forwarded-For.

    WHEN their heads are read
    THEN each carries its own socket peer as the client address (no proxy is trusted).
    """
    endpoint = _endpoint()
    raw = _headers(x_hasura_admin_secret=SECRET, x_forwarded_for="1.2.3.4")
    assert endpoint.head(raw, "10.0.0.7").headers["x-forwarded-for"] == "10.0.0.7"
    assert endpoint.head(raw, "10.0.0.8").headers["x-forwarded-for"] == "10.0.0.8"


def test_request_heads_refused_by_the_transport_checks_are_not_kept() -> None:
    """GIVEN a request that is not declared JSON.

    WHEN its head is read twice
    THEN it is refused with 415 each time, no session worked out.
    """
    endpoint = _endpoint(unauthorized_role="anonymous")
    raw = [(b"content-type", b"text/plain")]
    for _ in range(2):
        head = endpoint.head(raw, PEER)
        assert head.refusal is not None
        assert head.refusal[0] == 415
        assert head.found is None
    anonymous = endpoint.head([(b"content-type", b"application/json")], PEER)
    assert _session(anonymous).role == "anonymous"


def test_request_heads_are_kept_for_a_bounded_number_of_header_sets() -> None:
    """GIVEN more distinct header sets than are kept.

    WHEN each is read once
    THEN the first is read anew (a new head), the last is still kept.
    """
    endpoint = _endpoint()
    heads = [endpoint.head(_headers(x_hasura_admin_secret=SECRET, x_hasura_user_id=str(i)),
                           PEER) for i in range(HEADS_KEPT + 1)]
    last = _headers(x_hasura_admin_secret=SECRET, x_hasura_user_id=str(HEADS_KEPT))
    assert endpoint.head(last, PEER) is heads[-1]
    again = endpoint.head(_headers(x_hasura_admin_secret=SECRET, x_hasura_user_id="0"), PEER)
    assert again is not heads[0]
    assert _session(again).get("x-hasura-user-id") == "0"


def test_request_heads_read_header_names_in_any_case() -> None:
    """GIVEN the same headers sent with names as a client spells them and lower-cased.

    WHEN their heads are read
    THEN both get the same session and client address; each spelling is kept on its own,
    and a changed user id in the spelled form still gets its own session.
    """
    endpoint = _endpoint()
    spelled = [(b"Content-Type", b"application/json"), (b"X-Hasura-Admin-Secret", SECRET.encode()),
               (b"X-Hasura-Role", b"user"), (b"X-Hasura-User-Id", b"4")]
    lower = [(name.lower(), value) for name, value in spelled]
    head = endpoint.head(spelled, PEER)
    assert (_session(head).role, _session(head).get("x-hasura-user-id")) == ("user", "4")
    assert head.headers == endpoint.head(lower, PEER).headers
    assert endpoint.head(list(spelled), PEER) is head
    other = endpoint.head([*spelled[:3], (b"X-Hasura-User-Id", b"5")], PEER)
    assert _session(other).get("x-hasura-user-id") == "5"
    wrong = endpoint.head([(b"Content-Type", b"application/json"),
                           (b"X-Hasura-Admin-Secret", b"nope")], PEER)
    assert wrong.failure is not None


def test_request_heads_render_the_cors_lines_and_the_expectation() -> None:
    """GIVEN an endpoint with CORS for one origin.

    WHEN heads are read from that origin, another one, and with ``Expect: 100-continue``
    THEN the listed origin's head carries its CORS lines, the other none, and the third
    says the client waits for ``100 Continue``; a refusal carries the CORS lines too.
    """
    from engine.server.cors import CorsPolicy

    endpoint = _endpoint()
    endpoint.cors = CorsPolicy.from_settings(("https://app.example.com",))
    base = _headers(x_hasura_admin_secret=SECRET)
    listed = endpoint.head([*base, (b"Origin", b"https://app.example.com")], PEER)
    assert listed.response_lines == (b"access-control-allow-origin: https://app.example.com\r\n"
                                     b"access-control-allow-credentials: true\r\n"
                                     b"vary: Origin\r\n")
    assert not listed.expect_continue
    assert endpoint.head([*base, (b"Origin", b"https://other.example.com")],
                         PEER).response_lines == b""
    assert endpoint.head([*base, (b"Expect", b"100-Continue")], PEER).expect_continue
    refusal = endpoint.head([(b"Content-Type", b"text/plain"),
                             (b"Origin", b"https://app.example.com")], PEER)
    assert refusal.refusal is not None
    assert refusal.response_lines.startswith(b"access-control-allow-origin: ")
