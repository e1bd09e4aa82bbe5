"""The wizard's forms: the upload (file, read overrides, importer options) and the confirm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from winiadmin.conf import get_config

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from winiadmin.importers import Importer

OPTION_PREFIX = "option_"

ENCODINGS = [
    ("", _("Detect")),
    ("utf-8", "UTF-8"),
    ("utf-16", "UTF-16"),
    ("cp1252", "Windows-1252"),
    ("latin-1", "Latin-1 (ISO-8859-1)"),
]
DELIMITERS = [("", _("Detect")), (",", ","), (";", ";"), ("\t", _("Tab")), ("|", "|")]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
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
        return upload

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
    """On the preview: read the upload again from another sheet or another header row."""

    sheet = forms.ChoiceField(label=_("Sheet"), required=False)
    header_row = forms.IntegerField(
        label=_("Header row"),
        required=False,
        min_value=1,
        help_text=_("Empty: detected (title rows above the table are skipped)."),
    )

    def __init__(self, sheets: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sheet"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(name, name) for name in sheets]
        if not sheets:  # not a workbook: only the header row applies
            del self.fields["sheet"]

    def read_options(self, current: dict[str, Any]) -> dict[str, Any]:
        """The job's read options with this form's choices (an empty header row: detect)."""
        chosen = {k: v for k, v in current.items() if k not in {"sheet", "header_row"}}
        if self.cleaned_data.get("sheet"):
            chosen["sheet"] = self.cleaned_data["sheet"]
        elif "sheet" in current:
            chosen["sheet"] = current["sheet"]
        if self.cleaned_data.get("header_row") is not None:
            chosen["header_row"] = self.cleaned_data["header_row"]
        return chosen


class ConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(label=_("Skip invalid rows"), required=False)
