"""The load stage's database helpers: insert order, chunked bulk writes, deletion previews."""
