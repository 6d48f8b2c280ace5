"""The contact actions: request models, one contact (service.py), lists, writes, tracking events."""
