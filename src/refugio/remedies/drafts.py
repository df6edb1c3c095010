"""The draft of a motion to reopen an in-absentia removal order, as a Word document (python-docx).

No Django import: the caller passes the facts it disclosed (and the evidence checklist already in
words); the draft is in English, the language of the immigration court. What only the attorney can
write is left as bracketed placeholders, in bold, so nothing is filed half-done by mistake."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

GROUND_TEXT = {
    "exceptional_circumstances": (
        "The Respondent's failure to appear was because of exceptional circumstances beyond the Respondent's "
        "control, within the meaning of INA §240(e)(1), and this motion is filed within 180 days of the order "
        "(INA §240(b)(5)(C)(i); 8 C.F.R. §1003.23(b)(4)(ii))."
    ),
    "lack_of_notice": (
        "The Respondent did not receive notice of the hearing in accordance with INA §239(a)(1) or (2). A motion "
        "on this ground may be filed at any time (INA §240(b)(5)(C)(ii); 8 C.F.R. §1003.23(b)(4)(ii))."
    ),
    "in_custody": (
        "The Respondent was in federal or state custody at the time of the hearing and the failure to appear was "
        "through no fault of the Respondent. A motion on this ground may be filed at any time "
        "(INA §240(b)(5)(C)(ii); 8 C.F.R. §1003.23(b)(4)(ii))."
    ),
}
GROUND_TITLE = {
    "exceptional_circumstances": "exceptional circumstances",
    "lack_of_notice": "lack of notice",
    "in_custody": "federal or state custody",
}


@dataclass(frozen=True)
class Hearing:
    date: dt.date
    court: str
    kind: str


@dataclass(frozen=True)
class MotionFacts:
    respondent_name: str
    a_number: str
    court_name: str
    order_date: dt.date
    reason: str  # exceptional_circumstances, lack_of_notice, in_custody (or "" when not recorded)
    deadline_due: dt.date | None
    deadline_explanation: str
    representative: str = ""  # the accepted representative, if any
    representative_kind: str = ""
    hearings: Sequence[Hearing] = field(default_factory=tuple)
    evidence: Sequence[str] = field(default_factory=tuple)
    mpp: str = ""  # the MPP case status in words, if any
    prepared_on: dt.date | None = None


def placeholder(text: str) -> str:
    return f"[{text}]"


def _long(day: dt.date | None) -> str:
    return day.strftime("%B %d, %Y").replace(" 0", " ") if day else ""


def motion_docx(facts: MotionFacts) -> bytes:
    """The draft motion, with the stored facts filled in and the evidence checklist at the end."""
    doc = Document()
    _bold_line(doc, "UNITED STATES DEPARTMENT OF JUSTICE", center=True)
    _bold_line(doc, "EXECUTIVE OFFICE FOR IMMIGRATION REVIEW", center=True)
    _bold_line(doc, f"IMMIGRATION COURT — {facts.court_name.upper()}", center=True)
    doc.add_paragraph()
    caption = doc.add_table(rows=3, cols=2)
    caption.style = "Table Grid"
    caption.cell(0, 0).text = "In the Matter of:"
    caption.cell(0, 1).text = facts.respondent_name or placeholder("RESPONDENT'S FULL NAME")
    caption.cell(1, 0).text = "A-Number:"
    caption.cell(1, 1).text = facts.a_number or placeholder("A-NUMBER")
    caption.cell(2, 0).text = "In removal proceedings"
    caption.cell(2, 1).text = f"Order of removal entered in absentia on {_long(facts.order_date)}"
    doc.add_paragraph()
    ground = GROUND_TITLE.get(facts.reason, placeholder("GROUND"))
    doc.add_heading(f"RESPONDENT'S MOTION TO REOPEN AND RESCIND IN ABSENTIA ORDER ({ground.upper()})", level=1)
    doc.add_heading("AND AUTOMATIC STAY OF REMOVAL", level=2)

    doc.add_paragraph(
        f"The Respondent, {facts.respondent_name or placeholder('NAME')}, through "
        + (f"counsel, {facts.representative}," if facts.representative else placeholder("COUNSEL OR PRO SE"))
        + " respectfully moves the Immigration Court to reopen these proceedings and rescind the order of removal "
        f"entered in absentia on {_long(facts.order_date)}."
    )
    doc.add_heading("Deadline", level=2)
    if facts.deadline_due is not None:
        doc.add_paragraph(f"This motion must be filed on or before {_long(facts.deadline_due)}.")
    doc.add_paragraph(facts.deadline_explanation)
    doc.add_paragraph(
        "Under INA §240(b)(5)(C), the filing of this motion stays the removal of the Respondent pending its "
        "disposition by the Immigration Judge."
    )

    doc.add_heading("Statement of facts", level=2)
    doc.add_paragraph(f"1. The Respondent's order of removal was entered in absentia on {_long(facts.order_date)}.")
    if facts.mpp:
        doc.add_paragraph(f"2. The Respondent was placed in the Migrant Protection Protocols (MPP): {facts.mpp}.")
    if facts.hearings:
        doc.add_paragraph("Hearings on record:")
        for hearing in facts.hearings:
            doc.add_paragraph(f"{_long(hearing.date)} — {hearing.kind}, {hearing.court}", style="List Bullet")
    _bold_line(doc, placeholder("ATTORNEY: the facts of the failure to appear, in the Respondent's own account"))

    doc.add_heading("Argument", level=2)
    doc.add_paragraph(GROUND_TEXT.get(facts.reason, placeholder("GROUND FOR REOPENING AND ITS AUTHORITY")))
    _bold_line(doc, placeholder("ATTORNEY: the argument applying the law to these facts, with citations"))
    _bold_line(doc, placeholder("ATTORNEY: relief sought once reopened (asylum, withholding, CAT) and prima facie"))

    doc.add_heading("Conclusion", level=2)
    doc.add_paragraph(
        "For these reasons, the Respondent asks the Court to reopen the proceedings, rescind the in absentia "
        "order of removal and set the case for a new hearing."
    )
    doc.add_paragraph()
    doc.add_paragraph(f"Respectfully submitted, {facts.representative or placeholder('NAME OF COUNSEL OR RESPONDENT')}")
    if facts.representative_kind:
        doc.add_paragraph(facts.representative_kind)
    _bold_line(doc, placeholder("SIGNATURE, EOIR ID, ADDRESS, DATE"))
    doc.add_paragraph()
    doc.add_heading("Certificate of service", level=2)
    _bold_line(
        doc, placeholder("ATTORNEY: served on DHS / ICE Office of the Principal Legal Advisor on DATE, by MEANS")
    )

    doc.add_page_break()
    doc.add_heading("Evidence checklist (remove before filing)", level=1)
    for item in facts.evidence:
        doc.add_paragraph(f"☐ {item}")
    doc.add_paragraph("☐ Proposed order for the Immigration Judge")
    doc.add_paragraph(
        "☐ EOIR-28 (notice of appearance), if represented; fee receipt or fee waiver request, where a fee applies"
    )
    if facts.prepared_on:
        doc.add_paragraph(f"Draft prepared on {facts.prepared_on.isoformat()}.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _bold_line(doc: Any, text: str, *, center: bool = False) -> None:  # noqa: ANN401
    paragraph = doc.add_paragraph()
    paragraph.add_run(text).bold = True
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
