"""The data model: what a source's provenance and an annotation file may contain.

One pydantic model serves three purposes: it validates what editors write, it generates the JSON Schema that
editors' tools use to complete and check annotation files (``standoff-schema``), and it documents the format.
Anchoring to the text (where a selector lands) is not the model's business: see ``anchoring``.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

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


Annotation = Annotated[Note | Emendation | CrossReference, Field(discriminator="kind")]
KINDS: tuple[str, ...] = ("note", "emendation", "cross-reference")


class AnnotationFile(_Strict):
    """An annotation file: a list of annotations (and optionally the schema it follows)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str | None = Field(default=None, alias="$schema")
    annotations: list[Annotation]


def targets_of(annotation: Any) -> list[Selector]:
    """The selectors of an annotation, whichever kind it is."""
    if isinstance(annotation, CrossReference):
        return list(annotation.targets)
    return [annotation.target]


# -- sources -------------------------------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    """YAML reads ``1962-03-07`` as a date; the model keeps dates as ISO strings of any precision."""
    return value.isoformat() if isinstance(value, datetime.date) else value


class Received(_Strict):
    """The file a transcription was made from, kept in the project, and its SHA-256."""

    file: Annotated[str, Field(min_length=1, description="Path relative to the sources folder.")]
    sha256: Annotated[str, Field(pattern=SHA256_PATTERN)]


class SourceMeta(_Strict):
    """Provenance of a source: the front matter of its transcription."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: SourceId
    title: Annotated[str, Field(min_length=1)]
    short_title: str | None = None
    author: Annotated[str, Field(min_length=1)]
    publisher: Annotated[str, Field(min_length=1)]
    date: Annotated[
        str | None,
        BeforeValidator(_iso),
        Field(default=None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="ISO date, as precise as known."),
    ] = None
    date_note: str | None = None
    events_date: str | None = None
    published_at: Annotated[str, Field(min_length=1)]
    kind: Literal["primary", "secondary"]
    rights: Annotated[str, Field(min_length=1)]
    received: Received
    language: str = "en"
    headnote: Annotated[str, Field(min_length=1, max_length=MAX_BODY)]
