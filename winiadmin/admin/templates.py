"""Template lookup like the admin's own: per model, then per app, then winiadmin's default."""

from django.db.models import Model


def template_candidates(step: str, model: type[Model] | None) -> list[str]:
    """``admin/<app>/<model>/winiadmin/<step>.html``, then ``admin/<app>/winiadmin/<step>.html``,
    then ``admin/winiadmin/<step>.html``."""
    names = [f"admin/winiadmin/{step}.html"]
    if model is not None:
        app, name = model._meta.app_label, model._meta.model_name
        names[:0] = [
            f"admin/{app}/{name}/winiadmin/{step}.html",
            f"admin/{app}/winiadmin/{step}.html",
        ]
    return names
