"""Translation catalogues: ``./dev messages`` (``python -m tests.i18n``).

Usage::

    python -m tests.i18n update   # makemessages for every shipped language, then compilemessages
    python -m tests.i18n check    # the catalogues are current, complete, and compile (CI runs it)
    python -m tests.i18n status   # translated / untranslated / fuzzy per language

``update`` extracts every marked string of ``winiadmin/`` (the Python modules and, through the
``templates`` symlink, the templates) into ``winiadmin/locale/<lang>/LC_MESSAGES/django.po``,
keeping what is translated, dropping what no source uses any more, and compiles the ``.mo``
files the wheel ships. ``check`` extracts into a scratch copy, never touching the tree, and fails
listing by language every message missing from a catalogue, left untranslated or fuzzy, every
catalogue entry no source uses any more, and every catalogue ``msgfmt --check`` refuses.
Needs GNU gettext (``xgettext``, ``msgmerge``, ``msgfmt``: ``apt-get install gettext``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import BaseCommand, call_command
from django.core.management.commands.compilemessages import Command as CompileMessages
from django.core.management.commands.makemessages import Command as MakeMessages

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "winiadmin"
LOCALE = PACKAGE / "locale"
#: The languages shipped in the wheel (gettext's spelling of the locale names).
LANGUAGES = ("de", "fr", "es", "pt_BR", "it")
DOMAIN = "django"
#: makemessages' options: one line per message (diffs and merges stay readable), the source file
#: of each message without line numbers (they would change with every edit), nothing obsolete.
MAKEMESSAGES_OPTIONS = (
    "--symlinks",
    "--no-wrap",
    "--no-obsolete",
    "--add-location=file",
    "--ignore=static/*",
    "--ignore=migrations/*",
    "--ignore=locale/*",
)
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msgfmt")
#: Each language's plural rule, as Django's own catalogues have it.
PLURAL_FORMS = {
    "de": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "pt_BR": "nplurals=2; plural=(n > 1);",
    "it": "nplurals=2; plural=(n != 1);",
}
HEADER = """\
# winiadmin's messages in {language}.
# This file is distributed under the same license as winiadmin (MIT).
# Update it with ./dev messages (docs/translations.md); translate the empty msgstr entries.
#
msgid ""
msgstr ""
"Project-Id-Version: winiadmin\\n"
"Report-Msgid-Bugs-To: \\n"
"PO-Revision-Date: 2026-12-05 00:00+0000\\n"
"Last-Translator: winiadmin developers\\n"
"Language-Team: {language}\\n"
"Language: {language}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: {plural}\\n"
"""


@dataclass(frozen=True)
class Entry:
    context: str | None
    msgid: str
    plural: str | None
    translations: tuple[str, ...]
    fuzzy: bool

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid

    @property
    def translated(self) -> bool:
        return all(self.translations) and bool(self.translations)

    def label(self) -> str:
        text = self.msgid if self.context is None else f"[{self.context}] {self.msgid}"
        return text if self.plural is None else f"{text} / {self.plural}"


def _unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    out: list[str] = []
    chars = iter(body)
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append(escapes.get(nxt, "\\" + nxt))
        else:
            out.append(char)
    return "".join(out)


@dataclass
class _Builder:
    fields: dict[str, str] = field(default_factory=dict)
    fuzzy: bool = False
    current: str | None = None

    def entry(self) -> Entry | None:
        if "msgid" not in self.fields:
            return None
        translations = tuple(
            value for key, value in sorted(self.fields.items()) if key.startswith("msgstr")
        )
        return Entry(
            self.fields.get("msgctxt"),
            self.fields["msgid"],
            self.fields.get("msgid_plural"),
            translations,
            self.fuzzy,
        )


def parse_po(path: Path) -> list[Entry]:
    """The live entries of a catalogue (the header and obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    builder = _Builder()

    def flush() -> None:
        nonlocal builder
        entry = builder.entry()
        if entry is not None and entry.msgid:
            entries.append(entry)
        builder = _Builder()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#,"):
            builder.fuzzy = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if builder.current is not None:
                builder.fields[builder.current] += _unquote(line)
        else:
            keyword = line.split(" ", 1)[0]
            if keyword == "msgctxt" and "msgid" in builder.fields:
                flush()
            builder.current = keyword
            builder.fields[keyword] = _unquote(line)
    flush()
    return entries


def catalogue(locale_dir: Path, language: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def missing_tools() -> list[str]:
    return [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]


class _Extract(MakeMessages):
    """makemessages, also reading ``_counted(singular, plural, n)``: the commands' ngettext
    that groups the count in thousands (winiadmin.commands.report)."""

    xgettext_options = [
        *MakeMessages.xgettext_options,
        "--keyword=_counted:1,2",
    ]


def _django_admin(command: BaseCommand, args: list[str], cwd: Path) -> None:
    # No project settings: makemessages configures its own, compilemessages needs none.
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    here = Path.cwd()
    os.chdir(cwd)
    try:
        call_command(command, *args, verbosity=0)
    finally:
        os.chdir(here)


def makemessages(package: Path, *, keep_pot: bool = False) -> None:
    (package / "locale").mkdir(exist_ok=True)
    args = ["--domain", DOMAIN, *MAKEMESSAGES_OPTIONS]
    args += [f"--locale={language}" for language in LANGUAGES]
    if keep_pot:
        args.append("--keep-pot")
    _django_admin(_Extract(), args, package)
    for language in LANGUAGES:
        normalise_header(catalogue(package / "locale", language), language)


def normalise_header(po: Path, language: str) -> None:
    """A fixed header: no dates, so that a run changing no message changes no file."""
    text = po.read_text(encoding="utf-8")
    body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    header = HEADER.format(language=language, plural=PLURAL_FORMS[language])
    po.write_text(header + "\n" + body, encoding="utf-8")


def compilemessages(package: Path) -> None:
    args = [f"--locale={lang}" for lang in LANGUAGES]
    _django_admin(CompileMessages(), args, package)


def msgfmt_check(po: Path) -> str | None:
    """``msgfmt --check``'s complaint about ``po`` (placeholders, headers, syntax), or None."""
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    return (result.stderr or result.stdout).strip() or None if result.returncode else None


def stale_mo(po: Path) -> bool:
    """Whether the committed ``.mo`` beside ``po`` is not what compiling ``po`` gives now."""
    mo = po.with_suffix(".mo")
    with tempfile.TemporaryDirectory(prefix="winiadmin-mo-") as scratch:
        fresh = Path(scratch) / "django.mo"
        subprocess.run(["msgfmt", "-o", str(fresh), str(po)], check=True, capture_output=True)
        return not mo.exists() or mo.read_bytes() != fresh.read_bytes()


def _copy_package(target: Path) -> Path:
    """The package's sources (templates through their symlink) and catalogues, for extraction."""
    copy = target / "winiadmin"
    shutil.copytree(
        PACKAGE,
        copy,
        symlinks=False,
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "migrations"),
    )
    return copy


@dataclass
class Report:
    problems: dict[str, list[str]] = field(default_factory=dict)

    def add(self, language: str, heading: str, items: list[str]) -> None:
        if items:
            lines = self.problems.setdefault(language, [])
            lines.append(f"  {heading} ({len(items)}):")
            lines.extend(f"    - {item!r}" for item in items)

    def print(self) -> None:
        for language, lines in self.problems.items():
            print(f"{language}:", file=sys.stderr)
            print("\n".join(lines), file=sys.stderr)


def check() -> int:
    """0 when every catalogue is current, complete and compiles; else 1, with the list."""
    if missing := missing_tools():
        print(f"error: GNU gettext is missing ({', '.join(missing)})", file=sys.stderr)
        return 1
    report = Report()
    with tempfile.TemporaryDirectory(prefix="winiadmin-i18n-") as scratch:
        copy = _copy_package(Path(scratch))
        makemessages(copy, keep_pot=True)
        template = {entry.key: entry for entry in parse_po(copy / "locale" / f"{DOMAIN}.pot")}
        for language in LANGUAGES:
            po = catalogue(LOCALE, language)
            if not po.exists():
                report.add(language, "no catalogue", [str(po.relative_to(ROOT))])
                continue
            entries = {entry.key: entry for entry in parse_po(po)}
            report.add(
                language,
                "in the sources, missing from the catalogue (run ./dev messages)",
                [template[key].label() for key in template if key not in entries],
            )
            report.add(
                language,
                "in the catalogue, no longer in the sources (run ./dev messages)",
                [entries[key].label() for key in entries if key not in template],
            )
            report.add(
                language,
                "untranslated",
                [e.label() for e in entries.values() if not e.translated and not e.fuzzy],
            )
            report.add(language, "fuzzy", [e.label() for e in entries.values() if e.fuzzy])
            if complaint := msgfmt_check(po):
                report.add(language, "msgfmt --check refuses it", complaint.splitlines())
            elif stale_mo(po):
                report.add(language, "django.mo is not compiled from django.po", ["./dev messages"])
        print(f"{len(template)} messages in the sources, languages: {', '.join(LANGUAGES)}")
    if report.problems:
        report.print()
        return 1
    print("every catalogue is current, complete and compiles")
    return 0


def status() -> int:
    for language in LANGUAGES:
        entries = parse_po(catalogue(LOCALE, language))
        fuzzy = sum(e.fuzzy for e in entries)
        done = sum(e.translated and not e.fuzzy for e in entries)
        print(
            f"{language:6} {done:5} translated {len(entries) - done - fuzzy:5} untranslated "
            f"{fuzzy:5} fuzzy  of {len(entries)}"
        )
    return 0


def update() -> int:
    if missing := missing_tools():
        print(f"error: GNU gettext is missing ({', '.join(missing)})", file=sys.stderr)
        return 1
    makemessages(PACKAGE)
    compilemessages(PACKAGE)
    return status()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="./dev messages", description=__doc__.split("\n")[0])
    actions = ("update", "check", "status")
    parser.add_argument("action", nargs="?", choices=actions, default="update")
    args = parser.parse_args(argv)
    return {"update": update, "check": check, "status": status}[args.action]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
