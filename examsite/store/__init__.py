"""All SQL of the site database, in small modules named after domain nouns."""
