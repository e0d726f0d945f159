"""Reads an HTML page as a browser's parser does (html.parser) and prints,
as JSON, what the HTML tests check: the ids, the in-page links that point
at no id, the images without alternative text, every tag's name, the text
of the page, and the text of each h2/h3/h4 heading, in order.

    python html_check.py PAGE.html
"""

import json
import sys
from html.parser import HTMLParser


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = []
        self.links = []
        self.hrefs = []
        self.images = []
        self.tags = set()
        self.text = []
        self.headings = []
        self.heading = None
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
            if attrs["href"].startswith("#"):
                self.links.append(attrs["href"][1:])
        if tag == "img":
            self.images.append(attrs.get("alt") or "")
        if tag in ("style", "script"):
            self.skip += 1
        if tag in ("h2", "h3", "h4"):
            self.heading = []

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1
        if tag in ("h2", "h3", "h4") and self.heading is not None:
            self.headings.append(" ".join("".join(self.heading).split()))
            self.heading = None

    def handle_data(self, data):
        if self.skip:
            return
        self.text.append(data)
        if self.heading is not None:
            self.heading.append(data)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        page = Page()
        page.feed(f.read())
        page.close()
    ids = set(page.ids)
    print(
        json.dumps(
            {
                "ids": page.ids,
                "duplicate_ids": sorted({i for i in page.ids if page.ids.count(i) > 1}),
                "links": page.links,
                "broken_links": sorted({l for l in page.links if l not in ids}),
                "hrefs": page.hrefs,
                "images": len(page.images),
                "images_without_alt": sum(1 for a in page.images if not a.strip()),
                "tags": sorted(page.tags),
                "headings": page.headings,
                "text": " ".join("".join(page.text).split()),
            }
        )
    )


if __name__ == "__main__":
    main()
