"""The real server (waitress) over real sockets, the ``ui`` command and its double-click launchers:
it listens on 127.0.0.1 only, logs neither the token nor personal data, stops from the page, and the
launchers' command lines (parsed as Windows' cmd.exe and the Desktop Entry Specification say) start it."""
from __future__ import annotations

import http.client
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from reliability_support import run_cli
from web_support import serving

from subsidy_xl.web.app import TOKEN_HEADER, cookie_name
from subsidy_xl.web.launcher import (DESKTOP_NAME, WINDOWS_NAME, desktop_entry, mac_command, make_launcher,
                                     windows_launcher)
from subsidy_xl.web.server import Server


def request(port: int, method: str, path: str, headers=None, body: bytes | None = None, host: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = dict(headers or {})
    headers.setdefault("Host", host or f"127.0.0.1:{port}")
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), data


@pytest.fixture
def running(tmp_path, demo_book):
    with serving(tmp_path / "books", demo_book) as (server, thread):
        yield server, thread, tmp_path / "books"


def test_listens_on_loopback_only_and_logs_no_token_or_person(running, caplog, capfd):
    server, _thread, folder = running
    caplog.set_level(logging.DEBUG)  # every logger, every level
    port = server.port
    assert server._server.socket.getsockname()[0] == "127.0.0.1"
    other = Server(folder, 0)  # every run has its own token
    other_thread = threading.Thread(target=other.run, daemon=True)
    other_thread.start()
    try:
        assert other.token != server.token and len(other.token) >= 40
        assert request(other.port, "GET", f"/?token={server.token}")[0] == 403
    finally:
        other.close()
        other_thread.join(30)
    status, headers, _ = request(port, "GET", f"/?token={server.token}")
    assert status == 303
    cookie = headers["Set-Cookie"].split(";")[0]
    assert cookie == f"{cookie_name(port)}={server.token}"
    status, _, page = request(port, "GET", "/", {"Cookie": cookie})
    assert status == 200 and "离任补贴工具" in page.decode()
    # a DNS-rebinding request over the socket: refused
    assert request(port, "GET", "/api/folder", {"Cookie": cookie}, host=f"attacker.example:{port}")[0] == 403
    post = {"Cookie": cookie, TOKEN_HEADER: server.token, "Origin": f"http://127.0.0.1:{port}",
            "Content-Type": "application/json"}
    status, _, body = request(port, "POST", "/api/books/demo.xlsx/check", post, b"{}")
    job = json.loads(body)
    while job["state"] == "running":
        time.sleep(0.05)
        job = json.loads(request(port, "GET", f"/api/jobs/{job['id']}", {"Cookie": cookie})[2])
    assert job["state"] == "done" and any(r["code"] == "id-check-digit" for r in job["result"]["issues"])
    request(port, "GET", f"/api/folder?token=wrong-{server.token[:5]}")  # a refused guess
    out, err = capfd.readouterr()
    logged = "\n".join(r.getMessage() for r in caplog.records) + out + err
    assert server.token not in logged and server.token[:8] not in logged
    ids = {r["value"] for r in job["result"]["issues"]}
    assert not re.search(r"(?<!\d)\d{17}[\dX](?!\d)", logged)
    assert not any(i and i in logged for i in ids if len(i) > 8)


def test_the_page_quit_button_stops_the_server(running):
    server, thread, _folder = running
    port = server.port
    request(port, "GET", f"/?token={server.token}")
    post = {"Cookie": f"{cookie_name(port)}={server.token}", TOKEN_HEADER: server.token,
            "Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/json"}
    status, _, body = request(port, "POST", "/api/quit", post, b"{}")
    assert status == 200 and "已退出" in json.loads(body)["message"]
    thread.join(30)
    assert not thread.is_alive()
    with pytest.raises(OSError):
        request(port, "GET", "/")


def test_the_ui_command_refuses_a_missing_folder_in_chinese(tmp_path):
    run = run_cli("ui", tmp_path / "没有", "--no-browser")
    assert run.code == 2 and "文件夹不存在" in run.err
    run = run_cli("ui", tmp_path, "--port", "70000")
    assert run.code == 2 and "端口应为" in run.err


