"""The conversation actions: request models (requests.py) and services (service.py)."""
