"""The basic node types: run inputs, text, flow control (declared on import; see ``nodes.catalog``)."""
