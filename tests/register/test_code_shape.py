"""The register's views read as "check access, call a service, render": one
module per topic, no view function over 60 lines (issue 13)."""

import ast
from pathlib import Path

import gradebook.register.views as views

LIMIT = 60


def test_no_register_view_function_is_over_60_lines():
    package = Path(views.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert len(modules) > 5, "the views are a package split by topic"
    long = [
        f"{module.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for module in modules
        for node in ast.walk(ast.parse(module.read_text()))
        if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > LIMIT
    ]
    assert not long, long
