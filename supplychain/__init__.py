"""Pure supply-chain analysis engine (docs/methods/).

Functions take pandas DataFrames (see :mod:`supplychain.schema`) or a graph built from them and
return new DataFrames or frozen dataclasses; nothing here touches files, databases, the clock or
Streamlit. Modules (imported lazily by callers, so ``import supplychain`` stays cheap):

- ``schema``: input frame columns, dtypes and validating constructors;
- ``thresholds``: every cut-off, as the frozen :class:`~supplychain.thresholds.Thresholds`;
- ``graph``: the networkx model and the array form (CSR, topological levels);
- ``reach``: downstream reach (knockout), dominators with a super-source, market reach;
- ``reference``: plain networkx versions of the graph algorithms (tests, baseline);
- ``concentration``: shares, HHI, top share, CR3, coverage of unknown shares;
- ``chokepoints``: concentration (global / foreign) and structural chokepoints;
- ``control_points``: home / bloc control points, leverage, mutual dependency;
- ``disruption``: shock propagation (countries, firms, nodes; stocks), every country at once as
  float32 matrix columns, supplier knockout;
- ``losses``: share matrices and loss tables per final product and focus market;
- ``screening``: EU three-criteria screen on trade flows, transit rule;
- ``supply_risk``: governance-weighted supply risk (EU CRM method);
- ``risk``: composite dependency-risk targets for the optimiser;
- ``analysis``: one call producing the per-node table with explanations and evidence.
"""
