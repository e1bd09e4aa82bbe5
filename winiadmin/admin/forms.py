"""The wizard's forms: the upload (file, read overrides, importer options) and the confirm."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from winiadmin.admin.cell_format import format_percent
from winiadmin.cleaning.conventions import FileConventions
from winiadmin.cleaning.mapping import ColumnMapping, MatchReason, normalised
from winiadmin.conf import get_config
from winiadmin.exceptions import FileReadError
from winiadmin.readers import detect_format
from winiadmin.readers.detect import head_and_tail
from winiadmin.storage import READABLE_SUFFIXES

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.forms import BoundField

    from winiadmin.import_report import ColumnMatches, MappedColumn
    from winiadmin.importers import Importer

OPTION_PREFIX = "option_"

ENCODINGS = [
    ("", _("Detect")),
    ("utf-8", "UTF-8"),
    ("utf-16", "UTF-16"),
    ("cp1252", "Windows-1252"),
    ("latin-1", "Latin-1 (ISO-8859-1)"),
]
DECIMAL_SEPARATORS = [("", _("As the importer says")), (".", "12.50"), (",", "12,50")]
THOUSANDS_SEPARATORS = [
    ("", _("As the importer says")),
    ("none", _("None (1234)")),
    (".", "1.234"),
    (",", "1,234"),
    (" ", "1 234"),
    ("'", "1'234"),
]
DATE_FORMATS = [
    ("", _("As the importer says (2026-12-31)")),
    ("%d.%m.%Y", "31.12.2026"),
    ("%d/%m/%Y", "31/12/2026"),
    ("%m/%d/%Y", "12/31/2026"),
    ("%d-%m-%Y", "31-12-2026"),
    ("%d.%m.%y", "31.12.26"),
    ("%d/%m/%y", "31/12/26"),
    ("%m/%d/%y", "12/31/26"),
]
DELIMITERS = [("", _("Detect")), (",", ","), (";", ";"), ("\t", _("Tab")), ("|", "|")]


#: What the file picker offers: the readers' extensions, and the MIME types browsers give them.
ACCEPT = ",".join([
    *READABLE_SUFFIXES,
    "text/csv", "text/tab-separated-values", "application/json", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
])  # fmt: skip
#: Bytes read from the start (and, for a zip, the end: its entry list) to tell a file's type.


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )
    skip_invalid = forms.BooleanField(
        label=_("Skip invalid rows"),
        required=False,
        help_text=_("Import the valid rows and leave out rows with errors (they are listed)."),
    )
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODINGS, required=False)
    delimiter = forms.ChoiceField(label=_("Delimiter"), choices=DELIMITERS, required=False)
    sheet = forms.CharField(
        label=_("Sheet"),
        required=False,
        help_text=_("Workbooks: sheet name or number (1 = first); empty for the first sheet."),
    )
    header_row = forms.IntegerField(
        label=_("Header row"),
        required=False,
        min_value=1,
        help_text=_("The row holding the column names (1 = first); empty to detect it."),
    )
    decimal_separator = forms.ChoiceField(
        label=_("Decimal separator"),
        choices=DECIMAL_SEPARATORS,
        required=False,
        help_text=_(
            "How the file writes twelve and a half: 12.50 or 12,50. Empty: as the importer "
            "says (a point by default); the check proposes what it finds."
        ),
    )
    thousands_separator = forms.ChoiceField(
        label=_("Thousands separator"), choices=THOUSANDS_SEPARATORS, required=False
    )
    date_format = forms.ChoiceField(
        label=_("Dates"),
        choices=DATE_FORMATS,
        required=False,
        help_text=_("A two-digit year (26) is read only where chosen here."),
    )

    def __init__(self, importer: type[Importer], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.importer = importer
        for option in importer.options:
            self.fields[OPTION_PREFIX + option.name] = option.form_field()

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        limit = get_config().MAX_UPLOAD_SIZE
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest accepted is %(limit)s."),
                params={"size": filesizeformat(upload.size or 0), "limit": filesizeformat(limit)},
                code="too_large",
            )
        try:  # a PDF, an image, a Word file… refused now, not after a whole check
            detect_format(head_and_tail(upload), upload.name)
        except FileReadError as exc:
            raise forms.ValidationError(str(exc), code="not_a_table") from exc
        return upload

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        try:
            self.conventions()
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="conventions") from exc
        return cleaned

    def conventions(self) -> FileConventions | None:
        """The number and date conventions chosen for this file (``None``: none chosen)."""
        data = self.cleaned_data
        thousands = data.get("thousands_separator") or None
        date_format = data.get("date_format") or None
        chosen = FileConventions(
            decimal_separator=data.get("decimal_separator") or None,
            thousands_separator="" if thousands == "none" else thousands,
            date_formats=None if date_format is None else (date_format,),
        )
        return None if chosen == FileConventions() else chosen

    def option_texts(self) -> dict[str, str]:
        """Importer options as text, as the command line takes them (``-o name=value``)."""
        return {
            option.name: option.to_text(self.cleaned_data.get(OPTION_PREFIX + option.name))
            for option in self.importer.options
            if self.cleaned_data.get(OPTION_PREFIX + option.name) not in (None, "")
        }

    def read_options(self) -> dict[str, Any]:
        sheet: str | int | None = (self.cleaned_data.get("sheet") or "").strip() or None
        if isinstance(sheet, str) and sheet.isdigit():
            sheet = max(int(sheet) - 1, 0)  # people count sheets from 1
        return {
            "encoding": self.cleaned_data.get("encoding") or None,
            "delimiter": self.cleaned_data.get("delimiter") or None,
            "sheet": sheet,
            "header_row": self.cleaned_data.get("header_row"),
        }


class ReadAgainForm(forms.Form):
    """On the preview: read the upload again from another sheet, header row or encoding."""

    sheet = forms.ChoiceField(label=_("Sheet"), required=False)
    header_row = forms.IntegerField(
        label=_("Header row"),
        required=False,
        min_value=1,
        help_text=_("Empty: detected (title rows above the table are skipped)."),
    )
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODINGS, required=False)

    def __init__(
        self,
        sheets: list[str],
        *args: Any,
        text: bool = True,
        header: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sheet"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(name, name) for name in sheets]
        if not sheets:  # not a workbook: only the header row applies
            del self.fields["sheet"]
        if not header:  # JSON: no header row to choose
            del self.fields["header_row"]
        if not text:  # a workbook or Parquet: no encoding to choose
            del self.fields["encoding"]

    def read_options(self, current: dict[str, Any]) -> dict[str, Any]:
        """The job's read options with this form's choices (empty header row, encoding: detect)."""
        fields = {"sheet", "header_row"} | ({"encoding"} if "encoding" in self.fields else set())
        chosen = {k: v for k, v in current.items() if k not in fields}
        if self.cleaned_data.get("encoding"):
            chosen["encoding"] = self.cleaned_data["encoding"]
        if self.cleaned_data.get("sheet"):
            chosen["sheet"] = self.cleaned_data["sheet"]
        elif "sheet" in current:
            chosen["sheet"] = current["sheet"]
        if self.cleaned_data.get("header_row") is not None:
            chosen["header_row"] = self.cleaned_data["header_row"]
        return chosen


class ConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(label=_("Skip invalid rows"), required=False)
    create_missing = forms.BooleanField(label=_("Create the missing rows"), required=False)


@dataclass(frozen=True, slots=True)
class MappingRow:
    """A file column on the mapping step: how it was matched, and its select."""

    column: MappedColumn
    field: BoundField
    reason_label: str


class ColumnMappingForm(forms.Form):
    """The column mapping step: for each file column, the expected column it feeds (or none).

    Built from the dry run's report (``ImportReport.column_mapping``); preselected with
    ``initial_mapping`` (a saved or earlier choice) where it names a file column, otherwise with
    the automatic match.
    """

    def __init__(
        self,
        found: ColumnMatches,
        initial_mapping: dict[str, str | None] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.found = found
        self.expected: list[str] = list(found.expected)
        chosen = _by_normalised_header(initial_mapping or {})
        choices = [("", _("(ignore this column)")), *((n, n) for n in self.expected)]
        for index, column in enumerate(found.columns):
            header = column.header
            initial = chosen.get(normalised(header), column.target)
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=initial if initial in self.expected else "",
            )

    def rows(self) -> list[MappingRow]:
        """Per file column: its header, sample values, its select and how it was matched."""
        return [
            MappingRow(column, self[f"column_{index}"], _reason(column))
            for index, column in enumerate(self.found.columns)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = self._chosen(cleaned)
        fed: dict[str, list[str]] = {}
        for header, target in chosen.items():
            if target:
                fed.setdefault(target, []).append(header)
        twice = {target: headers for target, headers in fed.items() if len(headers) > 1}
        for target, headers in twice.items():
            self.add_error(
                None,
                _("%(column)s is chosen for more than one file column: %(headers)s.")
                % {"column": target, "headers": ", ".join(headers)},
            )
        unfed = [name for name in self.expected if name not in fed]
        if unfed:
            self.add_error(
                None,
                _("Choose a file column for: %(columns)s.") % {"columns": ", ".join(unfed)},
            )
        return cleaned

    def mapping(self) -> ColumnMapping:
        return ColumnMapping(self._chosen(self.cleaned_data))

    def _chosen(self, cleaned: dict[str, Any]) -> dict[str, str | None]:
        return {
            column.header: cleaned.get(f"column_{index}") or None
            for index, column in enumerate(self.found.columns)
        }


def _by_normalised_header(mapping: dict[str, str | None]) -> dict[str, str | None]:
    return {normalised(header): target for header, target in mapping.items()}


def _reason(column: MappedColumn) -> str:
    label = MatchReason(column.reason).label
    if column.score is not None:
        alike = format_percent(int(column.score * 100))
        return _("%(how)s, %(score)s alike") % {"how": label, "score": alike}
    return label


EXPORT_FORMATS = [
    ("xlsx", _("Excel workbook (.xlsx)")),
    ("csv", _("CSV (.csv)")),
    ("json", _("JSON (.json)")),
    ("ndjson", _("NDJSON, one record a line (.ndjson)")),
    ("parquet", _("Parquet (.parquet)")),
]


class ExportForm(forms.Form):
    """The format and the columns of an export; ``ids``: the selected rows (the admin action),
    none for what the changelist shows."""

    format = forms.ChoiceField(label=_("Format"), choices=EXPORT_FORMATS, initial="xlsx")
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The importer's columns: the file imports back as it is."),
    )
    ids = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        headers: list[str],
        ids: list[str] | None = None,
    ) -> None:
        initial = {"columns": headers, "ids": ids or []}
        super().__init__(data, initial=initial)
        columns = self.fields["columns"]
        assert isinstance(columns, forms.MultipleChoiceField)
        columns.choices = [(h, h) for h in headers]
        # Any primary key the action posts: the queryset filter keeps only the visible ones.
        chosen_ids = list(data.getlist("ids")) if data is not None else list(ids or [])
        ids_field = self.fields["ids"]
        assert isinstance(ids_field, forms.MultipleChoiceField)
        ids_field.choices = [(i, i) for i in chosen_ids]
