"""What an operator sees (interface §11): each poll's outcome per (connection, trigger), the verdict that makes a
failing polling trigger answer 502, `/api/health`, and `/api/status` as JSON and as a page.

The top of the house: it reads every package below it; only functions/ imports it.
"""
