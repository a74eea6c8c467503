"""swfobjects.payloads."""
