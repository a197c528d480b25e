"""Database work: every query and write the web pages and commands need, in one layer."""
