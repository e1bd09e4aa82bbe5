from django.contrib import admin

from shop.models import Category, Customer, Order, OrderLine, Product, Store


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["name", "parent"]
    search_fields = ["name"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin[Store]):
    list_display = ["name", "city"]
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ["sku", "name", "price", "quantity", "category", "store", "available_from"]
    list_filter = ["category", "store"]
    search_fields = ["sku", "name"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ["name", "email"]
    search_fields = ["name", "email"]


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = ["order_id", "customer", "amount", "created_at"]
    inlines = [OrderLineInline]
    search_fields = ["order_id", "customer__email"]
