"""swfobjects.cli: operating workflows from the shell (``swfobjects VERB ...``).

The verbs, beside ``swfobjects local``::

    swfobjects register shop                       # domain + every type in shop.py
    swfobjects worker shop --processes 4           # deciders and activity workers, supervised
    swfobjects start shop:Checkout '["lamp", 250]' --id order-42
    swfobjects run shop:Checkout '{"item": "lamp"}'    # start, wait, print the result
    swfobjects signal order-42 approve '{"by": "ann"}'
    swfobjects cancel order-42 / terminate order-42 --reason "bad input"
    swfobjects list --open / show order-42 / history order-42 > run.json
    swfobjects replay run.json --workflow shop:Checkout   # exit 1 if the code no longer fits
    swfobjects stubgen shop                        # shop_stubs.py: typed clients for pyright

Global options (before or after the verb): ``--domain`` (or ``$SWFOBJECTS_DOMAIN``),
``--endpoint-url`` (or ``$AWS_ENDPOINT_URL_SWF``), ``--region``, ``--data-store``, ``--json``,
``--debug``. The CLI sits on top of every layer; ``_commands`` holds the parser,
``_verbs``, ``_worker`` and ``_stubgen`` the verbs, ``_context`` the connection and the loading
of the user's modules, ``_timeline`` the history table.
"""

from ._commands import VERBS, add_commands, run_command

__all__ = ["VERBS", "add_commands", "run_command"]
