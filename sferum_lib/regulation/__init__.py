"""The regulation as data: the duty catalogue and its loader."""

from sferum_lib.regulation.catalogue import Catalogue, Duty, default_catalogue, load_catalogue

__all__ = ["Catalogue", "Duty", "default_catalogue", "load_catalogue"]
