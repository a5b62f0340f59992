"""landuse: industrial land analysis for Qingdao's key industrial cluster zones."""

__version__ = "0.1.0"
