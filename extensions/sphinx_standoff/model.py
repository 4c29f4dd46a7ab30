"""The data model: what a source's provenance and an annotation file may contain.

One pydantic model serves three purposes: it validates what editors write, it generates the JSON Schema that
editors' tools use to complete and check annotation files (``standoff-schema``), and it documents the format.
Anchoring to the text (where a selector lands) is not the model's business: see ``anchoring``.
"""

from __future__ import annotations

import datetime
import functools
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
ORCID_PATTERN = r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"

#: the largest body accepted (characters); a longer one is refused, not truncated
MAX_BODY = 20_000

Identifier = Annotated[str, Field(pattern=ID_PATTERN, max_length=120)]
SourceId = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        max_length=120,
        description="The id of a source in the edition (the `id` in the front matter of its transcription).",
    ),
]
Body = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_BODY,
        description=(
            "MyST Markdown. Ordinary Markdown and the citation roles ({cite:p}`key`, {cite:t}`key`); "
            "no raw HTML, no directives; links only http(s), mailto or internal."
        ),
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Selector(_Strict):
    """A passage of a source, chosen by quotation (W3C Web Annotation ``TextQuoteSelector``)."""

    source: SourceId
    exact: Annotated[
        str,
        Field(min_length=1, max_length=2000, description="The words of the passage, as the source has them."),
    ]
    prefix: Annotated[
        str | None,
        Field(default=None, max_length=500, description="Text immediately before `exact`, to make it unique."),
    ] = None
    suffix: Annotated[
        str | None,
        Field(default=None, max_length=500, description="Text immediately after `exact`, to make it unique."),
    ] = None


