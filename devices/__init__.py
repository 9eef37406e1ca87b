"""Hardware layer of the exam site: ID-card reader, face matcher, cameras, video segment index.

A library: it never imports Flask or ``examsite``; the site server wires it in.
"""
