from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client


@pytest.mark.django_db
def test_healthz_ok() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "keys": "ok", "tasks": "ok", "registrations": "ok"}


@pytest.mark.django_db
def test_healthz_reports_database_failure() -> None:
    with mock.patch("refugio.health.connection.cursor", side_effect=OperationalError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error", "database": "error", "keys": "ok", "tasks": "unknown", "registrations": "unknown"
    }
