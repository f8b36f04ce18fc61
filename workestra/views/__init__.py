"""Pages of the tenant core, one module per surface."""
