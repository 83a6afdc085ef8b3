"""Compile list, tuple, set and dict displays, comprehensions and assignment targets."""

from __future__ import annotations

import ast
from typing import Callable

from .operations import check_result, hashed, iterate, set_item, unpack


class Frame:
    """Hold the variables of one scope of a run: task data at the top, a comprehension's inside."""

    __slots__ = ("vars", "parent", "budget", "names", "pure")

    def __init__(self, variables: dict, parent, budget, names, pure: bool):
        self.vars = variables
        self.parent = parent
        self.budget = budget
        self.names = names
        self.pure = pure


class DisplayCompiler:
    """Compile collections and the scopes of comprehensions; mixed into ExpressionCompiler."""

    # What ExpressionCompiler, which mixes this class in, provides.
    stored: set[str]
    expr: Callable[[ast.AST], Callable]
    refuse: Callable[..., Callable]
    name_problem: Callable[[str], str | None]

    def e_List(self, node):
        items = [self.expr(item) for item in node.elts]
        return lambda frame: [item(frame) for item in items]

    def e_Tuple(self, node):
        items = [self.expr(item) for item in node.elts]
        return lambda frame: tuple([item(frame) for item in items])

    def e_Set(self, node):
        items = [self.expr(item) for item in node.elts]
        return lambda frame: {hashed(frame.budget, item(frame)) for item in items}

    def e_Dict(self, node):
        if any(key is None for key in node.keys):
            return self.refuse(node, "** in a dict display is not allowed")
        pairs = [(self.expr(key), self.expr(value)) for key, value in zip(node.keys, node.values)]
        return lambda frame: {hashed(frame.budget, key(frame)): value(frame) for key, value in pairs}

    def e_ListComp(self, node):
        element = self.expr(node.elt)
        return self.comprehension(node, list, lambda out, inner, budget: out.append(element(inner)))

    e_GeneratorExp = e_ListComp  # evaluated eagerly: no generator object ever reaches the diagram

    def e_SetComp(self, node):
        element = self.expr(node.elt)
        return self.comprehension(node, set, lambda out, inner, budget: out.add(hashed(budget, element(inner))))

    def e_DictComp(self, node):
        key, value = self.expr(node.key), self.expr(node.value)

        def put(out, inner, budget):
            out[hashed(budget, key(inner))] = value(inner)

        return self.comprehension(node, dict, put)

    def comprehension(self, node, make, produce):
        """Compile the for/if clauses of a comprehension that runs in its own scope."""
        clauses = []
        for clause in node.generators:
            if clause.is_async:
                self.refuse(node, "async comprehensions are not allowed")
            clauses.append(
                (
                    self.target(clause.target, names_only=True),
                    self.expr(clause.iter),
                    [self.expr(test) for test in clause.ifs],
                )
            )
        last = len(clauses) - 1

        def run(frame):
            budget = frame.budget
            inner = Frame({}, frame, budget, frame.names, frame.pure)
            out = make()
            limit = budget.limits.max_items

            def level(index, scope):
                store, source, tests = clauses[index]
                for item in iterate(budget, source(scope)):
                    budget.turn()
                    store(inner, item)
                    if tests and not all(test(inner) for test in tests):
                        continue
                    if index < last:
                        level(index + 1, inner)
                    else:
                        produce(out, inner, budget)
                        if len(out) > limit:
                            check_result(budget, out)

            level(0, frame)
            return out

        return run

    def target(self, node, names_only: bool = False):
        """Compile an assignment target into a closure of (frame, value).

        A comprehension may bind names only: its expression must not write into task data.
        """
        if isinstance(node, ast.Name):
            name = node.id
            if problem := self.name_problem(name):
                return self.refuse(node, problem)
            self.stored.add(name)

            def store(frame, value):
                frame.vars[name] = value

            return store
        if isinstance(node, ast.Subscript) and not names_only:
            container, key = self.expr(node.value), self.expr(node.slice)
            return lambda frame, value: set_item(frame.budget, container(frame), key(frame), value)
        if isinstance(node, (ast.Tuple, ast.List)):
            targets = [self.target(item, names_only) for item in node.elts]

            def spread(frame, value):
                for store, item in zip(targets, unpack(frame.budget, value, len(targets))):
                    store(frame, item)

            return spread
        what = {"Attribute": "an attribute", "Subscript": "a subscript in a comprehension"}.get(
            type(node).__name__, type(node).__name__
        )
        return self.refuse(node, f"assigning to {what} is not allowed")
