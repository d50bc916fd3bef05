"""The public pages of documents: the directory of published documents and the catalogue of
disclosure items (issue #16)."""
