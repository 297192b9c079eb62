"""Terminal UI on stderr and the controlling terminal."""
