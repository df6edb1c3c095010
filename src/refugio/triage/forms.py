"""The triage policy as a form: the policy's name and base priority, one row per tier and one per criterion.
Rows work without JavaScript: a blank row is ignored, "Remove" drops one, and "Add" buttons post the form
back with one more row. The pure module (triage/policy.py) still decides what a valid policy is; its problems
come back here as messages in the reader's language, on the field they name."""

from __future__ import annotations

import re
from typing import Any

import yaml
from django import forms
from django.forms.formsets import BaseFormSet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from refugio.people.vocabulary import Vulnerability
from refugio.triage import policy as pure
from refugio.triage.messages import TEMPLATES


class CriterionKind:
    """The four kinds of criterion, in words."""

    CHOICES = (
        ("vulnerability", gettext_lazy("Someone in the household has this vulnerability")),
        ("age_at_least", gettext_lazy("Someone is at least this old")),
        ("single_caregiver", gettext_lazy("One adult alone with young children")),
        ("waited", gettext_lazy("Time waited since registration")),
    )


def _number(value: float | None) -> int | float | None:
    """24.0 is written 24 in the policy."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


class PolicyHeaderForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the policy"), max_length=200, required=False)
    base_priority = forms.FloatField(
        label=gettext_lazy("Priority every household starts with"),
        required=False,
        help_text=gettext_lazy("The points of every criterion that applies are added to it."),
    )
    note = forms.CharField(label=gettext_lazy("What changed and why"), max_length=300, required=False)
    # The version this form was filled from (0: the default policy); saving over a newer one is refused.
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # The policy the preview was shown for: saving anything else shows the preview again first.
    previewed = forms.CharField(widget=forms.HiddenInput, required=False)


class TierForm(forms.Form):
    tier = forms.IntegerField(label=gettext_lazy("Tier"), required=False, min_value=1, max_value=9)
    min_priority = forms.FloatField(label=gettext_lazy("From priority"), required=False)


class CriterionForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Applies when"), required=False, choices=[("", "—"), *CriterionKind.CHOICES]
    )
    vulnerability = forms.ChoiceField(
        label=gettext_lazy("Vulnerability"), required=False, choices=[("", "—"), *Vulnerability.choices]
    )
    age = forms.IntegerField(label=gettext_lazy("Age (years)"), required=False, min_value=0, max_value=130)
    child_under = forms.IntegerField(
        label=gettext_lazy("Child younger than (years)"), required=False, min_value=1, max_value=18
    )
    per_days = forms.IntegerField(label=gettext_lazy("One step every (days)"), required=False, min_value=1)
    points = forms.FloatField(label=gettext_lazy("Points"), required=False)
    max_points = forms.FloatField(label=gettext_lazy("At most (points)"), required=False)
    tier_at_most = forms.IntegerField(
        label=gettext_lazy("Puts the household in this tier or a more urgent one"),
        required=False,
        min_value=1,
        max_value=9,
    )
    # The criterion's name in the policy and in the history of who moved; kept as it was, made for new rows.
    code = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)


class RowFormSet(BaseFormSet):
    """Every row may be left blank (and is then ignored), so "add a row" never makes the form invalid."""

    def initial_form_count(self) -> int:
        return 0


TierFormSet = forms.formset_factory(TierForm, formset=RowFormSet, extra=0, can_delete=True)
CriterionFormSet = forms.formset_factory(CriterionForm, formset=RowFormSet, extra=0, can_delete=True)
TIERS, CRITERIA = "tiers", "criteria"


class PolicyEditor:
    """The three parts of the editor, bound to a POST or filled from a policy."""

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        initial: dict[str, Any] | None = None,
        tiers: list[dict[str, Any]] | None = None,
        criteria: list[dict[str, Any]] | None = None,
    ) -> None:
        self.header = PolicyHeaderForm(data, initial=initial)
        self.tiers = TierFormSet(data, prefix=TIERS, initial=tiers)
        self.criteria = CriterionFormSet(data, prefix=CRITERIA, initial=criteria)
        if data is None:
            self.tiers.extra = len(tiers or [])
            self.criteria.extra = len(criteria or [])
        self._number_rows()
        self.text = ""
        self._tier_rows: list[int] = []
        self._criterion_rows: list[int] = []

    def _number_rows(self) -> None:
        """Labels that name their row: the error summary and screen readers tell the rows apart."""
        for rows, legend in ((self.tiers, _("tier row %(n)s")), (self.criteria, _("criterion %(n)s"))):
            for i, form in enumerate(rows.forms):
                form.legend = legend % {"n": i + 1}
                for name, field in form.fields.items():
                    if name == "DELETE":
                        field.label = _("Remove this row")
                    field.label = f"{field.label} ({form.legend})"

    @classmethod
    def from_policy(cls, policy: pure.Policy, *, based_on: int) -> PolicyEditor:
        tiers = [{"tier": t, "min_priority": _number(m)} for t, m in sorted(policy.tiers)]
        criteria = []
        for c in policy.criteria:
            row: dict[str, Any] = {"code": c.code, "kind": c.kind, "points": _number(c.points)}
            if c.kind == "vulnerability":
                row["vulnerability"] = c.vulnerability
            elif c.kind == "age_at_least":
                row["age"] = c.age
            elif c.kind == "single_caregiver":
                row["child_under"] = c.child_under
            else:
                row.update(per_days=c.per_days, max_points=_number(c.max_points))
            if c.tier_at_most is not None:
                row["tier_at_most"] = c.tier_at_most
            criteria.append(row)
        initial = {"name": policy.name, "base_priority": _number(policy.base_priority), "based_on": based_on}
        return cls(initial=initial, tiers=tiers, criteria=criteria)

    def with_row_added(self, which: str) -> PolicyEditor:
        """The same answers, unbound (no errors shown yet), with one more blank row of tiers or criteria."""

        def values(form: forms.Form) -> dict[str, Any]:
            return {name: form[name].value() for name in form.fields if name != "DELETE"}

        tiers = [values(f) for f in self.tiers.forms if not _removed(f)]
        criteria = [values(f) for f in self.criteria.forms if not _removed(f)]
        (tiers if which == TIERS else criteria).append({})
        return PolicyEditor(initial=values(self.header), tiers=tiers, criteria=criteria)

    @property
    def forms(self) -> list[forms.Form]:
        return [self.header, *self.tiers.forms, *self.criteria.forms]

    def is_valid(self) -> bool:
        """The forms' own checks, then the policy module's; on success `text` is the policy (YAML)."""
        valid = self.header.is_valid() & self.tiers.is_valid() & self.criteria.is_valid()
        if not valid:
            return False
        self.text = self._policy_text()
        try:
            pure.parse_policy(self.text)
        except pure.PolicyError as exc:
            self._add_problems(exc)
            return False
        return True

    def _kept(self, rows: BaseFormSet) -> list[tuple[int, dict[str, Any]]]:
        return [
            (i, form.cleaned_data)
            for i, form in enumerate(rows.forms)
            if form.has_changed()
            and not _removed(form)
            and any(v not in (None, "") for v in form.cleaned_data.values())
        ]

    def _policy_text(self) -> str:
        head = self.header.cleaned_data
        tiers = self._kept(self.tiers)
        criteria = self._kept(self.criteria)
        self._tier_rows = [i for i, _row in tiers]
        self._criterion_rows = [i for i, _row in criteria]
        used: set[str] = {str(row.get("code") or "") for _i, row in criteria}
        lines = [
            _dump({"name": (head.get("name") or "").strip()}),
            _dump({"base_priority": _number(head.get("base_priority"))}),
            "tiers:",
        ]
        lines += [
            "  - " + _flow({"tier": row.get("tier"), "min_priority": _number(row.get("min_priority"))})
            for _i, row in tiers
        ]
        lines.append("criteria:")
        for _i, row in criteria:
            kind = row.get("kind") or None
            code = row.get("code") or _new_code(kind, row.get("vulnerability"), used)
            item: dict[str, Any] = {"code": code, "kind": kind}
            if kind == "vulnerability":
                item["vulnerability"] = row.get("vulnerability") or None
            elif kind == "age_at_least":
                item["age"] = row.get("age")
            elif kind == "single_caregiver":
                item["child_under"] = row.get("child_under")
            elif kind == "waited":
                item.update(per_days=row.get("per_days"), max_points=_number(row.get("max_points")))
            item["points"] = _number(row.get("points"))
            if row.get("tier_at_most") is not None:
                item["tier_at_most"] = row["tier_at_most"]
            lines.append("  - " + _flow(item))
        if not criteria:
            lines[-1] = "criteria: []"
        return "\n".join(lines) + "\n"

    def _add_problems(self, error: pure.PolicyError) -> None:
        """Each problem of the policy module on the field it names, in the reader's language."""
        for where, template, params in error.problems:
            message = _problem_message(where, template, params)
            found = re.fullmatch(r"(tiers|criteria)\[(\d+)\](?:\.(\w+))?", where)
            if found:
                rows, kept = (
                    (self.tiers, self._tier_rows) if found[1] == TIERS else (self.criteria, self._criterion_rows)
                )
                form = rows.forms[kept[int(found[2])]]
                field = found[3]
                form.add_error(field if field in form.fields and field != "code" else None, message)
            elif where in ("name", "base_priority"):
                self.header.add_error(where, message)
            else:
                self.header.add_error(None, message)


