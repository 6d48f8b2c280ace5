"""The local host (serves function_app.py like `func start`), the Intercom simulator and local tooling.

Dev-only: function_app.py never imports anything from here.
"""
