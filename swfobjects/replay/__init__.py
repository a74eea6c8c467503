"""swfobjects.replay."""
