"""The company actions: request models (requests.py) and services (service.py)."""
