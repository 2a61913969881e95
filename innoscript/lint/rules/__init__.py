"""Rule modules, one per family of the catalogue.

Importing this package loads no rule: the registry table
(innoscript/lint/registry.py) names each rule's module and function, and
``innoscript.lint.rule.all_rules()`` imports them.
"""
