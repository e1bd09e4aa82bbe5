"""Edge-case models for the loader tests: self references, cycles, UUID keys, inheritance."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower


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


def validate_even(value: int) -> None:
    """A project's own validator (``validators=[…]``): called once per distinct value."""
    if value % 2:
        raise ValidationError("%(value)s is odd.", params={"value": value})


class Ruled(models.Model):
    """Every kind of rule ``full_clean()`` applies, for tests/validation."""

    code = models.SlugField(max_length=10, unique=True)
    label = models.CharField(max_length=5, blank=True, default="")
    size = models.CharField(
        max_length=1,
        blank=True,
        default="",
        choices=[("S", "Small"), ("More", [("M", "Medium"), ("L", "Large")])],
    )
    level = models.SmallIntegerField(null=True, blank=True)
    score = models.IntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    amount = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    email = models.EmailField(blank=True, default="")
    site = models.URLField(blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    token = models.UUIDField(null=True, blank=True)
    even = models.IntegerField(null=True, blank=True, validators=[validate_even])
    low = models.IntegerField(default=0)
    high = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(low__lte=F("high")), name="ruled_low_lte_high"),
            # An expression winiadmin does not evaluate: left to the database.
            models.CheckConstraint(condition=Q(label=Lower("label")), name="ruled_label_lower"),
        ]


class Maker(models.Model):
    """The target of :class:`Gadget`'s foreign keys: by primary key or by ``code``."""

    code = models.CharField(max_length=20, unique=True)


class Gadget(models.Model):
    """One field of every type the importer derived from a model reads (``ModelImporter``)."""

    class Size(models.TextChoices):
        SMALL = "S", "Small"
        LARGE = "L", "Large"

    name = models.CharField("Gadget name", max_length=50, unique=True)
    notes = models.TextField(blank=True)
    slug = models.SlugField(blank=True)
    email = models.EmailField(blank=True)
    url = models.URLField(blank=True)
    ref = models.UUIDField(null=True)
    small = models.SmallIntegerField(null=True)
    count = models.PositiveIntegerField(null=True)
    big = models.BigIntegerField(null=True)
    price = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    ratio = models.FloatField(null=True)
    active = models.BooleanField(default=False)
    day = models.DateField(null=True)
    moment = models.DateTimeField(null=True)
    clock = models.TimeField(null=True)
    span = models.DurationField(null=True)
    data = models.JSONField(null=True)
    ip = models.GenericIPAddressField(null=True)
    size = models.CharField(max_length=1, choices=Size.choices, default=Size.SMALL)
    level = models.IntegerField(choices=[(1, "Low"), (2, "High")], null=True)
    maker = models.ForeignKey(Maker, null=True, on_delete=models.CASCADE, related_name="+")
    made_by = models.ForeignKey(
        Maker, null=True, on_delete=models.CASCADE, related_name="gadgets", to_field="code"
    )
    twin = models.OneToOneField(Maker, null=True, on_delete=models.CASCADE, related_name="twin")


class Blob(models.Model):
    """A field type without a parser: its derived importer is refused (``winiadmin.E022``)."""

    name = models.CharField(max_length=20)
    upload = models.FileField(upload_to="blobs/")


class Wide(models.Model):
    """A decimal wider than polars' 38 digits: no parser (``winiadmin.E022``)."""

    amount = models.DecimalField(max_digits=40, decimal_places=2)


class Article(models.Model):
    """Many-to-many tags given by name in one cell (``red|blue``): both load paths, upsert."""

    code = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=100)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")


class Club(models.Model):
    """A many-to-many field through a model of its own (``ClubTag.since`` is required): no
    column for a derived importer (``winiadmin.E022``)."""

    name = models.CharField(max_length=50, unique=True)
    tags = models.ManyToManyField(Tag, through="ClubTag", blank=True, related_name="clubs")


class ClubTag(models.Model):
    club = models.ForeignKey(Club, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    since = models.DateField()


class Folder(models.Model):
    """A row that belongs to a user and is found by name among the user's own folders: two
    users may each have a "Work" (``testapp.filed_notes``' lookup never links to another's)."""

    owner = models.ForeignKey(
        "auth.User", null=True, on_delete=models.CASCADE, related_name="testapp_folders"
    )
    name = models.CharField(max_length=50)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("owner", "name"), name="testapp_folder_owner_name"),
        )


class Note(models.Model):
    """A row that belongs to a user (the wizard outside the admin: ``owner`` is set for them,
    and an upsert by ``code`` touches only their own notes)."""

    owner = models.ForeignKey(
        "auth.User", null=True, on_delete=models.CASCADE, related_name="testapp_notes"
    )
    code = models.CharField(max_length=20, unique=True)
    text = models.CharField(max_length=100)
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.SET_NULL)
    #: More folders, by name in one cell (a many-to-many declaration's owned related rows).
    shelves = models.ManyToManyField(Folder, blank=True, related_name="shelved_notes")
