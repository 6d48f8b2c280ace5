"""The project's Intercom simulator (see docs/simulator.md)."""

from intercom_sim.config import Config
from intercom_sim.simulator import RequestRecord, Simulator

__all__ = ["Config", "RequestRecord", "Simulator"]
