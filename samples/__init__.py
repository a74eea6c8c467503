"""Runnable samples: ``python -m samples.hello``, ``python -m samples.fanout``,
``python -m samples.order``."""
