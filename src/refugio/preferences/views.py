"""The page where a signed-in staff member chooses their language and time zone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.audit.request import actor_from_request
from refugio.core.errors import ValidationFailed
from refugio.preferences import selectors, services
from refugio.preferences.forms import PreferenceForm
from refugio.preferences.rendering import for_recipient, moment_text


@login_required
def preference_page(request: HttpRequest) -> HttpResponse:
    current = selectors.preference_of(request.user)
    initial = {"language": current.language, "time_zone": current.time_zone} if current.chosen else {}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preference(actor_from_request(request, "web"), **form.cleaned_data)
        except ValidationFailed as exc:
            for name, message in exc.fields.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, _("Saved: e-mails and notices now reach you in this language and time zone."))
            return redirect("preferences:page")
    with for_recipient(current):
        example = moment_text(timezone.now())
    return render(request, "preferences/page.html", {"form": form, "current": current, "example": example})
