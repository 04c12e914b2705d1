"""The management network: finding the host's active interface and planning the network on it (pure)."""
