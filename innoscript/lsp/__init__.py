"""The language server: diagnostics, fixes, hover, completion and formatting.

A thin face over the library.  Only ``server`` imports pygls and lsprotocol;
the other modules are plain Python over the AST and the catalogue, so they
can be tested and reused without an editor.
"""
