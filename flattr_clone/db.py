"""Database helpers shared by the apps: an index for append-only tables, migration
operations that change the indexes of a large table without blocking its writers, a query
compiled once for the hot paths (``PreparedQuery``) and ``__in_array``, the ``__in`` of
many integers as one parameter.

On PostgreSQL, ``CREATE INDEX`` and ``DROP INDEX`` lock a table against writes for as long
as they run; on a ledger of millions of rows that stops every payment. The operations here
use ``CONCURRENTLY`` there (the migration must be ``atomic = False``) and fall back to the
ordinary operation elsewhere (SQLite, the embedded default). None of them rewrites a table
on PostgreSQL.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.migrations.operations import AddIndex, AlterField
from django.db.models.lookups import In, Lookup
from django.db.models.query import get_related_populators


def _is_postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class TimeOrderedIndex(models.Index):
    """A BRIN index on PostgreSQL, for a column that grows with the physical order of an
    append-only table (a creation time): a few pages instead of a b-tree entry per row, cheap
    to maintain on insert, and range filters (``created_at >= ...``) still skip the rest of
    the table. It cannot serve ``ORDER BY ... LIMIT``; order by the primary key for that.
    A plain b-tree on other databases."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if _is_postgresql(schema_editor):
            using = " USING brin"
        return super().create_sql(model, schema_editor, using=using, **kwargs)


class AddIndexConcurrentlyIfPostgres(AddIndexConcurrently):
    """``AddIndexConcurrently`` on PostgreSQL, ``AddIndex`` elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _is_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _is_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class DropFieldIndexesConcurrently(AlterField):
    """An ``AlterField`` that only takes single-column indexes away from a field
    (``db_index=True`` to ``False``, a foreign key's own index, or the ``varchar_pattern_ops``
    twin of a ``unique`` text column whose uniqueness moves to a ``UniqueConstraint`` of the
    same name).

    On PostgreSQL: ``DROP INDEX CONCURRENTLY`` of every b-tree index on exactly that column
    that no constraint owns (unique constraints, primary and foreign keys stay). Elsewhere,
    with ``keep_elsewhere=False``, the ordinary ``AlterField``; with ``keep_elsewhere=True``
    nothing (for a uniqueness that only changes from the field to a constraint in Django's
    state: the database already enforces it). Backwards, the ordinary ``AlterField``.
    """

    atomic = False

    def __init__(self, model_name, name, field, preserve_default=True, keep_elsewhere=False):
        self.keep_elsewhere = keep_elsewhere
        super().__init__(model_name, name, field, preserve_default)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        if self.keep_elsewhere:
            kwargs["keep_elsewhere"] = True
        return name, args, kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _is_postgresql(schema_editor):
            if self.keep_elsewhere:
                return None
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        connection = schema_editor.connection
        if connection.in_atomic_block:
            raise RuntimeError(
                "DROP INDEX CONCURRENTLY cannot run in a transaction: set atomic = False"
            )
        model = from_state.apps.get_model(app_label, self.model_name)
        column = model._meta.get_field(self.name).column
        table = model._meta.db_table
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        for index_name, info in sorted(constraints.items()):
            if (
                info["columns"] == [column]
                and info["index"]
                and info.get("type") in ("idx", "btree")  # "idx": a b-tree
                and not info["unique"]
                and not info["primary_key"]
                and not info["foreign_key"]
                and not info["check"]
            ):
                schema_editor.execute(
                    f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(index_name)}"
                )
        return None

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _is_postgresql(schema_editor):
            if self.keep_elsewhere:
                return None
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        # Back to the old field: build its indexes again, concurrently too.
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        statements = []
        if field.db_index and not field.unique:
            statements.append(schema_editor._create_index_sql(model, fields=[field]))
        like = schema_editor._create_like_index_sql(model, field)
        if like is not None:
            statements.append(like)
        for statement in statements:
            schema_editor.execute(
                str(statement).replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY IF NOT EXISTS", 1)
            )
        return None

    def describe(self):
        return f"Concurrently drop the single-column indexes of {self.model_name}.{self.name}"


class PreparedQuery:
    """A queryset compiled once per process and connection, then run again with new values.

    Django builds and compiles a queryset on every call. For a query a hot path sends on
    every request (the click's rules: one SELECT with four subqueries) that took five to
    seven times as long as running it. ``build(**values)`` makes the queryset (a
    ``values_list`` for ``rows``, a model queryset for ``objects``); it is built once with
    ``sentinels`` (one unusual value per argument, of its type), and each compiled parameter
    equal to a sentinel is replaced by the call's value. Rows go through the queryset's own
    converters, so they are what the queryset itself would return.

    PostgreSQL only (its driver adapts the values, so the compiled parameters are the values
    given); elsewhere (SQLite, the embedded demo) the queryset is built and run as usual.
    """

    def __init__(self, build, **sentinels):
        self._build = build
        self._sentinels = sentinels
        self._compiled = weakref.WeakKeyDictionary()

    def rows(self, **values) -> list[tuple]:
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            return list(self._build(**values))
        return self._run(connection, self._compiled_for(connection), values)

    def objects(self, **values) -> list:
        """The model instances of a model queryset (``select_related`` ones included), as
        iterating it would give them."""
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            return list(self._build(**values))
        compiled = self._compiled_for(connection)
        rows = self._run(connection, compiled, values)
        compiler = compiled[3]
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, DEFAULT_DB_ALIAS)
        found = []
        for row in rows:
            instance = klass_info["model"].from_db(DEFAULT_DB_ALIAS, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            found.append(instance)
        return found

    def _compiled_for(self, connection):
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        return compiled

    def _run(self, connection, compiled, values) -> list[tuple]:
        sql, slots, params, compiler, converters = compiled
        params = list(params)
        for index, name in slots:
            params[index] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows

    def _compile(self, connection):
        compiler = self._build(**self._sentinels).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = []
        for index, param in enumerate(params):
            names = [n for n, s in self._sentinels.items() if type(param) is type(s) and param == s]
            if len(names) > 1:
                raise ValueError(f"sentinels {names} are equal: give each its own value")
            if names:
                slots.append((index, names[0]))
        if {name for _index, name in slots} != set(self._sentinels):
            raise ValueError("a sentinel does not appear in the compiled query's parameters")
        converters = compiler.get_converters([column[0] for column in compiler.select])
        return sql, slots, tuple(params), compiler, converters


def integer_array(values: Iterable[int]) -> str:
    """A PostgreSQL array literal of integers (``{1,2,3}``), to pass as one ``%s::bigint[]``.

    Built with one join: the driver's own list adaptation costs a Python call per element,
    which on payday's hundred thousand rows a chunk took longer than the INSERT itself."""
    return "{" + ",".join(map(str, map(int, values))) + "}"


@models.Field.register_lookup
class InArray(Lookup):
    """``field__in_array=ids``: ``field__in=ids`` for integers, sent to PostgreSQL as ONE array
    parameter (``= ANY(%s::bigint[])``) instead of one placeholder per value.

    Payday's chunks filter by ten thousand readers or creators at a time; Django's ``__in``
    prepares, quotes and the driver splits one placeholder per value, which cost more than
    the query. Elsewhere (SQLite) it is ``__in`` itself."""

    lookup_name = "in_array"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, integer_array(self.rhs)]


# Foreign keys keep lookups of their own (``user_id__in_array``: the ids of the related rows).
models.ForeignObject.register_lookup(InArray)
