"""The Flask app: pages, the JSON API the page's script calls, and the guards every request passes.

Guards (``_guard``), in order: the Host header must name this server (127.0.0.1 or localhost and its
port: a DNS-rebinding page cannot pass); the run's random token must come with the request (in the URL
the first time, which sets an HttpOnly, SameSite=Strict cookie and redirects to a URL without it; the
cookie afterwards); a POST must also carry the token in a header and come from this page's own origin
(Origin, Sec-Fetch-Site). Uploads are limited in size; names from the page stay in the chosen folder.
"""
from __future__ import annotations

import hmac
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, redirect, render_template, request, send_file
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .. import __version__
from ..params import default_params
from ..errors import describe_error, internal_error_text, is_user_error
from ..idcard import redact
from . import actions as A
from .actions import Desk, quarter_of_text
from .folder import Folder, clean_name
from .jobs import Busy, Jobs

TOKEN_HEADER = "X-Subsidy-Token"
MAX_UPLOAD = 64 * 1024 * 1024  # one request's uploads together (a province's workbook is ~20 MB)
MAX_FORMS = 100  # street forms in one import
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def cookie_name(port: int) -> str:
    """Cookies do not tell ports apart: one name per port, so two runs side by side keep their own."""
    return f"subsidy_xl_{port}"


