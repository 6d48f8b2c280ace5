"""The project's Intercom simulator (see docs/simulator.md)."""

from devserver.intercom.config import Config
from devserver.intercom.simulator import RequestRecord, Simulator

__all__ = ["Config", "RequestRecord", "Simulator"]
