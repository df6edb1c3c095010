"""The stay request's document as a download, through the disclosure layer (authorized, audited)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from refugio.audit.services import Actor
from refugio.disclosure import disclose_one
from refugio.rapidresponse import stay_draft
from refugio.rapidresponse.surfaces import STAY_DOCUMENT

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def stay_document_response(actor: Actor, stay_id: Any) -> HttpResponse:  # noqa: ANN401
    shown = disclose_one(actor, STAY_DOCUMENT, stay_id)
    response = HttpResponse(stay_draft.build(shown), content_type=DOCX)
    # The file name names no one: the request's short id.
    response["Content-Disposition"] = f'attachment; filename="stay-request-{str(shown["id"])[:8]}.docx"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
