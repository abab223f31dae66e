#!/usr/bin/env python3
"""svgcheck.py SVG — what a ladder diagram of scripts/ladder shows, checked
as XML: prints "columns: N UE, P-CSCF, I-CSCF, S-CSCF, HSS" (the core
columns in their order, UE columns counted) and "arrows: N" (messages).
Exits 1 if the file is not well-formed SVG."""

import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"


def main(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print("not well-formed XML: %s" % e)
        return 1
    if root.tag != NS + "svg":
        print("root element is %s, not svg" % root.tag)
        return 1
    cols, ues = [], 0
    arrows = 0
    for g in root.iter(NS + "g"):
        cls = g.get("class")
        if cls == "column":
            node = g.get("data-node", "")
            if node.startswith("ue:"):
                ues += 1
            else:
                texts = [t.text for t in g.iter(NS + "text")]
                cols.append(texts[0] if texts else "?")
        elif cls == "message":
            has_arrow = any(True for _ in g.iter(NS + "line")) or any(True for _ in g.iter(NS + "path"))
            has_label = any((t.text or "").strip() for t in g.iter(NS + "text"))
            if has_arrow and has_label:
                arrows += 1
    print("columns: %d UE, %s" % (ues, ", ".join(cols)))
    print("arrows: %d" % arrows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
