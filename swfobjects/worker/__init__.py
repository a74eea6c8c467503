"""swfobjects.worker."""
