from django.contrib import admin

from shop.models import Category, Customer, Order, OrderLine, Product, Store
from winiadmin.admin import ExportMixin, ImportMixin


@admin.register(Category)
class CategoryAdmin(ExportMixin, ImportMixin, admin.ModelAdmin[Category]):
    list_display = ["name", "parent"]
    search_fields = ["name"]


@admin.register(Store)
class StoreAdmin(ExportMixin, ImportMixin, admin.ModelAdmin[Store]):
    list_display = ["name", "city"]
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(ExportMixin, ImportMixin, admin.ModelAdmin[Product]):
    # The button leads straight to the catalogue import; "shop.products" (stores by name, must
    # exist) is offered on the "Import data" page and on the categories' button.
    importers = ("shop.catalogue",)
    list_display = ["sku", "name", "price", "quantity", "category", "store", "available_from"]
    list_filter = ["category", "store"]
    search_fields = ["sku", "name"]


@admin.register(Customer)
class CustomerAdmin(ExportMixin, ImportMixin, admin.ModelAdmin[Customer]):
    list_display = ["name", "email"]
    search_fields = ["name", "email"]


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    extra = 0


@admin.register(Order)
class OrderAdmin(ExportMixin, ImportMixin, admin.ModelAdmin[Order]):
    list_display = ["order_id", "customer", "amount", "created_at"]
    inlines = [OrderLineInline]
    search_fields = ["order_id", "customer__email"]
