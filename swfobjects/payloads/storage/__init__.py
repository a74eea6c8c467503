"""Out-of-band payload storage; the public surface is :mod:`swfobjects.storage`.

``references`` (what travels inside SWF), ``stores`` and ``s3`` (where bytes live), ``cache``
(replay must not re-download) and ``offload`` (the adapter the payload layer calls).
"""
