"""A URLconf with a project's own admin site beside the default one, for the tests of winiadmin
on any ``AdminSite`` (``@pytest.mark.urls("tests.admin.custom_site")``).

``office`` is mounted at ``/office/`` under its own name; the default site stays at ``/admin/``,
so a URL reversed without the site's name would point there and the tests would see it.
"""

from django.contrib import admin
from django.urls import path
from shop.admin import CategoryAdmin, ProductAdmin, StoreAdmin
from shop.models import Category, Product, Store

from winiadmin.admin import ImportJobAdmin
from winiadmin.models import ImportJob


class OfficeSite(admin.AdminSite):
    site_header = "Back office"


office = OfficeSite(name="office")
office.register(ImportJob, ImportJobAdmin)
office.register(Product, ProductAdmin)
office.register(Category, CategoryAdmin)
office.register(Store, StoreAdmin)

urlpatterns = [
    path("office/", office.urls),
    path("admin/", admin.site.urls),
]