def create_app(folder: str | Path, port: int, token: str | None = None, workdir: str | Path | None = None,
               max_upload: int = MAX_UPLOAD) -> Flask:
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=max_upload, PORT=port, TOKEN=token or secrets.token_urlsafe(32),
                      MAX_FORM_MEMORY_SIZE=1024 * 1024)
    if workdir is None:
        holder = tempfile.TemporaryDirectory(prefix="subsidy-xl-ui-")
        app.extensions["subsidy_xl_tmp"] = holder  # removed with the app
        workdir = holder.name
    desk = Desk(Folder(Path(folder)), Path(workdir))
    jobs = Jobs()
    app.extensions["subsidy_xl"] = {"desk": desk, "jobs": jobs}

    def allowed_hosts() -> set[str]:
        p = app.config["PORT"]
        return {f"127.0.0.1:{p}", f"localhost:{p}"}

    def same(a: str | None, b: str) -> bool:
        return bool(a) and hmac.compare_digest(a.encode(), b.encode())

    @app.before_request
    def _guard():
        token = app.config["TOKEN"]
        if request.host.lower() not in allowed_hosts():
            raise Refused(403, "地址不对：请用本工具启动时给出的 http://127.0.0.1 地址打开本页面")
        given = request.args.get("token")
        if given is not None:
            if request.method != "GET" or not same(given, token):
                raise Refused(403, "访问令牌错误：请用本工具启动时给出的地址重新打开（每次启动令牌不同）")
            rest = {k: v for k, v in request.args.items() if k != "token"}
            response = redirect(request.path + (f"?{urlencode(rest)}" if rest else ""), code=303)
            response.set_cookie(cookie_name(app.config["PORT"]), token, httponly=True, samesite="Strict",
                                path="/")
            return response
        if not same(request.cookies.get(cookie_name(app.config["PORT"])), token):
            raise Refused(403, "缺少访问令牌：请用本工具启动时给出的地址（含 token）打开本页面")
        if request.method not in ("GET", "HEAD"):
            origin = request.headers.get("Origin")
            if origin not in {f"http://{h}" for h in allowed_hosts()}:
                raise Refused(403, "拒绝来自其他网页的操作请求")
            if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
                raise Refused(403, "拒绝来自其他网页的操作请求")
            if not same(request.headers.get(TOKEN_HEADER), token):
                raise Refused(403, "操作请求缺少访问令牌，请刷新页面后重试")

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(Refused)
    def _refused(e: Refused):
        return jsonify(error=e.message), e.status

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(e):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return jsonify(error=f"上传的文件太大（一次最多 {limit} MB），未保存"), 413

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        texts = {404: "找不到该页面或文件", 405: "不支持的请求方式"}
        return jsonify(error=texts.get(e.code, f"请求无效（{e.code}）")), e.code

    @app.errorhandler(Exception)
    def _failed(e: Exception):  # no traceback on the page, none in a log: the Chinese text only
        if is_user_error(e):
            return jsonify(error=describe_error(e)), 409 if isinstance(e, Busy) else 400
        return jsonify(error=redact(internal_error_text(e))), 500  # its detail may quote a cell

    # ------------------------------------------------------------ pages

    @app.get("/")
    def index():
        return render_template("index.html", token=app.config["TOKEN"], version=__version__)

    @app.get("/api/folder")
    def folder_listing():
        return jsonify(folder=str(desk.folder.root), books=desk.folder.workbooks(), dirs=desk.folder.subfolders(),
                       streets=list(default_params().streets))

    @app.post("/api/folder")
    def change_folder():
        desk.folder = desk.folder.moved(_json().get("path", ""))
        return folder_listing()

    @app.post("/api/upload")
    def upload():
        files = request.files.getlist("file")
        if not files:
            raise Refused(400, "没有收到文件")
        saved = [desk.folder.save_upload(f.filename or "", f.stream).name for f in files]
        return jsonify(saved=saved, message=f"已保存到文件夹：{'、'.join(saved)}")

    @app.get("/files/<name>")
    def file_download(name: str):
        path = desk.folder.path(name)
        return send_file(path, as_attachment=True, download_name=path.name)

    @app.get("/download/<key>")
    def package_download(key: str):
        found = desk.downloads.get(key)
        if found is None:
            raise Refused(404, "下载已失效，请重新导出")
        return send_file(found[0], as_attachment=True, download_name=found[1], mimetype="application/zip")

    @app.get("/api/jobs/<job_id>")
    def job_state(job_id: str):
        job = jobs.get(job_id)
        if job is None:
            raise Refused(404, "找不到该任务（可能已重新启动）")
        return jsonify(job.as_dict())

    # ------------------------------------------------------------ the ribbon's actions

    def start(title: str, work, book_name: str | None = None, changes: bool = True):
        path = desk.folder.path(book_name) if book_name is not None else None
        job = jobs.start(title, lambda progress: work(path, progress), book=book_name,
                         lock_key=str(path) if (changes and path is not None) else None)
        return jsonify(job.as_dict()), 202

    @app.post("/api/books/<name>/<action>")
    def book_action(name: str, action: str):
        data = _json() if request.is_json else request.form
        if action == "summary":
            q = quarter_of_text(data.get("quarter"))
            return start(A.SUMMARY, lambda p, progress: desk.summary(p, q, progress), name, changes=False)
        if action == "check":
            return start(A.CHECK, desk.check, name)  # writes the 问题清单, as the ribbon does
        if action == "refresh":
            return start(A.REFRESH, lambda p, progress: desk.refresh(p, None, progress), name)
        if action == "quarterly":
            q = quarter_of_text(data.get("quarter"))
            if q is None:
                raise Refused(400, "请输入发放季度，例如 2026Q2")
            return start(A.QUARTERLY, lambda p, progress: desk.refresh(p, q, progress), name)
        if action == "fill-performance":
            return start(A.FILL, desk.fill_performance, name)
        if action == "export":
            q = quarter_of_text(data.get("quarter"))
            pdf = str(data.get("pdf", "1")).lower() not in ("0", "false", "")
            return start(A.EXPORT, lambda p, progress: desk.export(p, q, pdf, progress), name, changes=False)
        if action == "import-streets":
            return import_streets(name)
        if action == "street-form":
            street = data.get("street", "")
            return start(A.STREET_FORM, lambda p, progress: desk.street_form(p, street, progress), name,
                         changes=False)
        raise Refused(404, "没有这个操作")

    def import_streets(name: str):
        uploads = request.files.getlist("file")
        if not uploads:
            raise Refused(400, "请选择要导入的街道报送表（可多选）")
        if len(uploads) > MAX_FORMS:
            raise Refused(400, f"一次最多导入 {MAX_FORMS} 份报送表")
        where = desk.scratch()
        forms = []
        for n, f in enumerate(uploads):  # each in its own folder: two forms may have the same name
            target = where / str(n) / clean_name(f.filename or "")
            target.parent.mkdir()
            f.save(target)
            forms.append(target)
        return start(A.IMPORT, lambda p, progress: desk.import_streets(p, forms, progress), name)

    @app.post("/api/new")
    def new_book():
        data = _json()
        name = str(data.get("name", "")).strip()
        if data.get("demo"):
            q = quarter_of_text(data.get("quarter"))
            return start(A.DEMO, lambda _p, progress: desk.demo(name, q, progress))
        return start(A.NEW, lambda _p, progress: desk.new(name, progress))

    @app.post("/api/street-form")
    def blank_street_form():
        street = _json().get("street", "")
        return start(A.STREET_FORM, lambda _p, progress: desk.street_form(None, street, progress))

    @app.post("/api/quit")
    def quit_server():
        stop = app.extensions.get("subsidy_xl_stop")
        if stop is None:
            raise Refused(400, "本页面不是由 subsidy-xl ui 启动的，无法从页面退出")
        stop()
        return jsonify(message="已退出。可以关闭本页面。")

    return app


def _json() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}

