"""Web pages, one blueprint per audience: each view reads the request, calls one store function, renders."""
