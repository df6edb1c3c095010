"""The disclosure function and the declarations it works from.

A `Kind` is a kind of object that carries personal data (household, person, hearing, escalation…):
its vocabulary of personal fields (written once, each with the one function that reads it), the
non-personal values that may always accompany it (ids, versions, labels of codes), the organisation it
belongs to for the audit, and the one selector that says which of them a user may see.

A `Surface` is one place that shows such objects (a page, an endpoint, an export, a feed): which kind,
which of its personal fields, and optionally nested objects (a household's members). Surfaces are
declared once at import time, by name, so tests can walk all of them.

`disclose_one` / `disclose_many` authorize (the invisible is `NotFound`, whether it exists or not),
record one READ event per object naming exactly the fields returned, and return the projection: plain
dicts holding only those fields. Views render projections, never model instances with personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet

from refugio.accounts.rules import Verb
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import NotFound

User = AbstractBaseUser | AnonymousUser
Projection = dict[str, Any]
Reader = Callable[[Any], Any]


@dataclass(frozen=True)
class Kind:
    name: str  # the audit's object_type
    fields: Mapping[str, Reader]  # personal fields: name -> how to read it from the object
    visible: Callable[[User, Verb], QuerySet[Any]]  # what this user may see (READ) or change
    organisation_of: Callable[[Any], int | None]
    envelope: Mapping[str, Reader] = field(default_factory=dict)  # never personal: ids, versions
    labels: Mapping[str, Reader] = field(default_factory=dict)  # words for a field's codes, shown with it
    # Fields this particular object keeps back even where a surface names them (e.g. person fields the
    # sender of an escalation chose not to share): neither returned nor audited.
    withheld: Callable[[Any], frozenset[str]] | None = None

    def shown(self, obj: Any, names: Sequence[str]) -> tuple[str, ...]:  # noqa: ANN401
        if self.withheld is None:
            return tuple(names)
        kept_back = self.withheld(obj)
        return tuple(n for n in names if n not in kept_back)

    def project(self, obj: Any, names: Sequence[str]) -> Projection:  # noqa: ANN401
        out = {name: read(obj) for name, read in self.envelope.items()}
        for name in names:
            out[name] = self.fields[name](obj)
            if name in self.labels:
                out[f"{name}_label"] = self.labels[name](obj)
        return out


@dataclass(frozen=True)
class Nested:
    """Objects shown inside another: `children(obj)` gives them, shown through `surface`."""

    children: Callable[[Any], Iterable[Any]]
    surface: Surface


@dataclass(frozen=True)
class Surface:
    name: str
    kind: Kind
    fields: tuple[str, ...]
    verb: Verb = Verb.READ
    nested: Mapping[str, Nested] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = [f for f in self.fields if f not in self.kind.fields]
        if unknown:
            raise ValueError(f"surface {self.name}: {self.kind.name} has no personal field {unknown}")
        if self.name in _SURFACES and _SURFACES[self.name] != self:
            raise ValueError(f"surface {self.name} is declared twice")
        _SURFACES[self.name] = self

    def all_fields(self) -> dict[str, tuple[str, ...]]:
        """Every kind this surface shows, with its fields: what a response may carry."""
        out = {self.kind.name: self.fields}
        for nested in self.nested.values():
            out.update(nested.surface.all_fields())
        return out


_KINDS: dict[str, Kind] = {}
_SURFACES: dict[str, Surface] = {}


def register_kind(kind: Kind) -> Kind:
    """Declare a kind once: two kinds of one name would mix their objects in the audit."""
    if _KINDS.get(kind.name, kind) is not kind:
        raise ValueError(f"kind {kind.name} is declared twice")
    _KINDS[kind.name] = kind
    return kind


def authorize(user: User, kind: Kind, pk: Any, *, verb: Verb = Verb.READ) -> Any:  # noqa: ANN401
    """The object if the user may `verb` it; NotFound otherwise (also for a malformed id)."""
    try:
        return kind.visible(user, verb).get(pk=pk)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


def disclose_one(actor: Actor, surface: Surface, pk: Any) -> Projection:  # noqa: ANN401
    """Authorize, audit and project one object of the surface's kind, found by primary key."""
    obj = authorize(actor.user or AnonymousUser(), surface.kind, pk, verb=surface.verb)
    return _disclose(actor, surface, [obj])[0]


def disclose_many(actor: Actor, surface: Surface, objects: Iterable[Any]) -> list[Projection]:
    """Authorize, audit and project objects a selector found (a page of a search, a list).

    The visibility rule is applied again here, so a selector that forgot it cannot leak: objects the
    viewer may not see are left out (and not audited)."""
    objects = list(objects)
    if not objects:
        return []
    allowed = set(
        surface.kind.visible(actor.user or AnonymousUser(), surface.verb)
        .filter(pk__in=[o.pk for o in objects])
        .values_list("pk", flat=True)
    )
    return _disclose(actor, surface, [o for o in objects if o.pk in allowed])


def _disclose(actor: Actor, surface: Surface, objects: list[Any]) -> list[Projection]:
    touches: list[Touch] = []
    projections = [_project(surface, obj, touches) for obj in objects]
    record(actor, action=Action.READ, touches=touches)
    return projections


def _project(surface: Surface, obj: Any, touches: list[Touch]) -> Projection:  # noqa: ANN401
    kind = surface.kind
    names = kind.shown(obj, surface.fields)
    if names:
        touches.append(Touch(kind.name, str(obj.pk), kind.organisation_of(obj), names))
    out = kind.project(obj, names)
    for name, nested in surface.nested.items():
        out[name] = [_project(nested.surface, child, touches) for child in nested.children(obj)]
    return out
