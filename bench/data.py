"""The benchmark's input: a CSV of products, generated deterministically (seeded RNG).

Columns: ``sku,name,price,quantity,category,store,available_from``, the columns of the demo
importer ``shop.catalogue``. Two foreign keys are given by name (category, store): about one
category per 100 rows (at most 500) and 50 stores. SKUs are unique, prices have two decimals,
dates are ISO ``YYYY-MM-DD``. No cell is empty and no row is invalid, so every contender can and
must load every row.

Next to ``products-<rows>.csv`` a ``.meta.json`` holds what the measurement checks afterwards:
the category and store names, the sums of quantity and price, and a sample of rows.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

#: Bump when the generator changes, so that cached files are made anew.
VERSION = 1
SEED = 20240611
STORES = 50
MAX_CATEGORIES = 500
SAMPLE_SIZE = 100
COLUMNS = ("sku", "name", "price", "quantity", "category", "store", "available_from")

_ADJECTIVES = (
    "Red",
    "Blue",
    "Green",
    "Black",
    "White",
    "Small",
    "Large",
    "Classic",
    "Modern",
    "Vintage",
    "Smart",
    "Eco",
    "Deluxe",
    "Basic",
    "Pro",
    "Ultra",
    "Mini",
    "Max",
    "Soft",
    "Hard",
    "Light",
    "Heavy",
    "Quick",
    "Silent",
    "Golden",
    "Silver",
    "Wooden",
    "Steel",
    "Cotton",
    "Wool",
)
_NOUNS = (
    "Chair",
    "Table",
    "Lamp",
    "Mug",
    "Kettle",
    "Towel",
    "Pillow",
    "Blanket",
    "Shelf",
    "Clock",
    "Mirror",
    "Rug",
    "Vase",
    "Bowl",
    "Plate",
    "Knife",
    "Spoon",
    "Fork",
    "Pan",
    "Pot",
    "Jar",
    "Box",
    "Basket",
    "Bag",
    "Shoe",
    "Hat",
    "Scarf",
    "Glove",
    "Sock",
    "Shirt",
    "Jacket",
    "Desk",
)
_CITIES = (
    "Berlin",
    "Paris",
    "Rome",
    "Madrid",
    "Vienna",
    "Prague",
    "Lisbon",
    "Oslo",
    "Dublin",
    "Warsaw",
)
_FIRST_DATE = date(2020, 1, 1)


@dataclass(frozen=True)
class Dataset:
    path: Path
    rows: int
    categories: list[str]
    stores: list[str]
    quantity_sum: int
    price_sum: str  # a Decimal, as text (JSON has no decimals)
    #: ``SAMPLE_SIZE`` rows spread over the file, as written (all text).
    sample: list[dict[str, str]]

    @property
    def meta_path(self) -> Path:
        return meta_path(self.path)


def meta_path(csv_path: Path) -> Path:
    return csv_path.with_suffix(".meta.json")


def category_count(rows: int) -> int:
    return max(1, min(MAX_CATEGORIES, rows // 100))


def generate(rows: int, directory: Path, *, seed: int = SEED) -> Dataset:
    """Write ``products-<rows>.csv`` into ``directory`` (reused when already there)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"products-{rows}-v{VERSION}-s{seed}.csv"
    if path.exists() and meta_path(path).exists():
        return load(path)
    rng = random.Random(seed)
    categories = [
        f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}s {i:03d}"
        for i in range(category_count(rows))
    ]
    stores = [f"{rng.choice(_CITIES)} Store {i:02d}" for i in range(STORES)]
    every = max(1, rows // SAMPLE_SIZE)
    sample: list[dict[str, str]] = []
    quantity_sum = 0
    price_cents = 0
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for i in range(rows):
            cents = rng.randint(99, 999_999)
            quantity = rng.randint(0, 1000)
            # The first rows name every category and store once, so all of them are used.
            category = categories[i] if i < len(categories) else rng.choice(categories)
            store = stores[i] if i < len(stores) else rng.choice(stores)
            row = (
                f"SKU-{i:09d}",
                f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {rng.randint(1, 9999)}",
                f"{cents // 100}.{cents % 100:02d}",
                str(quantity),
                category,
                store,
                (_FIRST_DATE + timedelta(days=rng.randint(0, 2000))).isoformat(),
            )
            writer.writerow(row)
            quantity_sum += quantity
            price_cents += cents
            if i % every == 0 and len(sample) < SAMPLE_SIZE:
                sample.append(dict(zip(COLUMNS, row, strict=True)))
    tmp.replace(path)
    dataset = Dataset(
        path=path,
        rows=rows,
        categories=sorted(categories),  # never more categories than rows
        stores=sorted(stores[:rows]),  # fewer than 50 rows: fewer stores
        quantity_sum=quantity_sum,
        price_sum=str(Decimal(price_cents) / 100),
        sample=sample,
    )
    meta = {k: v for k, v in asdict(dataset).items() if k != "path"}
    meta_path(path).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return dataset


def load(csv_path: Path) -> Dataset:
    meta = json.loads(meta_path(csv_path).read_text(encoding="utf-8"))
    return Dataset(path=csv_path, **meta)
