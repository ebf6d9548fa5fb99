"""Pure supply-chain analysis engine (docs/methods/).

Functions take pandas DataFrames (see :mod:`supplychain.schema`) or a graph built from them and
return new DataFrames or frozen dataclasses; nothing here touches files, databases, the clock or
Streamlit. Modules (imported lazily by callers, so ``import supplychain`` stays cheap):

- ``schema``: input frame columns, dtypes and validating constructors;
- ``thresholds``: every cut-off, as the frozen :class:`~supplychain.thresholds.Thresholds`;
- ``graph``: the array form (CSR, topological levels, alternatives per level); ``levels``: the
  per-level sweep machinery; ``topology``: cycle search, levels and chains on small graphs;
- ``alternatives``: what the relations mean for availability (required inputs, share-weighted
  types, substitutes) and its propagation, with lowest and highest completions;
- ``reach``: downstream reach, dominators with a super-source, market reach;
- ``knockout``: knockout and single-supplier knockout losses given the alternatives;
- ``reference``: the networkx model and plain networkx versions of the graph algorithms (tests,
  baseline);
- ``concentration``: shares, HHI, top share, CR3, coverage of unknown shares;
- ``chokepoints``: concentration (global / foreign) and structural chokepoints;
- ``control_points``: home / bloc control points, leverage, mutual dependency;
- ``disruption``: shock propagation with loss intervals (countries, firms, nodes; stocks);
  ``sweep``: every country at once as float32 matrix columns, supplier knockout;
- ``losses``: share intervals (point-share adapter), share matrices, loss tables per final
  product and focus market;
- ``screening``: EU three-criteria screen on trade flows, transit rule;
- ``supply_risk``: governance-weighted supply risk (EU CRM method);
- ``risk``: composite dependency-risk targets for the optimiser;
- ``analysis``: one call producing the per-node table with explanations and evidence.
"""