class Author(_Strict):
    """Who wrote an annotation."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    orcid: Annotated[str | None, Field(default=None, pattern=ORCID_PATTERN, description="ORCID iD, digits only.")] = (
        None
    )


class _AnnotationBase(_Strict):
    id: Annotated[
        Identifier,
        Field(description="Stable id, unique in the edition: lowercase letters, digits and hyphens."),
    ]
    authors: list[Author] = Field(default_factory=list, max_length=50)
    created: datetime.date | None = None
    modified: datetime.date | None = None


class Note(_AnnotationBase):
    """Editorial commentary on a passage."""

    kind: Literal["note"]
    target: Selector
    body: Body


EmendationReason = Literal[
    "misprint",
    "encoding-damage",
    "ocr-error",
    "misspelled-name",
    "misspelling",
    "missing-word",
    "punctuation",
    "other",
]


class Emendation(_AnnotationBase):
    """What the source reads (the target's ``exact``), what the editors read, and why."""

    kind: Literal["emendation"]
    target: Selector
    reading: Annotated[str, Field(max_length=2000, description="What the editors read in place of `exact`.")]
    reason: EmendationReason
    body: Body | None = None


class CrossReference(_AnnotationBase):
    """Passages (in different sources, or one) that tell the same thing; shown at each, linking both ways."""

    kind: Literal["cross-reference"]
    targets: Annotated[list[Selector], Field(min_length=2, max_length=20)]
    body: Body | None = None


# -- events, claims, quotations, discrepancies ------------------------------------------------------------

_DATE = r"\d{4}(-\d{2}(-\d{2})?)?"
DateValue = Annotated[
    str,
    BeforeValidator(lambda v: v.isoformat() if isinstance(v, datetime.date) else v),
    Field(
        pattern=rf"^{_DATE}(/{_DATE})?$",
        description=(
            "ISO 8601 date at its precision (1963, 1963-11, 1963-11-22) or interval (1963-11-01/1963-11-10): "
            "'early November 1963' is an interval, not a day."
        ),
    ),
]
_NUMBER = r"^-?\d+(\.\d+)?(/-?\d+(\.\d+)?)?$"
NumberValue = Annotated[
    str,
    BeforeValidator(
        lambda v: str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v,
        # the JSON Schema accepts what the validator accepts: a YAML number, or a string such as "3/5"
        json_schema_input_type=Annotated[str, Field(pattern=_NUMBER)] | int | float,
    ),
    Field(pattern=_NUMBER, description="A number, or a range low/high."),
]

#: the properties a claim can assert about an event, and the kind of discrepancy a disagreement on each is
PROPERTIES: dict[str, str] = {
    "date": "date",
    "place": "place",
    "participants": "participants",
    "speaker": "attribution",
    "words": "wording",
    "outcome": "characterisation",
    "characterisation": "characterisation",
    "number": "number",
    "sequence": "sequence",
}
Property = Literal[
    "date", "place", "participants", "speaker", "words", "outcome", "characterisation", "number", "sequence"
]
DiscrepancyKind = Literal[
    "date", "number", "participants", "attribution", "wording", "sequence", "characterisation", "place"
]
DISCREPANCY_KINDS: tuple[str, ...] = (
    "date",
    "number",
    "participants",
    "attribution",
    "wording",
    "sequence",
    "characterisation",
    "place",
)


class Sequence(_Strict):
    """Where an event falls relative to another: exactly one of ``before`` and ``after``."""

    before: Identifier | None = None
    after: Identifier | None = None

    @model_validator(mode="after")
    def _one(self) -> Sequence:
        if (self.before is None) == (self.after is None):
            raise ValueError("a sequence value names exactly one of 'before' or 'after' (an event id)")
        return self


def sequence_event(value: Any) -> str | None:
    """The event a sequence value (``{"before": id}`` or ``{"after": id}``, as a claim keeps it) names."""
    return (value.get("before") or value.get("after")) if isinstance(value, dict) else None


class EventRecord(_Strict):
    """What the documentary record says of an event (each field optional)."""

    date: DateValue | None = None
    place: str | None = None
    participants: list[str] | None = None
    speaker: str | None = None
    words: str | None = None
    outcome: str | None = None
    characterisation: str | None = None
    number: NumberValue | None = None


class Event(_AnnotationBase):
    """Something that happened, with what the record says of it and the evidence."""

    kind: Literal["event"]
    label: Annotated[str, Field(min_length=1, max_length=300)]
    record: EventRecord = Field(default_factory=EventRecord)
    certainty: Literal["documented", "probable", "unverified"] = "documented"
    evidence: Body
    target: Selector | None = Field(default=None, description="Optional: a passage of a document that records it.")


class Claim(_AnnotationBase):
    """A passage asserting something about an event, as structured, normalised data."""

    kind: Literal["claim"]
    target: Selector
    event: Identifier
    property: Property
    value: Any = Field(description="Normalised value; its form depends on the property (see the method page).")
    as_written: str | None = Field(default=None, max_length=500, description="The value as the source words it.")
    body: Body | None = None

    @model_validator(mode="after")
    def _value_fits_property(self) -> Claim:
        object.__setattr__(self, "value", check_value(self.property, self.value))
        return self


def check_value(prop: str, value: Any) -> Any:
    """``value`` as a normalised value of ``prop`` (plain data); ``ValueError`` when it is not one."""
    adapters = _value_adapters()
    try:
        checked = adapters[prop].validate_python(value)
    except ValidationError as exc:
        expected = {
            "date": "an ISO date or interval such as 1963-11-22 or 1963-11-01/1963-11-10",
            "number": "a number or a range low/high",
            "participants": "a list of names",
            "sequence": "a mapping with 'before' or 'after' and an event id",
        }.get(prop, "a string")
        raise ValueError(f"value of a {prop!r} claim must be {expected} (got {value!r})") from exc
    return checked.model_dump(exclude_none=True) if isinstance(checked, BaseModel) else checked


@functools.cache
def _value_adapters() -> dict[str, TypeAdapter[Any]]:
    text = TypeAdapter(Annotated[str, Field(min_length=1, max_length=2000)])
    return {
        "date": TypeAdapter(DateValue),
        "number": TypeAdapter(NumberValue),
        "participants": TypeAdapter(Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]),
        "sequence": TypeAdapter(Sequence),
        "place": text,
        "speaker": text,
        "words": text,
        "outcome": text,
        "characterisation": text,
    }


class Quotation(_AnnotationBase):
    """A passage quoting a text that is in the edition; the build collates the two word by word."""

    kind: Literal["quotation"]
    target: Selector = Field(description="The quoting passage: the words inside the quotation marks.")
    quoted: Selector = Field(description="The passage quoted, in the source it is quoted from.")
    event: Identifier | None = None
    body: Body | None = None


class Discrepancy(_AnnotationBase):
    """Passages that disagree, with the editors' assessment; it may assess claims the build compared."""

    kind: Literal["discrepancy"]
    discrepancy: DiscrepancyKind
    summary: Annotated[str, Field(min_length=1, max_length=300, description="What disagrees, in one line.")]
    event: Identifier | None = None
    targets: list[Selector] = Field(default_factory=list, max_length=20)
    claims: list[Identifier] = Field(default_factory=list, max_length=20)
    status: Literal["resolved", "unresolved", "unverifiable"]
    confidence: Literal["high", "medium", "low"]
    assessment: Body

    @model_validator(mode="after")
    def _has_passages(self) -> Discrepancy:
        if not self.targets and not self.claims:
            raise ValueError("a discrepancy needs passages: 'targets' (selectors) and/or 'claims' (claim ids)")
        return self


# -- registers: persons, organisations, places, documents --------------------------------------------------


