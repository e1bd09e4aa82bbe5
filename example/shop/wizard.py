"""The import wizard for the shop's own users, outside the admin (docs/user-wizard.md):
``/imports/`` offers the catalogue to whoever holds its permissions, staff or not."""

from winiadmin.wizard import UserWizardSite


class ShopImports(UserWizardSite):
    importers = ("shop.catalogue",)


site = ShopImports()
