"""``manage.py winiadmin_api_token <username> <name>``: issue a bearer token of the JSON API."""

from argparse import ArgumentParser
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from winiadmin.commands.base import whole_number
from winiadmin.commands.builtin import BuiltinCommand
from winiadmin.tokens import issue_token

_days = whole_number(1)


class Command(BuiltinCommand):
    help = (
        "Issue a bearer token for the import API acting as <username> (who needs the wizard's "
        "permissions: active staff holding the importers' permissions). The key is printed "
        "once, on stdout: only its hash is stored. Revoke a token by deleting it in the admin."
    )

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for (shown in the admin).")
        parser.add_argument("--days", type=_days, default=None, help="Expire after N days.")

    def handle_command(self) -> None:
        username = str(self.get_option("username"))
        users = get_user_model()._default_manager
        try:
            user = users.get_by_natural_key(username)
        except users.model.DoesNotExist as exc:
            msg = _("No user %(name)r.") % {"name": username}
            raise CommandError(msg) from exc
        days = self.get_option("days")
        expires = timezone.now() + timedelta(days=int(days)) if days is not None else None
        token, key = issue_token(user, str(self.get_option("name")), expires_at=expires)
        shown = _("Token %(prefix)s… for %(user)s: keep the key, it is shown once.")
        self.stderr.write(shown % {"prefix": token.prefix, "user": user})
        self.stdout.write(key)
