"""The domain's public functions carry type hints (issue 17): mypy (make lint) checks them, and this test
keeps a new public function from arriving without them."""
import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent / "inspect_app" / "domain"


def _public_functions(tree):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            yield node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            yield from (member for member in node.body
                        if isinstance(member, ast.FunctionDef) and not member.name.startswith("_"))


def test_every_public_function_of_the_domain_is_annotated():
    untyped = []
    count = 0
    for path in sorted(DOMAIN.rglob("*.py")):
        for function in _public_functions(ast.parse(path.read_text())):
            count += 1
            arguments = [a for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs
                         if a.arg not in ("self", "cls")]
            if function.returns is None or any(a.annotation is None for a in arguments):
                untyped.append(f"{path.relative_to(DOMAIN)}:{function.lineno} {function.name}")
    assert count > 250
    assert untyped == []
