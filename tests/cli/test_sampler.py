"""The audit's regex sampler."""

from __future__ import annotations

import re

import pytest

from flask_cors_bp.cli import regex_samples


@pytest.mark.parametrize(("pattern", "sample"), [
    (r"https://.*\.example\.com", "https://a.example.com"),
    (r"^https://(www\.)?example\.com$", "https://www.example.com"),
    (r"https?://app\.example\.com", "https://app.example.com"),
    (r"http://localhost:\d+", "http://localhost:1"),
    (r"https://[a-z0-9-]+\.example\.com", "https://a.example.com"),
    (r"(?i)https://(?:app|admin)\.example\.com", "https://app.example.com"),
    (r"https://.*.example.com", "https://a.example.com"),
])
def test_regex_samples(pattern: str, sample: str) -> None:
    samples = regex_samples(pattern)
    assert sample in samples
    assert all(re.fullmatch(pattern, s) for s in samples)


def test_regex_samples_per_alternative() -> None:
    assert regex_samples(r"https://a\.com|https://b\.com") == ["https://a.com", "https://b.com"]
    assert regex_samples(r"https://(?=x)") == []
