"""The graph core: the document (spec), validation and the plan. Pure code, no I/O."""
