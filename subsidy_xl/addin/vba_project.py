"""Write a ``vbaProject.bin`` from module source text, following MS-OVBA.

The project holds source only: ``_VBA_PROJECT`` is the 7-byte form without a
performance cache and every module stream is compressed source at offset 0, so
Office compiles the modules when it first opens the file.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .cfb import write_compound_file
from .ovba_compression import compress

ModuleKind = Literal["standard", "class", "document"]

CODE_PAGE = 1252
_LCID_EN_US = 0x0409
# The platform the (absent) compiled code was made for; with source only,
# 64-bit Office compiles it like 32-bit Office does.
_SYSKIND_WIN32 = 0x00000001
_HOST_EXTENDER_VBE = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_CLASS_BASE = '"0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'  # VB_Base of a plain class module


@dataclass(frozen=True)
class TypeLibReference:
    """A PROJECTREFERENCES entry for a registered type library."""

    name: str
    libid: str


DEFAULT_REFERENCES = (
    TypeLibReference(
        "stdole",
        r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0"
        r"#C:\Windows\System32\stdole2.tlb#OLE Automation",
    ),
    TypeLibReference(
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0"
        r"#C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL"
        r"#Microsoft Office 16.0 Object Library",
    ),
)


@dataclass(frozen=True)
class VbaModule:
    """One module: its name, kind, code and module-level attributes.

    ``code`` is the module text after the ``Attribute VB_*`` header. The header
    is generated from ``kind``; ``attributes`` (name -> VBA literal, e.g.
    ``{"VB_Exposed": "True"}``) replaces defaults or adds lines. Document
    modules need ``VB_Base``: the host class of the document (workbook, sheet).
    """

    name: str
    kind: ModuleKind
    code: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", self.name):
            raise ValueError(f"not a VBA module name: {self.name!r}")
        if self.kind not in ("standard", "class", "document"):
            raise ValueError(f"unknown module kind {self.kind!r}")
        if self.kind == "document" and "VB_Base" not in self.attributes:
            raise ValueError(f"document module {self.name} needs a VB_Base attribute")
        if not self.text().isascii():
            raise ValueError(f"module {self.name} is not ASCII (keep Chinese text out of VBA)")

    def header(self) -> dict[str, str]:
        """The module's ``Attribute VB_*`` lines as name -> literal, in order."""
        header = {"VB_Name": f'"{self.name}"'}
        if self.kind != "standard":
            header |= {
                "VB_Base": _CLASS_BASE,
                "VB_GlobalNameSpace": "False",
                "VB_Creatable": "False",
                "VB_PredeclaredId": "True" if self.kind == "document" else "False",
                "VB_Exposed": "True" if self.kind == "document" else "False",
                "VB_TemplateDerived": "False",
                "VB_Customizable": "True" if self.kind == "document" else "False",
            }
        return header | dict(self.attributes)

    def text(self) -> str:
        """The module stream's source as VBA stores it: header, code, CRLF lines."""
        lines = [f"Attribute {key} = {value}" for key, value in self.header().items()]
        lines += _split_lines(self.code)
        return "".join(line + "\r\n" for line in lines)


