"""The shared secret: read from the environment, checked in constant time, refused as 401."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers

from common.config import SettingsError
from common.errors import AccessDeniedError
from common.shared_secret import proves_secret, require_secret, shared_secret


def test_proves_secret_admits_only_the_exact_value() -> None:
    """GIVEN the secret ``s3cret`` WHEN headers carry it, another value, an empty one or none.

    THEN only the exact value proves it, whatever the header's case (Starlette's headers).
    """
    def given(value: str | None) -> bool:
        return proves_secret(Headers({} if value is None else {"X-Action-Secret": value}),
                             "s3cret")

    assert [given("s3cret"), given("s3cret "), given("nope"), given(""), given(None)] == [
        True, False, False, False, False]
    assert not proves_secret({"x-action-secret": ""}, "")


def test_require_secret_refuses_with_401_access_denied() -> None:
    """GIVEN a wrong secret WHEN required THEN AccessDeniedError, answered 401 access-denied."""
    with pytest.raises(AccessDeniedError) as caught:
        require_secret({"x-action-secret": "nope"}, "s3cret")
    assert caught.value.status == 401
    assert caught.value.to_json()["extensions"]["code"] == "access-denied"
    require_secret({"x-action-secret": "s3cret"}, "s3cret")


def test_shared_secret_reads_the_setting_and_names_it_when_missing() -> None:
    """GIVEN ACTION_SHARED_SECRET WHEN read THEN it, never printed.

    WHEN unset THEN an error naming it.
    """
    secret = shared_secret({"ACTION_SHARED_SECRET": "s3cret"})
    assert secret.reveal() == "s3cret"
    assert "s3cret" not in repr(secret)
    with pytest.raises(SettingsError, match="ACTION_SHARED_SECRET"):
        shared_secret({})