class Entity(_AnnotationBase):
    """A person, organisation, place or document named in the sources: an entry of a register.

    Its mentions are found by the build from ``variants`` (the spellings the sources use, misspellings
    included); where a variant could name two entities, ``identification`` annotations say which.
    """

    kind: Literal["entity"]
    type: Literal["person", "organisation", "place", "document"]
    name: Annotated[str, Field(min_length=1, max_length=300, description="Normalised name, as it sorts.")]
    identification: Body
    variants: Annotated[
        list[Annotated[str, Field(min_length=2, max_length=200)]],
        Field(min_length=1, max_length=100, description="Spellings of the name as they occur in the sources."),
    ]


class Identification(_AnnotationBase):
    """Which entity a name in the text refers to, where its spelling alone does not say (two Khrushchevs)."""

    kind: Literal["identification"]
    target: Selector
    entity: Identifier
    body: Body | None = None


Annotation = Annotated[
    Note | Emendation | CrossReference | Event | Claim | Quotation | Discrepancy | Entity | Identification,
    Field(discriminator="kind"),
]
KINDS: tuple[str, ...] = (
    "note",
    "emendation",
    "cross-reference",
    "event",
    "claim",
    "quotation",
    "discrepancy",
    "entity",
    "identification",
)


class AnnotationFile(_Strict):
    """An annotation file: a list of annotations (and optionally the schema it follows)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str | None = Field(default=None, alias="$schema")
    annotations: list[Annotation]


TEXT_FIELDS = ("body", "evidence", "assessment", "identification")
#: the text fields each class of annotation may have: asking a pydantic model for a field it lacks is slow (it
#: raises and catches an ``AttributeError``), and the checker asks it of every annotation
_TEXT_FIELDS_OF: dict[type, tuple[str, ...]] = {}


def _text_fields(cls: type) -> tuple[str, ...]:
    names = _TEXT_FIELDS_OF.get(cls)
    if names is None:
        fields = getattr(cls, "model_fields", None)
        config = getattr(cls, "model_config", {})
        if fields is None or config.get("extra") == "allow":
            names = TEXT_FIELDS
        else:
            names = tuple(name for name in TEXT_FIELDS if name in fields or hasattr(cls, name))
        _TEXT_FIELDS_OF[cls] = names
    return names


def texts_of(annotation: Any) -> list[tuple[str, str]]:
    """The MyST texts of an annotation, by field name (body, evidence, assessment)."""
    found = []
    for field_name in _text_fields(type(annotation)):
        text = getattr(annotation, field_name, None)
        if text:
            found.append((field_name, text))
    return found


def targets_of(annotation: Any) -> list[Selector]:
    """The selectors of an annotation, whichever kind it is (a quotation: quoting passage, then quoted)."""
    if isinstance(annotation, CrossReference | Discrepancy):
        return list(annotation.targets)
    if isinstance(annotation, Quotation):
        return [annotation.target, annotation.quoted]
    if isinstance(annotation, Event):
        return [annotation.target] if annotation.target else []
    if isinstance(annotation, Entity):
        return []
    return [annotation.target]


# -- sources -------------------------------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    """YAML reads ``1962-03-07`` as a date; the model keeps dates as ISO strings of any precision."""
    return value.isoformat() if isinstance(value, datetime.date) else value


class Received(_Strict):
    """The file a transcription was made from, kept in the project, and its SHA-256."""

    file: Annotated[str, Field(min_length=1, description="Path relative to the sources folder.")]
    sha256: Annotated[str, Field(pattern=SHA256_PATTERN)]
    format: Literal["text", "frus-markdown"] = Field(
        default="text",
        description=(
            "How to read the received file for the fidelity check: 'text' as it is; 'frus-markdown' (the FRUS "
            "corpus files) without their YAML front matter and Markdown syntax (heading marks, list bullets, "
            "the '## Footnotes' line, footnote labels '[^n]:'; a call '[^n]' reads 'n')."
        ),
    )


class SourceMeta(_Strict):
    """Provenance of a source: the front matter of its transcription."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: SourceId
    title: Annotated[str, Field(min_length=1)]
    short_title: str | None = None
    author: Annotated[str, Field(min_length=1)]
    publisher: Annotated[str, Field(min_length=1)]
    date: Annotated[
        Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] | None,
        BeforeValidator(_iso),
        Field(default=None, description="ISO date, as precise as known (null when undated)."),
    ] = None
    date_note: str | None = None
    events_date: str | None = None
    published_at: Annotated[str, Field(min_length=1)]
    kind: Literal["primary", "secondary"]
    rights: Annotated[str, Field(min_length=1)]
    received: Received
    language: str = "en"
    witness_of: SourceId | None = Field(
        default=None, description="The id of another source that is a printing of the same text: the two are collated."
    )
    headnote: Annotated[str, Field(min_length=1, max_length=MAX_BODY)]
