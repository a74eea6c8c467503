"""swfobjects.workflow."""
