"""A Bloom filter of 64-bit key hashes, of a fixed size whatever the number of keys.

A streamed import must find, in each batch, the unique keys an earlier batch loaded. Keeping the
hashes themselves costs 8 bytes a row (80 MB at 10M rows), plus the hash set polars builds from
them for every batch's check. A Bloom filter answers "maybe seen" or "certainly not seen" from a
fixed number of bits: memory stays flat, and a "maybe" is only a candidate that the database then
confirms or refutes, so the answer stays exact. What grows with the keys is the share of false
candidates: with ``FILTER_BITS`` and ``PROBES`` below, about 1 in 230 new keys at 10M keys
(one query per batch confirms them), fewer than 1 in a million at 1M; a third at 50M, four in
five at 100M: still exact, at the cost of the queries the filter was saving.
"""

import polars as pl

#: Bits of one filter: 2**27 bits are 16 MiB, allocated at the first batch that needs them.
FILTER_BITS = 1 << 27
#: Bits set (and tested) per key.
PROBES = 4

_LOW_32 = (1 << 32) - 1


class KeyFilter:
    """Which 64-bit hashes may have been added (false positives possible, false negatives not)."""

    __slots__ = ("_bits", "_mask", "_probes")

    def __init__(self, bits: int = FILTER_BITS, probes: int = PROBES) -> None:
        if bits <= 0 or bits & (bits - 1):
            msg = f"bits must be a power of two, not {bits}"
            raise ValueError(msg)
        # A Boolean series is bit-packed: ``bits`` bits take bits / 8 bytes.
        self._bits = pl.repeat(False, bits, dtype=pl.Boolean, eager=True)
        self._mask = bits - 1
        self._probes = probes

    def might_contain(self, hashes: pl.Series) -> pl.Series:
        """Per hash: True when every one of its bits is set (it may have been added)."""
        found = pl.repeat(True, hashes.len(), dtype=pl.Boolean, eager=True)
        for position in self._positions(hashes).iter_columns():
            found &= self._bits.gather(position)
        return found

    def add(self, hashes: pl.Series) -> None:
        for position in self._positions(hashes).iter_columns():
            self._bits.scatter(position, True)  # in place: no copy of the filter

    def _positions(self, hashes: pl.Series) -> pl.DataFrame:
        """``probes`` bit positions per hash (double hashing: low + i * high 32 bits)."""
        h = pl.col("h")
        low, high = h & _LOW_32, h // (1 << 32)
        probes = [((low + i * high) & self._mask).alias(f"p{i}") for i in range(self._probes)]
        return pl.DataFrame({"h": hashes.cast(pl.UInt64)}).select(probes)
