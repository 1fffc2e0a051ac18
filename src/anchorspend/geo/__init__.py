"""Geography: the ONS postcode directory and the Indices of Deprivation as a local store, and
where each supplier is.

- ``store``: a store on disk (``Store``, ``open_store``) and the one bundled in the package
  (``bundled_store``);
- ``importer``: ``geo import``, the postcode directory and deprivation files into a store;
- ``locate``: each supplier's place (``locate``), and ``geo lookup``'s table;
- ``tiers``: ``[local.tiers]`` entries as codes (``resolve_tiers``).
"""
