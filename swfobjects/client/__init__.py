"""swfobjects.client."""