def _split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF only (str.splitlines also splits on \\f etc.)."""
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if lines[-1] == "" else lines


_EXPORT_ATTRIBUTE = re.compile(r"Attribute (VB_\w+) = (.*)")


def module_from_export(exported: str) -> VbaModule:
    """Read a module in VBE export form (.bas/.cls text) as a ``VbaModule``.

    Drops the .cls ``VERSION``/``BEGIN ... END`` block (export-only syntax) and
    takes the leading ``Attribute VB_*`` lines as the module's attributes.
    """
    lines = _split_lines(exported)
    kind: ModuleKind = "standard"
    if lines and lines[0].startswith("VERSION 1.0 CLASS"):
        kind = "class"
        lines = lines[lines.index("END") + 1 :]
    attributes: dict[str, str] = {}
    while lines and (match := _EXPORT_ATTRIBUTE.fullmatch(lines[0])):
        attributes[match[1]] = match[2]
        lines.pop(0)
    name = attributes.pop("VB_Name", "").strip('"')
    return VbaModule(name, kind, "".join(line + "\r\n" for line in lines), attributes)


def _record(record_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def _mbcs(text: str) -> bytes:
    return text.encode(f"cp{CODE_PAGE}")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _text_record(record_id: int, unicode_id: int, text: str) -> bytes:
    """A record with an MBCS string followed by its UTF-16 twin."""
    return _record(record_id, _mbcs(text)) + _record(unicode_id, _utf16(text))


def _project_information(project_name: str) -> bytes:
    return b"".join(
        [
            _record(0x0001, struct.pack("<I", _SYSKIND_WIN32)),
            _record(0x0002, struct.pack("<I", _LCID_EN_US)),
            _record(0x0014, struct.pack("<I", _LCID_EN_US)),  # LCIDINVOKE
            _record(0x0003, struct.pack("<H", CODE_PAGE)),
            _record(0x0004, _mbcs(project_name)),
            _text_record(0x0005, 0x0040, ""),  # DOCSTRING
            _text_record(0x0006, 0x003D, ""),  # HELPFILEPATH (both paths)
            _record(0x0007, struct.pack("<I", 0)),  # HELPCONTEXT
            _record(0x0008, struct.pack("<I", 0)),  # LIBFLAGS
            # PROJECTVERSION: its "size" field is a constant 4, then 4 + 2 bytes.
            struct.pack("<HIIH", 0x0009, 4, 1, 0),
            _text_record(0x000C, 0x003C, ""),  # CONSTANTS
        ]
    )


def _references(references: Sequence[TypeLibReference]) -> bytes:
    out = bytearray()
    for reference in references:
        libid = _mbcs(reference.libid)
        registered = struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0)
        out += _text_record(0x0016, 0x003E, reference.name) + _record(0x000D, registered)
    return bytes(out)


def _module_record(module: VbaModule) -> bytes:
    type_id = 0x0021 if module.kind == "standard" else 0x0022
    return b"".join(
        [
            _record(0x0019, _mbcs(module.name)),
            _record(0x0047, _utf16(module.name)),
            _text_record(0x001A, 0x0032, module.name),  # stream name = module name
            _text_record(0x001C, 0x0048, ""),  # DOCSTRING
            _record(0x0031, struct.pack("<I", 0)),  # source starts at offset 0
            _record(0x001E, struct.pack("<I", 0)),  # HELPCONTEXT
            _record(0x002C, struct.pack("<H", 0xFFFF)),  # COOKIE
            struct.pack("<HI", type_id, 0),
            struct.pack("<HI", 0x002B, 0),  # terminator
        ]
    )


def _dir_stream(
    project_name: str, modules: Sequence[VbaModule], references: Sequence[TypeLibReference]
) -> bytes:
    """The uncompressed ``dir`` stream (MS-OVBA 2.3.4.2)."""
    return b"".join(
        [
            _project_information(project_name),
            _references(references),
            _record(0x000F, struct.pack("<H", len(modules))),
            _record(0x0013, struct.pack("<H", 0xFFFF)),  # PROJECTCOOKIE
            *(_module_record(m) for m in modules),
            struct.pack("<HI", 0x0010, 0),  # terminator
        ]
    )


def encrypt(project_id: str, data: bytes, seed: int) -> str:
    """MS-OVBA 2.4.3.2 data encryption, as the hex text of the PROJECT stream.

    Obfuscation only; it hides nothing. ``seed`` is fixed by the caller so that
    builds are reproducible.
    """
    version, project_key = 2, sum(project_id.encode("ascii")) & 0xFF
    out = [seed, seed ^ version, seed ^ project_key]
    unencrypted_1, encrypted_1, encrypted_2 = project_key, out[2], out[1]
    ignored = [0x07] * ((seed & 6) // 2)  # arbitrary; 0x07 as in MS-OVBA 3.1.6
    for byte in [*ignored, *struct.pack("<I", len(data)), *data]:
        encrypted = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(encrypted)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, encrypted, byte
    return bytes(out).hex().upper()


def _project_stream(project_id: str, project_name: str, modules: Sequence[VbaModule]) -> bytes:
    seed = hashlib.sha256(project_id.encode()).digest()[0]
    lines = [f'ID="{project_id}"']
    for module in modules:
        if module.kind == "document":
            lines.append(f"Document={module.name}/&H00000000")
        else:
            lines.append(f"{'Module' if module.kind == 'standard' else 'Class'}={module.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(project_id, bytes(4), seed)}"',  # protection state: none
        f'DPB="{encrypt(project_id, bytes(1), seed)}"',  # password: none
        f'GC="{encrypt(project_id, bytes([0xFF]), seed)}"',  # visibility: visible
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER_VBE,
        "",
        "[Workspace]",
        *(f"{m.name}=0, 0, 0, 0, C" for m in modules),
    ]
    return _mbcs("".join(line + "\r\n" for line in lines))


def _name_map(modules: Sequence[VbaModule]) -> bytes:
    """``PROJECTwm``: each module name in MBCS and UTF-16, NUL-terminated."""
    names = b"".join(_mbcs(m.name) + b"\0" + _utf16(m.name) + b"\0\0" for m in modules)
    return names + b"\0\0"


def _project_id_for(project_name: str) -> str:
    """A stable project GUID derived from the name (reproducible builds)."""
    digest = hashlib.sha256(project_name.encode()).hexdigest().upper()
    return f"{{{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}}}"


def build_vba_project(
    project_name: str,
    modules: Sequence[VbaModule],
    references: Sequence[TypeLibReference] = DEFAULT_REFERENCES,
) -> bytes:
    """Return the bytes of a ``vbaProject.bin`` holding ``modules``."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", project_name):
        raise ValueError(f"not a VBA project name: {project_name!r}")
    names = [m.name.upper() for m in modules]
    if len(set(names)) != len(names):
        raise ValueError("module names must be unique (case-insensitive)")
    # _VBA_PROJECT: reserved 0x61CC, version 0xFFFF, 0x00, then Reserved3 as
    # Office and the spec's example (MS-OVBA 3.1.1) write it; no cache follows.
    vba_project = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)
    project_id = _project_id_for(project_name)
    streams = {
        "PROJECT": _project_stream(project_id, project_name, modules),
        "PROJECTwm": _name_map(modules),
        "VBA/_VBA_PROJECT": vba_project,
        "VBA/dir": compress(_dir_stream(project_name, modules, references)),
    }
    for module in modules:
        streams[f"VBA/{module.name}"] = compress(_mbcs(module.text()))
    return write_compound_file(streams)
