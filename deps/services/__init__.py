"""The services room: analysis, criticality, simulation, optimisation, batches, scenarios, runs, exports, views.

Each public function takes the acting user, checks the role and calls the pure engines (``supplychain``,
``optimizer``); engine errors become user-facing ``deps.errors`` here. It may import store, access and ingest.
"""
