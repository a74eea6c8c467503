"""swfobjects.model."""
