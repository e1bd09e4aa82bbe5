from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path
from shop.wizard import site as shop_imports

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/imports/", include("winiadmin.api.urls")),
    # The wizard for the application's own users (docs/user-wizard.md).
    path("imports/", shop_imports.urls),
    path("accounts/login/", LoginView.as_view(template_name="admin/login.html"), name="login"),
]
