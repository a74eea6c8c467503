"""swfobjects.swf."""
