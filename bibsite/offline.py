"""The README.txt at the top of the offline zip: what to open, in Chinese and in English."""
from __future__ import annotations

README_NAME = "README.txt"
# CRLF line ends: the file is read on Windows laptops too, where Notepad once showed LF as one line.
README_TEXT = "\r\n".join([
    "亚欧区域安全文献库 — 离线版",
    "",
    "1. 解压整个压缩包(不要只打开其中的文件)。",
    "2. 用浏览器打开 site/index.html,选择中文或英文界面。",
    "无需网络和服务器:检索、引文导出都在浏览器中完成。",
    "整个文献库的引文文件在 site/data/ 中(bibliography.bib、.ris、.json)。",
    "",
    "Regional Security in Asia and Eurasia — a Bibliography, offline copy",
    "",
    "1. Unzip the whole archive (do not open files from inside the zip).",
    "2. Open site/index.html in a web browser and choose the Chinese or English interface.",
    "No network or server is needed: search and citation export run in the browser.",
    "The whole collection's citations are in site/data/ (bibliography.bib, .ris, .json).",
    "",
])


def readme_bytes() -> bytes:
    """Return README.txt as stored in the zip: UTF-8 with a byte order mark, so that Windows
    editors read the Chinese half as UTF-8 rather than the system code page."""
    return "\ufeff".encode("utf-8") + README_TEXT.encode("utf-8")
