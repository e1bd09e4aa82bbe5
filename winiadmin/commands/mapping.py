"""The command line's side of column mapping: read ``--column_map``/``--column_map_file``, say
which columns were matched automatically, and name what could not be matched."""

import json
from pathlib import Path

from django.core.management import CommandError
from django.utils.translation import gettext as _

from winiadmin.cleaning.mapping import ColumnMapping, MappingError, MatchedColumns, MatchReason


def mapping_from_options(pairs: list[str], path: str | None) -> ColumnMapping | None:
    """The file's mapping (a JSON object), then each ``File header=column`` on top of it."""
    columns: dict[str, str | None] = {}
    try:
        if path:
            columns.update(_read_json(Path(path)).columns)
        columns.update(ColumnMapping.from_pairs(pairs).columns)
    except MappingError as exc:
        raise CommandError(str(exc)) from exc
    return ColumnMapping(columns) if columns else None


def _read_json(path: Path) -> ColumnMapping:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = _("Cannot read the column map file %(path)s: %(error)s.") % {
            "path": path,
            "error": exc.strerror or exc,
        }
        raise MappingError(msg) from exc
    except ValueError as exc:
        msg = _("The column map file %(path)s is not valid JSON: %(error)s.") % {
            "path": path,
            "error": exc,
        }
        raise MappingError(msg) from exc
    if not isinstance(data, dict) or not all(isinstance(v, str | None) for v in data.values()):
        msg = _(
            "The column map file %(path)s must hold one JSON object: "
            '{"File header": "column", "Ignored header": null}.'
        ) % {"path": path}
        raise MappingError(msg)
    return ColumnMapping.from_json(data)


def describe_matches(matches: MatchedColumns) -> list[str]:
    """One line per column matched by anything but its exact name."""
    lines = []
    for match in matches.columns:
        if match.reason in {MatchReason.EXACT, MatchReason.UNMATCHED}:
            continue
        how = match.reason.label
        if match.score is not None:
            how = _("%(how)s, %(score)d%% alike") % {"how": how, "score": round(match.score * 100)}
        target = match.target or _("(ignored)")
        lines.append(f"  {match.header!r} → {target} ({how})")
    return lines


def unmatched_message(matches: MatchedColumns) -> str:
    """Which expected columns no file header feeds, each with the file headers most like it."""
    parts = []
    for name in matches.unmatched:
        closest = matches.closest_headers(name)
        like = (
            _(" (closest file headers: %(headers)s)") % {"headers": ", ".join(map(repr, closest))}
            if closest
            else ""
        )
        parts.append(f"{name}{like}")
    return _(
        "No file column matches: %(columns)s. Map them with --column_map 'File header=%(first)s'."
    ) % {"columns": "; ".join(parts), "first": matches.unmatched[0]}
