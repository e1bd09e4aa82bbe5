"""Setup mistakes reported by ``manage.py check``; ids are stable, listed in docs/checks.md."""

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.translation import gettext

from winiadmin.conf import WEBHOOK_EVENTS, get_config

#: The size limits (docs/security.md): a zero or a negative one would refuse every file.
LIMIT_KEYS = (
    "MAX_UPLOAD_SIZE",
    "MAX_ROWS",
    "MAX_COLUMNS",
    "MAX_CELLS",
    "MAX_CELL_LENGTH",
    "MAX_DECOMPRESSED_SIZE",
    "MAX_COMPRESSION_RATIO",
)


@register()
def check_settings(app_configs: Sequence[AppConfig] | None, **_: Any) -> list[CheckMessage]:
    try:
        config = get_config()
    except (TypeError, ValueError) as exc:
        return [Error(str(exc), hint=gettext("See docs/settings.md."), id="winiadmin.E001")]
    messages: list[CheckMessage] = []
    if config.BATCH_SIZE < 1:
        msg = gettext("WINIADMIN['BATCH_SIZE'] must be at least 1.")
        messages.append(Error(msg, id="winiadmin.E002"))
    for key in LIMIT_KEYS:
        if getattr(config, key) < 1:
            msg = gettext("WINIADMIN[%(key)r] must be at least 1.") % {"key": key}
            messages.append(Error(msg, hint=gettext("See docs/security.md."), id="winiadmin.E005"))
    messages.extend(check_dead_worker_settings(config.MAX_ATTEMPTS, config.SWEEP_INTERVAL))
    storages = getattr(settings, "STORAGES", {})
    if config.STORAGE_ALIAS not in storages:
        messages.append(
            Warning(
                gettext(
                    "STORAGES has no %(alias)r alias; uploads would use the 'default' storage, "
                    "which is often public (MEDIA_URL)."
                )
                % {"alias": config.STORAGE_ALIAS},
                hint=gettext(
                    "Add STORAGES[%(alias)r] pointing at a private location, or set "
                    "WINIADMIN['STORAGE_ALIAS']."
                )
                % {"alias": config.STORAGE_ALIAS},
                id="winiadmin.W001",
            )
        )
    return messages


def check_dead_worker_settings(max_attempts: object, sweep_interval: object) -> list[CheckMessage]:
    """``MAX_ATTEMPTS`` and ``SWEEP_INTERVAL`` (docs/background.md, "Dead workers")."""
    messages: list[CheckMessage] = []
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        messages.append(
            Error(
                gettext(
                    "WINIADMIN['MAX_ATTEMPTS'] must be a whole number of at least 1, not %(value)r."
                )
                % {"value": max_attempts},
                hint=gettext(
                    "1 (the default) fails a job whose worker died and offers Retry; 3 runs it "
                    "up to three times in all."
                ),
                id="winiadmin.E010",
            )
        )
    if (
        isinstance(sweep_interval, bool)
        or not isinstance(sweep_interval, int | float)
        or not 0 < sweep_interval <= 3600  # an hour: beyond it, nobody would look in time
    ):
        messages.append(
            Error(
                gettext(
                    "WINIADMIN['SWEEP_INTERVAL'] must be a number of seconds over 0 (and at most "
                    "3600), not %(value)r."
                )
                % {"value": sweep_interval},
                hint=gettext("The default, 2, finds a killed worker's job within seconds."),
                id="winiadmin.E011",
            )
        )
    return messages


