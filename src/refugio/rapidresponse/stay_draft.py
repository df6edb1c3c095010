"""A draft motion for a stay of removal, as a Word document (python-docx), from what the disclosure layer
returned for its reader (surfaces.STAY_DOCUMENT). Facts Refugio does not hold (the removal order, the grounds
not yet written) are left as bracketed blanks for the attorney to fill in."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _
from docx import Document

BLANK = "[…]"


def _date(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value or BLANK)


def build(shown: dict[str, Any]) -> bytes:
    doc = Document()
    doc.add_heading(_("Motion for a stay of removal (draft)"), level=1)
    doc.add_paragraph(_("Immigration court: %(court)s") % {"court": shown["court"] or BLANK})
    doc.add_paragraph(_("Refugio case: %(code)s") % {"code": shown["registration_code"]})
    doc.add_paragraph(
        _("Respondent: %(name)s, A-number %(a_number)s")
        % {"name": shown["subject_name"] or BLANK, "a_number": shown["subject_a_number"] or BLANK}
    )
    doc.add_paragraph(
        _("Held at: %(facility)s, %(city)s") % {"facility": shown["facility"] or BLANK, "city": shown["city"] or BLANK}
    )

    doc.add_heading(_("Parties"), level=2)
    table = doc.add_table(rows=1, cols=5)
    for cell, title in zip(
        table.rows[0].cells,
        (_("Name"), _("A-number"), _("Date of birth"), _("Nationality"), _("Relationship")),
        strict=True,
    ):
        cell.text = title
    for party in shown["parties"]:
        row = table.add_row().cells
        for cell, value in zip(
            row,
            (party["name"], party["a_number"], party["date_of_birth"], party["nationality"], party["relationship"]),
            strict=True,
        ):
            cell.text = str(value or "—")

    doc.add_heading(_("Hearings"), level=2)
    for hearing in shown["hearings"]:
        doc.add_paragraph(f"{_date(hearing['date'])} · {hearing['court']} · {hearing['kind']}", style="List Bullet")
    if not shown["hearings"]:
        doc.add_paragraph(_("No hearing recorded."))

    doc.add_heading(_("Representation"), level=2)
    for rep in shown["representation"]:
        doc.add_paragraph(
            _("%(name)s (%(kind)s); G-28 filed on %(g28)s; EOIR-28 filed on %(eoir28)s")
            % {
                "name": rep["name"],
                "kind": rep["kind"],
                "g28": _date(rep["g28_filed_on"]),
                "eoir28": _date(rep["eoir28_filed_on"]),
            },
            style="List Bullet",
        )
    if not shown["representation"]:
        doc.add_paragraph(_("No accepted representation recorded."))

    doc.add_heading(_("Removal order"), level=2)
    doc.add_paragraph(_("Date and type of the removal order, if any: %(blank)s") % {"blank": BLANK})

    doc.add_heading(_("Grounds for the stay"), level=2)
    doc.add_paragraph(shown["grounds"] or _("[Write the grounds: likelihood of success, irreparable harm, …]"))

    doc.add_paragraph("")
    doc.add_paragraph(_("Drafted on %(date)s. Check every fact before filing.") % {"date": _date(shown["today"])})
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
