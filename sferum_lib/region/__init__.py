"""The region: many organisations' workbooks imported, audited and reported at once, on a Dask cluster.

``sferum --store R region import|audit|indicators|report``; see :mod:`sferum_lib.region.core` for the layout.
This package imports nothing heavy at import time: the ``sferum`` command registers its parser from here.
"""
