"""Seed 004's permissions: expiry, preset authors, conversations for two.

Expired posts are invisible to every role, authors come from the session, and a
conversation is visible to its two participants only.

Runs against the seeded project (``hasura`` fixture): Alice and Bob share a conversation,
Carol is the third user, and post ...006 expired two days ago (not yet swept).
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest

from tests.hasura.conftest import HasuraTarget
from tests.hasura.test_permissions import ALICE, BOB, CAROL, _graphql

EXPIRED_POST = "0d6f0a52-1b1e-4b7e-9a10-000000000006"
LIVE_POST = "0d6f0a52-1b1e-4b7e-9a10-000000000001"
CONVERSATION = "2f8b2c74-3d3a-4d9a-9c32-000000000001"
POSTS = "{ posts(order_by: {created_at: desc}) { id } }"


def _ids(body: dict[str, Any], root: str) -> list[str]:
    assert "errors" not in body, body
    return [row["id"] for row in body["data"][root]]


@pytest.mark.parametrize(("role", "user_id"), [(None, None), ("user", ALICE), ("user", CAROL)])
def test_timeline_permissions_expired_posts_are_invisible_before_the_sweep(
    hasura: HasuraTarget, role: str | None, user_id: str | None
) -> None:
    """GIVEN a seeded post that expired two days ago and was never swept.

    WHEN anonymous or a user (its author Carol included) reads posts, by id, or its replies
    THEN the live posts come back and the expired one never does.
    """
    listed = _ids(_graphql(hasura, POSTS, role=role, user_id=user_id), "posts")
    by_id = _graphql(hasura, "query($id: uuid!) { posts(where: {id: {_eq: $id}}) { id } }",
                     {"id": EXPIRED_POST}, role=role, user_id=user_id)

    assert LIVE_POST in listed
    assert EXPIRED_POST not in listed
    assert _ids(by_id, "posts") == []


def test_timeline_permissions_expiry_is_checked_at_each_request(hasura: HasuraTarget) -> None:
    """GIVEN a post (written as admin, back-dated) that expires two seconds from now.

    WHEN the same query runs before and after that moment (one prepared statement)
    THEN the post is listed, then no longer: now() in the permission is today's, not the
    time the statement was first prepared.
    """
    if hasura.database_url is None:
        pytest.skip("needs the test's own database to back-date a post")
    with psycopg.connect(hasura.database_url) as conn:
        row = conn.execute(
            "INSERT INTO posts (author_id, text, lifetime, created_at) VALUES "
            "(%s, 'about to expire', 'one_hour', now() - interval '1 hour' + interval '2 s') "
            "RETURNING id::text", (BOB,)).fetchone()
    assert row is not None
    query = "query($id: uuid!) { posts(where: {id: {_eq: $id}}) { id } }"
    before = _ids(_graphql(hasura, query, {"id": row[0]}), "posts")
    time.sleep(2.2)
    after = _ids(_graphql(hasura, query, {"id": row[0]}), "posts")

    assert before == [row[0]]
    assert after == []


def test_timeline_permissions_user_posts_with_preset_author_and_fixed_lifetime(
    hasura: HasuraTarget,
) -> None:
    """Timeline permissions user posts with preset author and fixed lifetime.

    GIVEN Alice WHEN she posts with lifetime one_week THEN the author is her (from the
    session) and expires_at is created_at plus seven days; an author_id of her own choosing,
    an expires_at, or text past 280 characters is refused.
    """
    insert = ("mutation($o: posts_insert_input!) { insert_posts_one(object: $o) "
              "{ id author_id created_at expires_at } }")
    body = _graphql(hasura, insert, {"o": {"text": "hello for a week", "lifetime": "one_week"}},
                    role="user", user_id=ALICE)
    forged = _graphql(hasura, insert, {"o": {"text": "x", "author_id": BOB}},
                      role="user", user_id=ALICE)
    chosen_expiry = _graphql(hasura, insert, {"o": {"text": "x", "expires_at": "2100-01-01"}},
                             role="user", user_id=ALICE)
    too_long = _graphql(hasura, insert, {"o": {"text": "x" * 281}}, role="user", user_id=ALICE)

    assert "errors" not in body, body
    post = body["data"]["insert_posts_one"]
    assert post["author_id"] == ALICE
    with psycopg.connect(hasura.database_url or "") as conn:
        lived = conn.execute("SELECT expires_at - created_at FROM posts WHERE id = %s",
                             (post["id"],)).fetchone()
    assert lived is not None
    assert lived[0].days == 7
    assert "errors" in forged
    assert "errors" in chosen_expiry
    assert too_long["errors"][0]["extensions"]["code"] == "constraint-violation"


def test_timeline_permissions_a_third_user_never_sees_a_conversation(
    hasura: HasuraTarget,
) -> None:
    """Timeline permissions a third user never sees a conversation.

    GIVEN Alice and Bob's conversation WHEN Carol reads conversations and messages, or
    writes into it THEN she sees nothing and her message is refused; Bob sees both messages.
    """
    query = "{ conversations { id } messages { id } }"
    carol = _graphql(hasura, query, role="user", user_id=CAROL)
    bob = _graphql(hasura, query, role="user", user_id=BOB)
    intrusion = _graphql(
        hasura, "mutation($c: uuid!) { insert_messages_one(object: "
                "{conversation_id: $c, text: \"let me in\"}) { id } }",
        {"c": CONVERSATION}, role="user", user_id=CAROL)
    anonymous = _graphql(hasura, "{ messages { id } }")

    assert carol["data"] == {"conversations": [], "messages": []}
    assert _ids(bob, "conversations") == [CONVERSATION]
    assert len(bob["data"]["messages"]) == 2
    assert intrusion["errors"][0]["extensions"]["code"] == "permission-error"
    assert "errors" in anonymous  # no messages field for anonymous at all
