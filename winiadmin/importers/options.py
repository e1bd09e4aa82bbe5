"""Options an importer declares once; the commands turn them into arguments, the admin into fields.

Each option parses the text a user typed (``--option category=Books``) into a typed value and
raises ``ValueError`` with a plain message when it cannot.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django import forms
from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _


class FieldKwargs(TypedDict):
    label: str
    help_text: str
    required: bool
    initial: Any


@dataclass(frozen=True, kw_only=True)
class ImportOption:
    name: str
    label: str = ""
    help: str = ""
    required: bool = False
    default: object = None

    def parse(self, text: str) -> object:
        return text

    def to_text(self, value: object) -> str:
        """The text that :meth:`parse` turns back into ``value`` (jobs store options as text)."""
        return "" if value is None else str(value)

    def form_field(self) -> forms.Field:
        """The admin wizard's field for this option."""
        return forms.CharField(**self._field_kwargs())

    def _field_kwargs(self) -> "FieldKwargs":
        return {
            "label": self.display_label,
            "help_text": self.help,
            "required": self.required,
            "initial": self.default,
        }

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True, kw_only=True)
class StringOption(ImportOption):
    pass


@dataclass(frozen=True, kw_only=True)
class IntegerOption(ImportOption):
    def parse(self, text: str) -> int:
        try:
            return int(text.strip())
        except ValueError:
            msg = _("%(option)s: %(value)r is not a whole number.") % {
                "option": self.name,
                "value": text,
            }
            raise ValueError(msg) from None

    def form_field(self) -> forms.Field:
        return forms.IntegerField(**self._field_kwargs())


_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off", ""}


@dataclass(frozen=True, kw_only=True)
class BooleanOption(ImportOption):
    default: object = False

    def parse(self, text: str) -> bool:
        lowered = text.strip().lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        msg = _("%(option)s: %(value)r is not yes or no.") % {"option": self.name, "value": text}
        raise ValueError(msg)

    def to_text(self, value: object) -> str:
        return "true" if value else "false"

    def form_field(self) -> forms.Field:
        return forms.BooleanField(**(self._field_kwargs() | {"required": False}))


@dataclass(frozen=True, kw_only=True)
class ChoiceOption(ImportOption):
    choices: Sequence[tuple[str, str]] = ()

    def parse(self, text: str) -> str:
        values = [value for value, _ in self.choices]
        if text in values:
            return text
        msg = _("%(option)s: %(value)r is not one of %(choices)s.") % {
            "option": self.name,
            "value": text,
            "choices": ", ".join(values),
        }
        raise ValueError(msg)

    def form_field(self) -> forms.Field:
        return forms.ChoiceField(choices=list(self.choices), **self._field_kwargs())


@dataclass(frozen=True, kw_only=True)
class ModelOption(ImportOption):
    """An existing object, typed as its primary key or as the value of ``to_field``."""

    model: type[Model]
    to_field: str = "pk"
    limit_choices_to: dict[str, object] = field(default_factory=dict)

    def parse(self, text: str) -> Model:
        # The exact text first (a stored name may have spaces), then without surrounding spaces.
        candidates = dict.fromkeys([text, text.strip()])
        name = self.model._meta.verbose_name
        words = {"option": self.name, "model": name, "field": self.to_field, "value": text}
        msg = _("%(option)s: no %(model)s with %(field)s %(value)r.") % words
        for candidate in candidates:
            try:
                return self._get(candidate)
            except ObjectDoesNotExist:
                continue
            except MultipleObjectsReturned:
                msg = _("%(option)s: several %(model)s objects have %(field)s %(value)r.") % words
            except (ValueError, ValidationError):
                msg = _("%(option)s: %(value)r is not a valid %(field)s for %(model)s.") % words
            break
        raise ValueError(msg)

    def _get(self, value: str) -> Model:
        manager = self.model._default_manager.filter(**self.limit_choices_to)
        return manager.get(**{self.to_field: value})

    def to_text(self, value: object) -> str:
        if isinstance(value, Model):
            return str(value.pk if self.to_field == "pk" else getattr(value, self.to_field))
        return super().to_text(value)

    def form_field(self) -> forms.Field:
        queryset = self.model._default_manager.filter(**self.limit_choices_to)
        to_field = None if self.to_field == "pk" else self.to_field
        return forms.ModelChoiceField(queryset, to_field_name=to_field, **self._field_kwargs())
