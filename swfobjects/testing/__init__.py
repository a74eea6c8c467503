"""swfobjects.testing."""
