"""GET /healthz: is the service up, and what is down?

``{"status", "database", "keys", "tasks", "registrations"}``. The database and the encryption keys are
essential: without either nothing can be read or stored, and the answer is 503 (``"status": "error"``). The
task worker is not: registration and casework go on without it, but e-mails and deadline sweeps wait, so a
queue it has not touched for ``TASKS_LATE_AFTER`` answers 200 with ``"status": "degraded"`` and ``"tasks":
"late"``. Public registrations are accepted without it too, and stored as households by it:
``"registrations"`` is "late" when one has waited that long, and "problem" when one could not be stored
(degraded too). No value ever carries personal data, a count or a message.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# The worker polls every second; a task ready this long ago means no worker is running.
TASKS_LATE_AFTER = dt.timedelta(minutes=5)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a 500
        logger.warning("health check: database unreachable")
        return "error"
    return "ok"


def _keys() -> str:
    from refugio.encryption import blind_index, decrypt, encrypt

    try:
        usable = decrypt(encrypt("healthz")) == "healthz" and bool(blind_index("healthz"))
    except Exception:  # a key that cannot be used: nothing can be stored
        usable = False
    if not usable:
        logger.error("health check: the encryption keys cannot be used")
    return "ok" if usable else "error"


def _tasks() -> str:
    from django_tasks_db.models import DBTaskResult, get_date_max

    late = timezone.now() - TASKS_LATE_AFTER
    try:
        waiting = (
            DBTaskResult.objects.ready()
            .filter(Q(run_after__lte=late) | Q(run_after=get_date_max(), enqueued_at__lte=late))
            .exists()
        )
    except Exception:
        logger.warning("health check: the task queue cannot be read")
        return "unknown"
    if waiting:
        logger.warning("health check: tasks are waiting; is `refugio manage task_worker` running?")
    return "late" if waiting else "ok"


def _registrations() -> str:
    from refugio.registration.selectors import storing_registrations

    try:
        state = storing_registrations(late_after=TASKS_LATE_AFTER)
    except Exception:
        logger.warning("health check: accepted registrations cannot be read")
        return "unknown"
    if state != "ok":
        logger.warning("health check: accepted registrations are not being stored (%s)", state)
    return state


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    keys = _keys()
    tasks = _tasks() if database == "ok" else "unknown"
    registrations = _registrations() if database == "ok" else "unknown"
    if database != "ok" or keys != "ok":
        status, code = "error", 503
    elif tasks != "ok" or registrations != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    answer = {"status": status, "database": database, "keys": keys, "tasks": tasks, "registrations": registrations}
    response = JsonResponse(answer, status=code)
    if code == 503:
        response["Retry-After"] = "30"
    return response
