"""Web pages, one blueprint per audience: read the request, call the store, render."""
