"""`python -m devserver --port 7071`: the local Functions host (see devserver/host.py and docs/devserver.md)."""

from devserver.host import main

raise SystemExit(main())