# ---------------------------------------------------------------------------------------
# launchers
# ---------------------------------------------------------------------------------------
def desktop_exec_argv(entry: str) -> list[str]:
    """The Exec key of a desktop entry as a launcher reads it (Desktop Entry Specification 1.5):
    string-value escapes first, then the quoting rules; ``%%`` is a literal ``%``."""
    value = next(line.split("=", 1)[1] for line in entry.splitlines() if line.startswith("Exec="))
    value = re.sub(r"\\(.)", lambda m: {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[m[1]], value)
    argv, i = [], 0
    while i < len(value):
        if value[i] == " ":
            i += 1
            continue
        arg = ""
        if value[i] == '"':
            i += 1
            while value[i] != '"':
                if value[i] == "\\":
                    assert value[i + 1] in '"`$\\', f"invalid escape in {value}"
                    i += 1
                arg += value[i]
                i += 1
            i += 1
        else:
            while i < len(value) and value[i] != " ":
                arg += value[i]
                i += 1
        argv.append(arg.replace("%%", "%"))
    return argv


def cmd_argv(line: str) -> list[str]:
    """A cmd.exe command line of double-quoted arguments: ``%%`` in a batch file is a literal ``%``."""
    return [quoted or word for quoted, word in re.findall(r'"([^"]*)"|(\S+)', line.replace("%%", "%"))]


STRANGE = '补助 经费 $HOME `id` 50% \\x'


def test_desktop_entry_runs_this_python_on_the_folder_whatever_its_name():
    entry = desktop_entry("/usr/bin/python3", f"/home/张三/{STRANGE}")
    assert entry.startswith("[Desktop Entry]\n") and "Type=Application" in entry and "Terminal=true" in entry
    assert "Name[zh_CN]=离任补贴工具" in entry
    assert desktop_exec_argv(entry) == ["/usr/bin/python3", "-m", "subsidy_xl.cli", "ui", f"/home/张三/{STRANGE}"]


def test_windows_launcher_is_gbk_with_the_folder_quoted():
    data = windows_launcher(r"C:\Program Files\Python311\python.exe", r"D:\补助经费\2026 年 50%")
    text = data.decode("gbk")
    lines = text.split("\r\n")
    assert lines[0] == "@chcp 936 >nul" and lines[1] == "@echo off" and "\n" not in text.replace("\r\n", "")
    command = next(line for line in lines if "subsidy_xl.cli" in line)
    assert cmd_argv(command) == [r"C:\Program Files\Python311\python.exe", "-m", "subsidy_xl.cli", "ui",
                                 r"D:\补助经费\2026 年 50%"]
    assert "if errorlevel 1 pause" in lines  # a failure stays on screen to be read


def test_windows_launcher_falls_back_to_utf8_for_names_gbk_lacks():
    data = windows_launcher(r"C:\Python\python.exe", "D:\\资料\\😀")
    assert data.startswith(b"@chcp 65001 >nul\r\n") and "😀" in data.decode("utf-8")


def test_make_launcher_writes_an_executable_desktop_file_that_starts_the_page(tmp_path, demo_book):
    folder = tmp_path / "补助 经费"
    folder.mkdir()
    shutil.copyfile(demo_book, folder / "demo.xlsx")
    desk = tmp_path / "桌面"
    desk.mkdir()
    run = run_cli("ui", folder, "--make-launcher", "--launcher-dir", desk)
    assert run.code == 0 and "已生成启动图标" in run.out
    entry = desk / DESKTOP_NAME
    assert os.access(entry, os.X_OK)
    argv = desktop_exec_argv(entry.read_text(encoding="utf-8"))
    assert argv[:4] == [sys.executable, "-m", "subsidy_xl.cli", "ui"] and Path(argv[4]) == folder.resolve()
    # double-clicked: the launcher's own command line starts the page for that folder
    proc = subprocess.Popen(argv + ["--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    try:
        url, said = None, []
        for line in proc.stdout:
            said.append(line.rstrip("\n"))
            m = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)", line)
            if m:
                url = m
                break
        assert url, proc.stderr.read()
        said.append(proc.stdout.readline().rstrip("\n"))  # what the window says: the folder, the address, how to stop
        assert said == [f"离任补贴工具网页版已启动，文件夹：{folder.resolve()}", f"请在浏览器中打开：{url[0]}",
                        "（只有本机可以访问；关闭本窗口或按 Ctrl+C 即退出）"]
        port, token = int(url[1]), url[2]
        status, headers, _ = request(port, "GET", f"/?token={token}")
        assert status == 303
        cookie = headers["Set-Cookie"].split(";")[0]
        books = json.loads(request(port, "GET", "/api/folder", {"Cookie": cookie})[2])
        assert [b["name"] for b in books["books"]] == ["demo.xlsx"]
    finally:
        proc.terminate()
        proc.wait(30)


def test_make_launcher_for_windows(tmp_path):
    path = make_launcher(tmp_path, tmp_path, windows=True, python=r"C:\Python311\python.exe")
    assert path.name == WINDOWS_NAME
    command = next(line for line in path.read_bytes().decode("gbk").split("\r\n") if "subsidy_xl.cli" in line)
    assert cmd_argv(command)[-1] == str(tmp_path.resolve())


def test_mac_command_is_a_shell_script_running_this_python_on_the_folder(tmp_path):
    text = mac_command("/usr/local/bin/python3", f"/Users/张三/{STRANGE}")
    assert text.startswith("#!/bin/sh\n")
    script = tmp_path / "launch.command"
    script.write_text(text.replace("exec ", "printf '%s\\n' ", 1), encoding="utf-8")  # the shell's own reading
    argv = subprocess.run(["sh", str(script)], capture_output=True, text=True, check=True).stdout.splitlines()
    assert argv == ["/usr/local/bin/python3", "-m", "subsidy_xl.cli", "ui", f"/Users/张三/{STRANGE}"]
