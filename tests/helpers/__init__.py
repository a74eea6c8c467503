"""Code the tests share: import as ``from tests.helpers.net import free_port``.

* ``net``: ``free_port``;
* ``servers``: ``moto_server`` and ``local_swf`` (context managers behind the shared fixtures in
  ``tests/conftest.py``);
* ``histories``: a builder of SWF-shaped histories for decider and poller tests;
* ``local_support``: a hand-moved clock, raw HTTP calls and shape checks for ``swfobjects local``.
"""
