"""The migrations that give pairs a public_id, run over a database that already has pairs."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import EnrolmentFactory, ProgramFactory

BEFORE = [("matching", "0002_sessions")]
AFTER = [("matching", "0005_pair_public_id_unique")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()  # what the last run applied or unapplied
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# Rows are committed between the steps, as a real deploy does; the database is emptied after
# the test and the migrations' data (topics, built-in surveys) put back for the next one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pairs_made_before_the_migration_each_get_a_public_id_of_their_own():
    old_apps = _migrate(BEFORE)
    try:
        OldPair = old_apps.get_model("matching", "Pair")
        program = ProgramFactory()  # programs' tables are not touched by going back
        for _ in range(3):
            OldPair.objects.create(
                program_id=program.pk,
                mentor_id=EnrolmentFactory(program=program, role="mentor").pk,
                mentee_id=EnrolmentFactory(program=program, role="mentee").pk,
            )
    finally:
        new_apps = _migrate(AFTER)
    public_ids = list(
        new_apps.get_model("matching", "Pair").objects.values_list("public_id", flat=True)
    )
    assert len(public_ids) == 3
    assert None not in public_ids
    assert len(set(public_ids)) == 3
