"""Lightning callbacks of the framework."""

from .fit_summary import FitSummary

__all__ = ["FitSummary"]