def _filled(values: dict[str, Any]) -> bool:
    return any(v not in (None, "") for v in values.values())


def _removed(form: forms.Form) -> bool:
    return bool(form.is_bound and form["DELETE"].value() not in (False, None, "", "off"))


def _problem_message(where: str, template: str, params: dict[str, Any]) -> str:
    if template == pure.DUPLICATE and where == TIERS:
        return _("Two rows have the same tier.")
    if template == pure.DUPLICATE:
        return _("This criterion is in the policy twice.")
    if template == pure.NEEDS_LOWEST_TIER:
        return _("One tier must start at the priority every household starts with (%(base)s).") % {
            "base": f"{params['base']:g}"
        }
    if where == TIERS and template == pure.REQUIRED:
        return _("The policy needs at least one tier.")
    if template == pure.ONE_OF:
        return _("Choose one.")
    return _(TEMPLATES.get(template, template)) % params


def _new_code(kind: str | None, vulnerability: str | None, used: set[str]) -> str:
    base = str(vulnerability or kind or "criterion")
    code, n = base, 2
    while code in used:
        code, n = f"{base}_{n}", n + 1
    used.add(code)
    return code


def _dump(mapping: dict[str, Any]) -> str:
    return yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=10**6).strip()


def _flow(mapping: dict[str, Any]) -> str:
    return yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=10**6, default_flow_style=True).strip()
