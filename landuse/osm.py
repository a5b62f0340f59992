"""Moved to :mod:`landuse.io.osm`; this module stays as an alias for one release.

Import from :mod:`landuse.io.osm` instead; ``import landuse.osm`` warns with a
:class:`DeprecationWarning` and will be removed in the next release.
"""

import warnings

from landuse.io.osm import *  # noqa: F403
from landuse.io.osm import __all__  # noqa: F401

warnings.warn(
    "landuse.osm moved to landuse.io.osm; import it from there "
    "(this alias will be removed in the next release)",
    DeprecationWarning,
    stacklevel=2,
)
