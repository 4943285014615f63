"""Whole days between two dates in SQL, which Django has no portable function for."""

from django.db import NotSupportedError
from django.db.models import Func, IntegerField


class DaysBetween(Func):
    """`end - start` in whole days; both arguments are dates (use TruncDate on datetimes)."""

    arity = 2
    output_field = IntegerField()

    def _compile(self, compiler, connection):
        end, start = self.get_source_expressions()
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return end_sql, start_sql, (*end_params, *start_params)

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"DaysBetween has no SQL for {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra):
        end_sql, start_sql, params = self._compile(compiler, connection)
        return f"(({end_sql})::date - ({start_sql})::date)", params

    def as_sqlite(self, compiler, connection, **extra):
        end_sql, start_sql, params = self._compile(compiler, connection)
        return f"CAST(julianday({end_sql}) - julianday({start_sql}) AS INTEGER)", params
