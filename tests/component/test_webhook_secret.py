"""The webhook secret is all that keeps forged updates out: a guessable one is refused."""

import pytest
from pydantic import ValidationError

from bot.settings import WebhookSettings


@pytest.mark.parametrize(
    "secret",
    ["x", "short-secret-15", "has a space_0123456789", "ümlaut_0123456789ab", "a" * 257],
)
def test_a_webhook_secret_shorter_than_16_or_outside_telegrams_characters_is_refused(
    secret: str,
) -> None:
    with pytest.raises(ValidationError, match="16-256 characters"):
        WebhookSettings(secret=secret)


@pytest.mark.parametrize("secret", ["sixteen-chars_16", "A" * 256, "test-secret_0123456789"])
def test_a_webhook_secret_of_16_to_256_allowed_characters_is_taken(secret: str) -> None:
    settings = WebhookSettings(secret=secret)
    assert settings.secret is not None and settings.secret.get_secret_value() == secret
