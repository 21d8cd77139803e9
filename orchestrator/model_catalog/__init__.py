"""The catalog of provider models (contract section 13): fal's model endpoints with their
categories and input schemas, from a snapshot shipped in the package (so it works
offline), refreshed from fal's model search API when ``FAL_KEY`` is set."""
