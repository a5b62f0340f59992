"""Moved to :mod:`landuse.mapping.static`; this module stays as an alias for one release.

Import from :mod:`landuse.mapping.static` instead; ``import landuse.static_map`` warns with a
:class:`DeprecationWarning` and will be removed in the next release.
"""

import warnings

from landuse.mapping.static import *  # noqa: F403
from landuse.mapping.static import __all__  # noqa: F401

warnings.warn(
    "landuse.static_map moved to landuse.mapping.static; import it from there "
    "(this alias will be removed in the next release)",
    DeprecationWarning,
    stacklevel=2,
)
