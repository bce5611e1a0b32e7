"""The version of this package, which must be the version of the libitsm it loads."""

__version__ = "0.1.0"

#: ``major * 10000 + minor * 100 + patch``, as ``itsm_version_number()`` reports it.
VERSION_NUMBER = 100
