"""Certificates in the provincial cloud: rules, signed verification links, e-certificate PDFs,
the approval queue and the public verification page."""
