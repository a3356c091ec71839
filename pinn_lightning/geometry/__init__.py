"""Geometries: shapes, their boolean combinations, interior and boundary sampling with normals."""

from .base import Geometry
from .csg import Difference, Intersection, Union
from .shapes import Ball, Box, Disk, Polygon
from .spacetime import SpaceTime

__all__ = ["Ball", "Box", "Difference", "Disk", "Geometry", "Intersection", "Polygon", "SpaceTime", "Union"]
