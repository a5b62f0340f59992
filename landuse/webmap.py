"""Moved to :mod:`landuse.crs.webmap`; this module stays as an alias for one release.

Import from :mod:`landuse.crs.webmap` instead; ``import landuse.webmap`` warns with a
:class:`DeprecationWarning` and will be removed in the next release.
"""

import warnings

from landuse.crs.webmap import *  # noqa: F403
from landuse.crs.webmap import __all__  # noqa: F401

warnings.warn(
    "landuse.webmap moved to landuse.crs.webmap; import it from there "
    "(this alias will be removed in the next release)",
    DeprecationWarning,
    stacklevel=2,
)
