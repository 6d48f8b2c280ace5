"""The Azure edge: one blueprint per concern, thin handlers."""
