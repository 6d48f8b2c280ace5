"""The project's Intercom simulator (see docs/simulator.md)."""

from devserver.intercom.simulator import Config, RequestRecord, Simulator

__all__ = ["Config", "RequestRecord", "Simulator"]
