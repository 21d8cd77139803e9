"""FusionFlow node types and the SDK to write them (see ``nodes.sdk``)."""
