"""Pieces shared by the domain packages: identifiers, reference data, schema types, paging."""
