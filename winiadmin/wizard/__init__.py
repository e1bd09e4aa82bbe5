"""The import wizard for the application's own users, outside the admin (docs/user-wizard.md):
subclass :class:`UserWizardSite`, declare its ``importers``, mount its ``urls``."""

from winiadmin.wizard.site import UserWizardSite

__all__ = ["UserWizardSite"]
