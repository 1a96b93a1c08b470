"""The timeline's pure core: entry TTLs, keys and pages (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from timeline.feed import TimelinePage, _page, entry_key, entry_ttl_ms
from timeline.posts import PAGE_SIZE, Post

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def post(n: int, expires_in: timedelta) -> Post:
    created = NOW - timedelta(minutes=n)
    return Post(f"p{n}", "u1", f"post {n}", "one_hour", created.isoformat(),
                (NOW + expires_in).isoformat())


def test_entry_ttl_is_bounded_by_the_earliest_expiry() -> None:
    """Entry ttl is bounded by the earliest expiry.

    GIVEN posts expiring in 1 h, 2.5 s and 1 day WHEN the entry's TTL is chosen with a
    60 s maximum THEN it is 2.5 s: the entry never outlives a post it holds.
    """
    posts = [post(1, timedelta(hours=1)), post(2, timedelta(seconds=2.5)),
             post(3, timedelta(days=1))]

    assert entry_ttl_ms(posts, NOW, 60_000) == 2_500


def test_entry_ttl_is_the_maximum_when_posts_live_longer() -> None:
    """GIVEN posts living hours more, or no posts WHEN the TTL is chosen THEN the maximum."""
    assert entry_ttl_ms([post(1, timedelta(hours=5))], NOW, 60_000) == 60_000
    assert entry_ttl_ms([], NOW, 60_000) == 60_000


def test_entry_ttl_is_not_positive_for_an_expired_post() -> None:
    """Entry ttl is not positive for an expired post.

    GIVEN a post that expired a second ago (read just before it did) WHEN the TTL is
    chosen THEN it is not positive, so the entry is not stored at all.
    """
    assert entry_ttl_ms([post(1, timedelta(seconds=-1))], NOW, 60_000) <= 0


def test_entry_key_names_the_generation_and_the_cursor_in_utc() -> None:
    """Entry key names the generation and the cursor in utc.

    GIVEN the same instant in two zones WHEN keys are made THEN they are equal; the head
    and a page, or two generations, never share a key.
    """
    paris = NOW.astimezone(timezone(timedelta(hours=1)))

    assert entry_key("g1", NOW) == entry_key("g1", paris)
    assert entry_key("g1", NOW) == "timeline:page:g1:2026-12-03T12:00:00+00:00"
    assert entry_key("g1", None) == "timeline:head:g1"
    assert entry_key("g2", None) != entry_key("g1", None)


def test_page_cursor_points_past_the_last_post_shown() -> None:
    """Page cursor points past the last post shown.

    GIVEN an entry of 5 posts WHEN 2 are asked THEN the cursor is the 2nd post's time; when
    all are shown and the entry is not full THEN there is no next page.
    """
    posts = [post(n, timedelta(hours=1)) for n in range(1, 6)]
    two = _page(posts, 2, cached=True)
    everything = _page(posts, 20, cached=False)

    assert [p.id for p in two.posts] == ["p1", "p2"]
    assert two.next_before == posts[1].created_at
    assert everything.next_before is None
    assert TimelinePage(posts[:1], True, None).as_json()["posts"][0]["id"] == "p1"
    assert len(_page([post(n, timedelta(hours=1)) for n in range(PAGE_SIZE)], PAGE_SIZE,
                     cached=False).posts) == PAGE_SIZE
