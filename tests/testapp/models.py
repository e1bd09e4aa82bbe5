"""Edge-case models for the loader tests: self references, cycles, UUID keys, inheritance."""

import uuid

from django.db import models


class Node(models.Model):
    """A tree: instances may point at unsaved parents of the same import."""

    name = models.CharField(max_length=50, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )


class Leaf(models.Model):
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="leaves")
    label = models.CharField(max_length=50)


class CycleA(models.Model):
    b = models.ForeignKey("CycleB", null=True, on_delete=models.SET_NULL, related_name="+")


class CycleB(models.Model):
    a = models.ForeignKey(CycleA, on_delete=models.CASCADE, related_name="+")


class UUIDParent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=50)


class UUIDChild(models.Model):
    parent = models.ForeignKey(UUIDParent, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=50)


class Place(models.Model):
    name = models.CharField(max_length=50)


class Restaurant(Place):
    """Multi-table inheritance: Django's bulk_create refuses these."""

    serves_pizza = models.BooleanField(default=False)


class Protected(models.Model):
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="protected")


class CorpusItem(models.Model):
    """What the reliability corpus imports: text codes, big integers, money, dates."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    quantity = models.BigIntegerField(null=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    day = models.DateField(null=True)


class FaultParent(models.Model):
    """Fault injection: the first model of a two-model import."""

    name = models.CharField(max_length=50, unique=True)


class FaultChild(models.Model):
    """Its database CHECK constraint is invisible to cleaning: it fails at INSERT time."""

    parent = models.ForeignKey(FaultParent, on_delete=models.CASCADE, related_name="children")
    amount = models.IntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="testapp_faultchild_amount_gte_0"
            )
        ]


class Tag(models.Model):
    """A flat model with a unique name: loaded chunk by chunk (the background-run tests)."""

    name = models.CharField(max_length=50, unique=True)


class Line(models.Model):
    """A flat model with no unique constraint at all: a second copy of an import would go in
    unnoticed (the fencing tests: a job commits at most once)."""

    text = models.CharField(max_length=50)


class StockLevel(models.Model):
    """Upsert by a two-column key (warehouse, code), with a datetime to compare."""

    warehouse = models.CharField(max_length=20)
    code = models.CharField(max_length=20)
    quantity = models.IntegerField()
    counted_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="testapp_stock_key")
        ]


class Article(models.Model):
    """Many-to-many tags given by name in one cell (``red|blue``): both load paths, upsert."""

    code = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=100)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
