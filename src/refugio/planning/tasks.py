"""Plans run in the background (django-tasks, database backend): a big plan takes a minute or two."""

from __future__ import annotations

from django_tasks import task

from refugio.planning import services


@task()
def compute_plan_task(plan_id: int) -> str:
    return services.compute_plan(plan_id).status
