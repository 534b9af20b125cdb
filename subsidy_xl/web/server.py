"""Serve the app on 127.0.0.1 with waitress (pure Python, no access log) and open the browser."""
from __future__ import annotations

import logging
import secrets
import threading
import webbrowser
from pathlib import Path

from .app import create_app

HOST = "127.0.0.1"  # never another interface: the page is for this machine's user only


class Server:
    """A running page: ``url`` (with the token, for the first open), ``run()`` until stopped, ``stop()``."""

    def __init__(self, folder: str | Path, port: int = 0, token: str | None = None, **app_options) -> None:
        from waitress.server import create_server

        self.token = token or secrets.token_urlsafe(32)
        self.app = create_app(folder, port, self.token, **app_options)
        # waitress logs no requests (it has no access log); its own logger says only where it listens
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self._server = create_server(self.app, host=HOST, port=port, threads=6, ident="subsidy-xl",
                                     clear_untrusted_proxy_headers=True)
        self.port = self._server.effective_port
        self.app.config["PORT"] = self.port
        self.app.extensions["subsidy_xl_stop"] = self.stop

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/?token={self.token}"

    def run(self) -> None:
        try:
            self._server.run()
        except (KeyboardInterrupt, OSError):  # Ctrl+C, or closed by stop()
            pass
        finally:
            self.close()

    def stop(self) -> None:
        """Stop serving (from another thread, e.g. the page's 退出 button): the answer is sent first."""
        threading.Timer(0.3, self.close).start()

    def close(self) -> None:
        try:
            self._server.close()
        except Exception:  # already closed
            pass
        tmp = self.app.extensions.pop("subsidy_xl_tmp", None)
        if tmp is not None:
            tmp.cleanup()


def serve(folder: Path, port: int = 0, open_browser: bool = True) -> None:
    def say(text: str) -> None:
        print(text, flush=True)

    server = Server(folder, port)
    say(f"离任补贴工具网页版已启动，文件夹：{Path(folder).resolve()}")
    say(f"请在浏览器中打开：{server.url}")
    say("（只有本机可以访问；关闭本窗口或按 Ctrl+C 即退出）")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(server.url,)).start()
    server.run()
