"""``subsidy-xl ui``: the ribbon's buttons as a local web page, for WPS, 信创 (Kylin/UOS) and Mac users.

A Flask app served by waitress on 127.0.0.1 only. Every action calls the same use case as the CLI
(``service``); this package adds the page, the security around it (token, same-origin POSTs, Host
check, one folder) and the presentation (masked issue rows, SVG charts). No rule is implemented here.
"""
