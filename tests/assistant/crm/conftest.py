"""The fake CRM on loopback, with the test's settings pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.config import Settings
from tests.utils.fake_crm import FakeCRM, running_fake_crm


@pytest.fixture
def crm(settings: Settings) -> Iterator[FakeCRM]:
    with running_fake_crm() as fake:
        fake.point(settings)
        yield fake
