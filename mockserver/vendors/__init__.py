"""The vendor adapters, by name. Each lives in its own package with spec, auth, errors, handlers."""
from __future__ import annotations

from .base import Vendor
from .clarifai import ClarifaiVendor
from .cloudfactory import CloudFactoryVendor
from .modelarts import ModelArtsVendor

VENDORS: dict[str, Vendor] = {
    "clarifai": ClarifaiVendor(),
    "modelarts": ModelArtsVendor(),
    "cloudfactory": CloudFactoryVendor(),
}
