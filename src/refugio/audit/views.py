from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from refugio.audit.selectors import visible_audit_events


@login_required
def events(request: HttpRequest) -> HttpResponse:
    page = Paginator(visible_audit_events(request.user), 100).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {"page": page})