@register()
def check_htmx(app_configs: Sequence[AppConfig] | None, **_: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if "django_htmx" not in settings.INSTALLED_APPS:
        messages.append(
            Error(
                gettext("winiadmin's admin wizard needs 'django_htmx' in INSTALLED_APPS."),
                id="winiadmin.E003",
            )
        )
    if "django_htmx.middleware.HtmxMiddleware" not in settings.MIDDLEWARE:
        messages.append(
            Error(
                gettext(
                    "winiadmin's admin wizard needs 'django_htmx.middleware.HtmxMiddleware' in "
                    "MIDDLEWARE."
                ),
                id="winiadmin.E004",
            )
        )
    return messages


_DUMMY = "django.tasks.backends.dummy.DummyBackend"
_IMMEDIATE = "django.tasks.backends.immediate.ImmediateBackend"
_NOTIFY = "winiadmin.middleware.JobNotificationMiddleware"


def _no_backend(backend: str | None) -> str:
    return gettext("missing") if backend is None else gettext("the DummyBackend")


@register()
def check_background_exports(
    app_configs: Sequence[AppConfig] | None, **_: Any
) -> list[CheckMessage]:
    """Background exports need a task backend that really runs tasks (docs/export.md)."""
    try:
        config = get_config()
    except (TypeError, ValueError):
        return []  # reported by check_settings
    if config.EXPORT_BACKGROUND_ROWS is None:
        return []
    backend = (getattr(settings, "TASKS", {}) or {}).get(config.TASK_BACKEND, {}).get("BACKEND")
    if backend is not None and backend != _DUMMY:
        return []
    return [
        Error(
            gettext(
                "Background exports are on (WINIADMIN['EXPORT_BACKGROUND_ROWS']) but "
                "TASKS[%(alias)r] is %(backend)s: big exports would wait forever."
            )
            % {"alias": config.TASK_BACKEND, "backend": _no_backend(backend)},
            hint=gettext(
                "Run the task workers of the background imports (docs/background.md), or set "
                "WINIADMIN['EXPORT_BACKGROUND_ROWS'] to None."
            ),
            id="winiadmin.E023",
        )
    ]


@register()
def check_background(app_configs: Sequence[AppConfig] | None, **_: Any) -> list[CheckMessage]:
    """Background runs need a task backend that really runs tasks (docs/background.md)."""
    try:
        config = get_config()
    except (TypeError, ValueError):
        return []  # reported by check_settings
    if config.BACKGROUND_THRESHOLD is None:
        return []
    messages: list[CheckMessage] = []
    if config.STALE_AFTER_SECONDS <= 2 * config.PROGRESS_INTERVAL:
        messages.append(
            Error(
                gettext(
                    "WINIADMIN['STALE_AFTER_SECONDS'] must be well over PROGRESS_INTERVAL, or "
                    "live jobs would be taken for dead."
                ),
                id="winiadmin.E007",
            )
        )
    backend = (getattr(settings, "TASKS", {}) or {}).get(config.TASK_BACKEND, {}).get("BACKEND")
    if backend is None or backend == _DUMMY:
        messages.append(
            Error(
                gettext(
                    "Background imports are on (WINIADMIN['BACKGROUND_THRESHOLD']) but "
                    "TASKS[%(alias)r] is %(backend)s: jobs would wait forever."
                )
                % {"alias": config.TASK_BACKEND, "backend": _no_backend(backend)},
                hint=gettext(
                    "Use django_tasks_db.DatabaseBackend (pip install 'winiadmin[worker]') and "
                    "run `manage.py db_worker`, or set WINIADMIN['TASK_BACKEND']."
                ),
                id="winiadmin.E006",
            )
        )
    elif backend == _IMMEDIATE:
        messages.append(
            Warning(
                gettext(
                    "TASKS[%(alias)r] is the ImmediateBackend: background imports run inside the "
                    "request after all."
                )
                % {"alias": config.TASK_BACKEND},
                hint=gettext("Fine for development; use a worker backend in production."),
                id="winiadmin.W002",
            )
        )
    if _NOTIFY not in settings.MIDDLEWARE:
        messages.append(
            Warning(
                gettext(
                    "Users are not told on their next admin page when a background import ends."
                ),
                hint=gettext("Add %(middleware)r to MIDDLEWARE after MessageMiddleware.")
                % {"middleware": _NOTIFY},
                id="winiadmin.W003",
            )
        )
    messages.extend(
        Warning(
            gettext(
                "DATABASES[%(alias)r] is an SQLite file without transaction_mode 'IMMEDIATE': "
                "with a worker and a web server writing at once, imports can fail with "
                "'database is locked'."
            )
            % {"alias": alias},
            hint=gettext(
                "Set DATABASES[%(alias)r]['OPTIONS']['transaction_mode'] = 'IMMEDIATE' (and "
                "WAL); see docs/background.md."
            )
            % {"alias": alias},
            id="winiadmin.W004",
        )
        for alias in sqlite_files_without_immediate(settings.DATABASES)
    )
    return messages


def sqlite_files_without_immediate(databases: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Aliases of SQLite databases on disk whose transactions take the write lock late.

    Two processes upgrading read locks at once make one of them fail at once, whatever the
    timeout; ``transaction_mode`` IMMEDIATE takes the lock at BEGIN, so writers queue instead.
    """
    found = []
    for alias, database in databases.items():
        name = str(database.get("NAME") or "")
        in_memory = name in ("", ":memory:") or "mode=memory" in name
        if "sqlite3" not in str(database.get("ENGINE", "")) or in_memory:
            continue
        mode = (database.get("OPTIONS") or {}).get("transaction_mode", "")
        if str(mode).upper() != "IMMEDIATE":
            found.append(alias)
    return found


@register()
def check_lookups(app_configs: Sequence[AppConfig] | None, **_: Any) -> list[CheckMessage]:
    """A lookup that may create related rows must be able to fill their required fields; a
    many-to-many declaration names a many-to-many field (and may create like a lookup)."""
    from winiadmin.importers import all_importers  # noqa: PLC0415 - the registry fills on ready()

    return [
        Error(
            f"{importer.get_name()}: {message}",
            hint=gettext("See docs/loading.md (natural keys)."),
            id="winiadmin.E008",
        )
        for importer in all_importers()
        for message in [
            *(m for lookup in importer.lookups for m in lookup.setup_errors()),
            *(m for many in importer.many_to_many for m in many.setup_errors()),
        ]
    ]


@register()
def check_upsert_keys(app_configs: Sequence[AppConfig] | None, **_: Any) -> list[CheckMessage]:
    """Every registered importer's upsert key must be unique in the database."""
    from winiadmin.db.upsert import key_attnames  # noqa: PLC0415 - models must be ready
    from winiadmin.exceptions import WiniadminError  # noqa: PLC0415
    from winiadmin.importers.registry import all_importers  # noqa: PLC0415

    messages: list[CheckMessage] = []
    for importer in all_importers():
        for model, names in importer.upsert_keys.items():
            try:
                key_attnames(model, names)
            except WiniadminError as exc:
                messages.append(
                    Error(
                        f"{importer.get_name()}: {exc}",
                        hint=gettext("See docs/loading.md (Upsert)."),
                        obj=importer,
                        id="winiadmin.E009",
                    )
                )
    return messages


@register()
def check_duplicate_key_policy(
    app_configs: Sequence[AppConfig] | None, **_: Any
) -> list[CheckMessage]:
    """``on_duplicate_key`` is one of the documented policies."""
    from winiadmin.cleaning.tracking import DUPLICATE_KEY_POLICIES  # noqa: PLC0415
    from winiadmin.importers.registry import all_importers  # noqa: PLC0415

    choices = ", ".join(repr(p) for p in DUPLICATE_KEY_POLICIES)
    return [
        Error(
            gettext("%(importer)s: on_duplicate_key is %(value)r; it must be one of %(choices)s.")
            % {
                "importer": importer.get_name(),
                "value": importer.on_duplicate_key,
                "choices": choices,
            },
            hint=gettext("See docs/cleaning.md (Rows with the same key)."),
            obj=importer,
            id="winiadmin.E015",
        )
        for importer in all_importers()
        if importer.on_duplicate_key not in DUPLICATE_KEY_POLICIES
    ]


@register()
def check_load_paths(app_configs: Sequence[AppConfig] | None, **_: Any) -> list[CheckMessage]:
    """A registered importer defines one load path, never both."""
    from winiadmin.importers.registry import all_importers  # noqa: PLC0415
    from winiadmin.pipeline.spec import two_load_paths_error  # noqa: PLC0415

    return [
        Error(
            f"{importer.get_name()}: {message}",
            hint=gettext(
                "Keep get_frames_by_model (frame-native) or get_bulks_by_model, not both."
            ),
            obj=importer,
            id="winiadmin.E020",
        )
        for importer in all_importers()
        if (message := two_load_paths_error(importer)) is not None
    ]


@register()
def check_declared_models(app_configs: Sequence[AppConfig] | None, **_: Any) -> list[CheckMessage]:
    """Models a registered importer's lookups create or its upsert_keys update are in models."""
    from winiadmin.importers.registry import all_importers  # noqa: PLC0415
    from winiadmin.pipeline.writes import declared_write_errors  # noqa: PLC0415

    return [
        Error(
            f"{importer.get_name()}: {message}.",
            hint=gettext(
                "Add the model to the importer's models: users' permissions are computed from "
                "that list (see docs/importers.md)."
            ),
            obj=importer,
            id="winiadmin.E021",
        )
        for importer in all_importers()
        for message in declared_write_errors(
            importer.models,
            # A many-to-many declaration creates its related rows like a lookup.
            (*importer.lookups, *(m.lookup for m in importer.many_to_many if not m.setup_errors())),
            importer.upsert_keys,
        )
    ]


@register()
def check_deprecated_declarations(
    app_configs: Sequence[AppConfig] | None, **_: Any
) -> list[CheckMessage]:
    """A registered importer says something in a deprecated place (docs/importers.md)."""
    from winiadmin.importers.deprecations import deprecations  # noqa: PLC0415
    from winiadmin.importers.registry import all_importers  # noqa: PLC0415

    return [
        Warning(found.message, hint=found.hint, obj=importer, id=found.id)
        for importer in all_importers()
        for found in deprecations(importer)
    ]


@register()
def check_model_importers(app_configs: Sequence[AppConfig] | None, **_: Any) -> list[CheckMessage]:
    """An importer derived from a model (declared, or offered by ``ImportMixin``) whose fields
    include a type it cannot read."""
    from winiadmin.importers.model import ModelImporter  # noqa: PLC0415
    from winiadmin.importers.registry import all_importers  # noqa: PLC0415

    return [
        Error(
            gettext("%(importer)s: no parser for the field(s) %(fields)s of %(model)s.")
            % {
                "importer": importer.get_name(),
                "fields": ", ".join(fields),
                "model": importer.model._meta.label,
            },
            hint=gettext(
                "List the fields to import in the importer's `fields` without them, or write an "
                "importer of your own (see docs/importers.md, 'Importers derived from the model')."
            ),
            obj=importer,
            id="winiadmin.E022",
        )
        for importer in all_importers()
        if issubclass(importer, ModelImporter)
        and importer.model is not None
        and (fields := importer.unsupported_fields)
    ]


#: Shortest webhook secret accepted: an HMAC key anyone could guess signs nothing.
MIN_WEBHOOK_SECRET = 16


@register()
def check_webhooks(app_configs: Sequence[AppConfig] | None, **_: Any) -> list[CheckMessage]:
    """``WINIADMIN["WEBHOOKS"]`` and what sends them (docs/webhooks.md)."""
    try:
        config = get_config()
    except (TypeError, ValueError):
        return []  # reported by check_settings
    from winiadmin.importers.registry import all_importers  # noqa: PLC0415

    messages: list[CheckMessage] = []
    names = {i.get_name() for i in all_importers()}
    for index, hook in enumerate(config.WEBHOOKS):
        where = f"WINIADMIN['WEBHOOKS'][{index}]"
        if urlsplit(hook.url).scheme not in {"http", "https"} or not urlsplit(hook.url).netloc:
            msg = gettext("%(where)s['url'] is not an http(s) URL: %(url)r.") % {
                "where": where,
                "url": hook.url,
            }
            messages.append(Error(msg, id="winiadmin.E030"))
        if len(hook.secret) < MIN_WEBHOOK_SECRET:
            msg = gettext("%(where)s['secret'] is shorter than %(n)s characters.") % {
                "where": where,
                "n": MIN_WEBHOOK_SECRET,
            }
            hint = gettext(
                "Use secrets.token_urlsafe(32), kept out of the code (an environment variable)."
            )
            messages.append(Error(msg, hint=hint, id="winiadmin.E031"))
        unknown = sorted(set(hook.events) - set(WEBHOOK_EVENTS))
        if unknown or not hook.events:
            msg = gettext("%(where)s['events'] must name some of %(events)s: %(unknown)s.") % {
                "where": where,
                "events": ", ".join(WEBHOOK_EVENTS),
                "unknown": unknown,
            }
            messages.append(Error(msg, id="winiadmin.E032"))
        strangers = sorted(set(hook.importers) - names)
        if strangers:
            msg = gettext("%(where)s['importers'] names no registered importer: %(names)s.") % {
                "where": where,
                "names": ", ".join(strangers),
            }
            messages.append(Error(msg, id="winiadmin.E033"))
    numbers = (config.WEBHOOK_MAX_ATTEMPTS, config.WEBHOOK_RETRY_SECONDS, config.WEBHOOK_TIMEOUT)
    if config.WEBHOOK_MAX_ATTEMPTS < 1 or min(numbers) <= 0:
        msg = gettext(
            "WINIADMIN['WEBHOOK_MAX_ATTEMPTS'] must be at least 1, WEBHOOK_RETRY_SECONDS and "
            "WEBHOOK_TIMEOUT over 0."
        )
        messages.append(Error(msg, id="winiadmin.E034"))
    if config.WEBHOOKS:
        messages.extend(_webhook_backend(config.TASK_BACKEND))
    return messages


def _webhook_backend(alias: str) -> list[CheckMessage]:
    backend = (getattr(settings, "TASKS", {}) or {}).get(alias, {}).get("BACKEND")
    if backend is None or backend == _DUMMY:
        msg = gettext(
            "Webhooks are configured but TASKS[%(alias)r] is %(backend)s: nothing would send them."
        ) % {"alias": alias, "backend": _no_backend(backend)}
        return [Error(msg, hint=gettext("See docs/webhooks.md."), id="winiadmin.E035")]
    if backend == _IMMEDIATE:
        msg = gettext(
            "TASKS[%(alias)r] is the ImmediateBackend: webhooks are sent inside the request."
        ) % {"alias": alias}
        return [Warning(msg, hint=gettext("Fine for development."), id="winiadmin.W030")]
    return []


@register()
def check_sources(app_configs: Sequence[AppConfig] | None, **_: Any) -> list[CheckMessage]:
    """``SOURCE_STORAGES`` and ``SOURCE_ALLOWED_NETWORKS`` (docs/sources.md)."""
    try:
        config = get_config()
    except (TypeError, ValueError):
        return []  # reported by check_settings
    messages: list[CheckMessage] = []
    missing = [a for a in config.SOURCE_STORAGES if a not in settings.STORAGES]
    if missing:
        msg = gettext("WINIADMIN['SOURCE_STORAGES'] names aliases STORAGES lacks: %(aliases)s.") % {
            "aliases": ", ".join(missing)
        }
        messages.append(Error(msg, id="winiadmin.E036"))
    for network in config.SOURCE_ALLOWED_NETWORKS:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            msg = gettext(
                "WINIADMIN['SOURCE_ALLOWED_NETWORKS'] has %(network)r, not a network (CIDR)."
            ) % {"network": network}
            hint = gettext("For example '10.1.0.0/16'.")
            messages.append(Error(msg, hint=hint, id="winiadmin.E037"))
    return messages
