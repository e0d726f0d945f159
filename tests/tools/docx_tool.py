#!/usr/bin/env python3
"""Reads a Word document the way its users' tools do (python-docx), or makes
a reference document from one.

Usage:
  docx_tool.py read FILE.docx
      Prints one JSON object: "headings" [[level, text], ...] in order (the
      paragraphs in a Heading style, as python-docx names it), "paragraphs"
      [[style, text], ...], "tables" [{"rows", "header_repeats"}],
      "links" {"external": [url...], "internal": [anchor...]},
      "bookmarks" [name...], "pictures" [{"id", "descr"}],
      "heading1_font" (the font of the style Heading 1).
  docx_tool.py html FILE.html
      Prints the HTML page's headings outside its <nav> as [[level, text], ...],
      the ids of its elements in order, and the texts of the contents' links
      (the <nav>'s) in order, as {"headings", "ids", "contents"}.
  docx_tool.py reference IN.docx OUT.docx [--font NAME] [--drop STYLE]
      Writes OUT.docx with IN.docx's styles part: Heading 1 in font NAME,
      and without the style named STYLE.
"""

import json
import re
import sys
import zipfile
from html.parser import HTMLParser

import docx
from docx.oxml.ns import qn


def read(path):
    d = docx.Document(path)
    body = d.element.body
    headings, paragraphs = [], []
    for p in d.paragraphs:
        name = p.style.name if p.style is not None else ""
        paragraphs.append([name, p.text])
        m = re.fullmatch(r"Heading (\d)", name)
        if m:
            headings.append([int(m.group(1)), p.text])
    tables = []
    for t in d.tables:
        first = t.rows[0]._tr if len(t.rows) else None
        repeats = first is not None and first.find(qn("w:trPr")) is not None and \
            first.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
        tables.append({"rows": len(t.rows), "header_repeats": repeats})
    external, internal = [], []
    for h in body.iter(qn("w:hyperlink")):
        rid = h.get(qn("r:id"))
        if rid is not None:
            external.append(d.part.rels[rid].target_ref)
        elif h.get(qn("w:anchor")) is not None:
            internal.append(h.get(qn("w:anchor")))
    bookmarks = [b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))]
    pictures = [{"id": p.get("id"), "descr": p.get("descr")}
                for p in body.iter(qn("wp:docPr"))]
    font = d.styles["Heading 1"].font.name
    print(json.dumps({
        "headings": headings, "paragraphs": paragraphs, "tables": tables,
        "links": {"external": external, "internal": internal},
        "bookmarks": bookmarks, "pictures": pictures, "heading1_font": font,
    }))


def reference(src, out, font, drop):
    with zipfile.ZipFile(src) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
    if font:
        styles, n = re.subn(
            r'(<w:style [^>]*w:styleId="Heading1"><w:name w:val="heading 1"/>)',
            r'\1<w:rPr><w:rFonts w:ascii="%s" w:hAnsi="%s"/></w:rPr>' % (font, font),
            styles, count=1)
        assert n == 1, "no Heading 1 style"
    if drop:
        styles, n = re.subn(
            r'<w:style [^>]*><w:name w:val="%s"/>.*?</w:style>' % re.escape(drop),
            "", styles, count=1, flags=re.S)
        assert n == 1, "no style " + drop
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/styles.xml", styles)


class Headings(HTMLParser):
    """The headings of a page outside <nav>, every id, and the links in
    <nav>, in order."""

    def __init__(self):
        super().__init__()
        self.headings, self.ids, self.stack, self.current = [], [], [], None
        self.contents, self.link = [], None

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        for k, v in attrs:
            if k == "id":
                self.ids.append(v)
        if re.fullmatch(r"h[1-6]", tag) and "nav" not in self.stack:
            self.current = [int(tag[1]), ""]
        if tag == "a" and "nav" in self.stack:
            self.link = ""

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass
        if self.current and tag == "h%d" % self.current[0]:
            self.headings.append(self.current)
            self.current = None
        if tag == "a" and self.link is not None:
            self.contents.append(self.link)
            self.link = None

    def handle_data(self, data):
        if self.current:
            self.current[1] += data
        if self.link is not None:
            self.link += data


def html(path):
    p = Headings()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    print(json.dumps({"headings": p.headings, "ids": p.ids, "contents": p.contents}))


def main():
    if sys.argv[1] == "read":
        read(sys.argv[2])
    elif sys.argv[1] == "html":
        html(sys.argv[2])
    else:
        args = sys.argv[4:]
        opt = lambda k: args[args.index(k) + 1] if k in args else None
        reference(sys.argv[2], sys.argv[3], opt("--font"), opt("--drop"))


main()
