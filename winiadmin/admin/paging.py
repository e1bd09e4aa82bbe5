"""Page arithmetic for the preview tables (a total and a slice, no queryset needed)."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PageInfo:
    number: int
    size: int
    total: int

    @classmethod
    def from_request(cls, raw: str | None, size: int, total: int) -> "PageInfo":
        try:
            number = int(raw or 1)
        except ValueError:
            number = 1
        pages = max(1, -(-total // size))
        return cls(min(max(number, 1), pages), size, total)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def start_index(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def end_index(self) -> int:
        return min(self.offset + self.size, self.total)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages
