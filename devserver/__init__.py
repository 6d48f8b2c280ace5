"""The local Functions host: serves function_app.py as `func start` does (HTTP, timers, queues, the admin API), and
local tooling (Azurite, free ports, the host as a subprocess for tests). See docs/devserver.md.

Dev-only: function_app.py never imports anything from here (tests/test_layering.py).
"""
