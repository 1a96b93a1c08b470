"""The event source emulation's pure parts: Lambda's SQS event, and what to keep after it."""

from __future__ import annotations

from typing import Any

from devstack.event_sources.poller import failed_ids, sqs_event

RECORDS: list[dict[str, Any]] = [
    {"MessageId": f"m{n}", "ReceiptHandle": f"r{n}", "Body": f'{{"n": {n}}}',
     "Attributes": {"MessageGroupId": "g", "ApproximateReceiveCount": "1"}}
    for n in range(3)
]


def test_sqs_event_has_lambdas_record_shape() -> None:
    """GIVEN received messages WHEN wrapped THEN each record has Lambda's SQS fields."""
    event = sqs_event(RECORDS, "arn:aws:sqs:us-east-1:123456789012:q.fifo", "us-east-1")

    first = event["Records"][0]
    assert [r["messageId"] for r in event["Records"]] == ["m0", "m1", "m2"]
    assert first["eventSource"] == "aws:sqs"
    assert first["eventSourceARN"].endswith(":q.fifo")
    assert first["attributes"]["MessageGroupId"] == "g"
    assert len(first["md5OfBody"]) == 32


def test_failed_ids_follow_the_partial_batch_response() -> None:
    """GIVEN function answers WHEN read as Lambda reads them THEN the right records are kept."""
    listed = {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    malformed = {"batchItemFailures": [{"itemIdentifier": "nope"}]}

    assert failed_ids(listed, RECORDS, reports_failures=True) == {"m1"}
    assert failed_ids({"batchItemFailures": []}, RECORDS, reports_failures=True) == set()
    assert failed_ids(None, RECORDS, reports_failures=True) == set()
    assert failed_ids(malformed, RECORDS, reports_failures=True) == {"m0", "m1", "m2"}
    assert failed_ids(listed, RECORDS, reports_failures=False) == set()
